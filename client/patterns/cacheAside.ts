import type Redis from "ioredis";
import type { LocalCache } from "./localCache";
import { acquireLock, LockTimeoutError, type Lock } from "./lock";
import { scriptsPerClient } from "./scripts";

export interface CacheAsideOptions<T> {
    /** Lifetime of a cached value in seconds (> 0): there is no cache entry without a TTL. */
    ttlSeconds: number;
    /** Up to this fraction is taken off each TTL at random, so keys written together do not expire together. Default 0.1. */
    ttlJitter?: number;
    /** How long the one loader may hold the load lock, in ms, unless it extends it while it loads. Default 10000. */
    lockTtlMs?: number;
    /**
     * The longest a load keeps its lock by extending it, in ms. A loader that takes longer (a call without a timeout that never
     * returns) lets its lock lapse, so another process loads instead, and its value is not cached. Default 60000.
     */
    maxLoadMs?: number;
    /**
     * How long other callers wait for that loader's value, in ms. Default `lockTtlMs`, so a crashed loader's lock lapses before waiters
     * give up.
     */
    waitMs?: number;
    /**
     * XFetch (Vattani, Chierichetti, Lowenstein, VLDB 2015): a hit recomputes early, in the
     * background, with a probability that grows as expiry nears and with how long the load
     * took; beta > 1 favours earlier recomputation, 0 turns it off. Default 1.
     */
    beta?: number;
    /** Turns the value into the string stored in Redis. Default JSON.stringify. */
    serialize?: (value: T) => string;
    /** The inverse of `serialize`. Default JSON.parse. */
    deserialize?: (text: string) => T;
    /**
     * A local cache (localCache) in front: hits are served from the process, kept correct by
     * Redis's invalidations, and never past the expiry the value carries. It must read the same
     * Redis as `redis`, with the same keyPrefix.
     */
    localCache?: LocalCache;
}

export class CacheLoadError extends Error {
    constructor(key: string, message: string) {
        super(`loading ${key} failed in another process: ${message}`);
        this.name = "CacheLoadError";
    }
}

/**
 * A cached value is one string, `<expires at, ms since the epoch>:<load time, ms>:<value>`, with
 * the same expiry on the key: a hit is one plain GET, and the remaining TTL that early
 * recomputation needs comes from the value itself (the writer's clock; XFetch is a probability,
 * so clock skew between processes only shifts it slightly).
 *
 * A load is a lease, as memcache's are (Nishtala et al., NSDI 2013): under the load lock the key
 * is claimed, and the loaded value is written only if the key is still what the claim left there.
 * A miss claims it with a placeholder, `~<lock token>`, which readers take for a miss; an early
 * refresh claims the value it will replace. Another client's DEL or SET in between (the
 * invalidation that follows a write to the database) changes the key, so the load, which may have
 * read the database before that write, is not written back over it.
 */
const PLACEHOLDER = "~";
const CACHE_SCRIPTS = {
    // KEYS: value, lock. ARGV: lock token, lock TTL. Returns what the load must find at write time:
    // the value already there (a refresh replaces it, and it lives at least the lock's TTL, so it
    // cannot expire under the refresh; a miss returns it), or the placeholder it set.
    claim: {
        keys: 2,
        lua: `if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
local current = redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1])
if current and string.sub(current, 1, 1) ~= '${PLACEHOLDER}' then
  if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  return current
end
local placeholder = '${PLACEHOLDER}' .. ARGV[1]
redis.call('SET', KEYS[1], placeholder, 'PX', ARGV[2])
return placeholder`,
    },
    // Only while holding the load lock (a loader that outlived it must not overwrite a later
    // loader's value), and only over what the claim found. SET replaces an entry of the earlier
    // hash layout too. ARGV: value, TTL, lock token, the claimed value.
    write: {
        keys: 2,
        lua: `if redis.call('GET', KEYS[2]) ~= ARGV[3] then return 0 end
if redis.call('TYPE', KEYS[1]).ok ~= 'string' or redis.call('GET', KEYS[1]) ~= ARGV[4] then return 0 end
return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`,
    },
    // A loader still at work keeps its lock and what it claimed alive. ARGV: lock token, TTL, the claimed value.
    extend: {
        keys: 2,
        lua: `if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1]) == ARGV[3] and redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`,
    },
    // After a load that wrote nothing: its placeholder goes (another client's value stays).
    abandon: {
        keys: 1,
        lua: `if redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1]) == '${PLACEHOLDER}' .. ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`,
    },
} as const;

const scripts = scriptsPerClient(CACHE_SCRIPTS);

/** In-process single flight, per client: concurrent misses in one process share one load. */
const inFlightByClient = new WeakMap<Redis, Map<string, Promise<unknown>>>();
function inFlight(redis: Redis): Map<string, Promise<unknown>> {
    let map = inFlightByClient.get(redis);
    if (!map) inFlightByClient.set(redis, (map = new Map<string, Promise<unknown>>()));
    return map;
}

const lockKey = (key: string) => `${key}:lock`;
const errorKey = (key: string) => `${key}:error`;
/** How long a failed load's message stays visible to the callers that were waiting for it. */
const ERROR_TTL_MS = 5_000;
/** Error messages can carry connection strings or data: only the start is shared, and only for a moment. */
const ERROR_MESSAGE_MAX = 200;

interface Entry {
    text: string;
    deltaMs: number;
    ttlMs: number;
}

/** The entry in a stored string, or undefined for a placeholder or a string this layout did not write. */
function parse(stored: string | null): Entry | undefined {
    if (stored === null) return undefined;
    const first = stored.indexOf(":");
    const second = stored.indexOf(":", first + 1);
    const expiresAt = Number(stored.slice(0, first));
    const deltaMs = Number(stored.slice(first + 1, second));
    if (first < 1 || second < 0 || !Number.isFinite(expiresAt) || !Number.isFinite(deltaMs)) return undefined;
    return { text: stored.slice(second + 1), deltaMs, ttlMs: expiresAt - Date.now() };
}

async function read(redis: Redis, key: string, local?: LocalCache): Promise<Entry | undefined> {
    try {
        if (local === undefined) return parse(await redis.get(key));
        // A local copy may outlive the key's expiry until Redis notices it and invalidates: the value's own expiry decides.
        const entry = parse(await local.get(key));
        return entry && entry.ttlMs > 0 ? entry : undefined;
    } catch (e) {
        // An entry of the earlier layout (a hash): a miss, which the next load overwrites.
        if (e instanceof Error && e.message.startsWith("WRONGTYPE")) return undefined;
        throw e;
    }
}

/**
 * Cache-aside with stampede protection. A hit returns the cached value (and may refresh
 * it early, see `beta`). On a miss exactly one caller across all processes runs `loader`
 * — a Redis lock elects it, in-process callers share its promise — and the others wait
 * for its value instead of hitting the backend. A loader error releases the lock at once
 * and reaches every waiter; the next call tries again.
 */
export async function cacheAside<T>(redis: Redis, key: string, loader: () => Promise<T>, options: CacheAsideOptions<T>): Promise<T> {
    validate(options);
    // The hit path is the one that must cost what a raw GET costs: one GET, no options object,
    // no closures; the full options are built only for a load.
    const entry = await read(redis, key, options.localCache);
    if (entry) {
        // Recompute early in the background; the caller keeps the cached value.
        if (shouldRecomputeEarly(entry, options.beta ?? 1) && !inFlight(redis).has(key)) {
            const o = resolve(options);
            singleFlight(redis, key, () => loadOrWait(redis, key, loader, o, true)).catch(() => undefined);
        }
        return options.deserialize ? options.deserialize(entry.text) : (JSON.parse(entry.text) as T);
    }
    const o = resolve(options);
    return singleFlight(redis, key, () => loadOrWait(redis, key, loader, o, false));
}

type Resolved<T> = Required<Omit<CacheAsideOptions<T>, "localCache">>;

/** Refuses bad options on every call, hit or miss, without allocating. */
function validate<T>(options: CacheAsideOptions<T>): void {
    if (!(Number.isFinite(options.ttlSeconds) && options.ttlSeconds > 0)) {
        throw new RangeError("cacheAside: ttlSeconds must be a number > 0; a cache entry without a TTL only grows");
    }
    const jitter = options.ttlJitter ?? 0.1;
    if (!(jitter >= 0 && jitter < 1)) throw new RangeError("cacheAside: ttlJitter must be in [0, 1)");
}

function resolve<T>(options: CacheAsideOptions<T>): Resolved<T> {
    const lockTtlMs = options.lockTtlMs ?? 10_000;
    return {
        ttlSeconds: options.ttlSeconds,
        ttlJitter: options.ttlJitter ?? 0.1,
        lockTtlMs,
        waitMs: options.waitMs ?? lockTtlMs,
        maxLoadMs: options.maxLoadMs ?? 60_000,
        beta: options.beta ?? 1,
        serialize: options.serialize ?? ((v: T) => JSON.stringify(v)),
        deserialize: options.deserialize ?? ((t: string) => JSON.parse(t) as T),
    };
}

function shouldRecomputeEarly(entry: Entry, beta: number): boolean {
    if (beta <= 0 || entry.ttlMs < 0) return false;
    // XFetch: recompute when now - delta * beta * ln(rand) >= expiry, i.e. -delta*beta*ln(rand) >= ttl.
    return -entry.deltaMs * beta * Math.log(Math.random()) >= entry.ttlMs;
}

function singleFlight<T>(redis: Redis, key: string, run: () => Promise<T>): Promise<T> {
    const flights = inFlight(redis);
    const existing = flights.get(key) as Promise<T> | undefined;
    if (existing) return existing;
    const promise = run().finally(() => flights.delete(key));
    flights.set(key, promise);
    return promise;
}

/**
 * Runs the loader under `lock`, keeping the lock (and the claim) alive for as long as it runs, and
 * writes its value over `claimed` if nothing replaced that meanwhile.
 */
async function load<T>(redis: Redis, key: string, loader: () => Promise<T>, o: Resolved<T>, lock: Lock, claimed: string): Promise<T> {
    const started = Date.now();
    const keys = [key, lockKey(key)];
    // A loader slower than lockTtlMs would lose the lock (and its value, which only the holder may
    // write) and let a second loader start: extend both at a third of the TTL while it runs, up
    // to maxLoadMs, so a loader that never returns does not hold the key forever.
    const keepAlive = setInterval(() => {
        if (Date.now() - started > o.maxLoadMs) return clearInterval(keepAlive);
        void scripts(redis)
            .extend(keys, [lock.token, o.lockTtlMs, claimed])
            .catch(() => undefined);
    }, o.lockTtlMs / 3);
    try {
        const value = await loader();
        const text = o.serialize(value);
        if (typeof text !== "string")
            throw new TypeError(`cacheAside: the value loaded for ${key} serializes to nothing; return a value (null, not undefined)`);
        const ttlMs = Math.max(1, Math.round(o.ttlSeconds * 1000 * (1 - o.ttlJitter * Math.random())));
        const now = Date.now();
        await scripts(redis).write(keys, [`${now + ttlMs}:${now - started}:${text}`, ttlMs, lock.token, claimed]);
        return value;
    } catch (e) {
        // Tell the other processes' waiters, tagged with this lock's token so a later
        // load's waiters are not misled by it.
        const message = (e instanceof Error ? e.message : String(e)).slice(0, ERROR_MESSAGE_MAX);
        await redis.set(errorKey(key), `${lock.token}\n${message}`, "PX", ERROR_TTL_MS).catch(() => undefined);
        throw e;
    } finally {
        clearInterval(keepAlive);
        await scripts(redis)
            .abandon([key], [lock.token])
            .catch(() => 0);
        await lock.release().catch(() => false);
    }
}

/** Loads under the lock, or waits for whoever holds it. `refresh` reloads even if a value exists. */
async function loadOrWait<T>(redis: Redis, key: string, loader: () => Promise<T>, o: Resolved<T>, refresh: boolean): Promise<T> {
    const deadline = Date.now() + o.waitMs;
    for (;;) {
        let lock: Lock | undefined;
        try {
            lock = await acquireLock(redis, lockKey(key), { ttlMs: o.lockTtlMs, fenced: false });
        } catch (e) {
            if (!(e instanceof LockTimeoutError)) throw e;
        }
        if (lock) {
            let claimed: unknown;
            try {
                claimed = await scripts(redis).claim([key, lockKey(key)], [lock.token, o.lockTtlMs]);
            } catch (e) {
                await lock.release().catch(() => false);
                throw e;
            }
            if (typeof claimed !== "string") {
                // The lock lapsed before the claim ran (a round trip longer than the lock's TTL): start over, within the wait.
                await lock.release();
                if (Date.now() >= deadline) throw new LockTimeoutError(lockKey(key));
                await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
                continue;
            }
            // Someone may have loaded it between our miss and our lock (a value past its own expiry does not count).
            const entry = refresh ? undefined : parse(claimed);
            if (entry && entry.ttlMs > 0) {
                await lock.release();
                return o.deserialize(entry.text);
            }
            return load(redis, key, loader, o, lock, claimed);
        }
        const holder = await redis.get(lockKey(key));
        const outcome = await waitForValue(redis, key, holder, deadline);
        if (outcome.value !== undefined) return o.deserialize(outcome.value);
        if (outcome.error !== undefined) throw new CacheLoadError(key, outcome.error);
        if (Date.now() >= deadline) throw new LockTimeoutError(lockKey(key));
        // The holder vanished without a value or an error (it crashed): try to load ourselves.
    }
}

/** Polls until the value appears, the holder's load fails, the lock is gone, or the deadline. */
async function waitForValue(
    redis: Redis,
    key: string,
    holder: string | null,
    deadline: number,
): Promise<{ value?: string; error?: string }> {
    let delay = 5;
    while (Date.now() < deadline) {
        const [stored, lock, error] = await redis
            .pipeline()
            .get(key)
            .get(lockKey(key))
            .get(errorKey(key))
            .exec()
            .then((replies) => (replies ?? []).map(([failed, v]) => (failed ? null : (v as string | null))));
        const entry = parse(stored);
        if (entry) return { value: entry.text };
        if (error !== null && holder !== null && error.startsWith(`${holder}\n`)) return { error: error.slice(holder.length + 1) };
        if (lock === null) return {};
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
        delay = Math.min(delay * 2, 50);
    }
    return {};
}
