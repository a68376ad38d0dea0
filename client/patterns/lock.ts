import { randomBytes } from "node:crypto";
import type Redis from "ioredis";
import { scriptsPerClient } from "./scripts";

/**
 * Acquire = SET NX PX plus the next fencing token, atomically: the token is strictly increasing
 * across holders, so storage that remembers the highest token it has seen can refuse a writer
 * whose lock expired (Kleppmann, 2016). A plain counter is not enough: under an allkeys-*
 * eviction policy a rarely read counter is the first key evicted, and a failover or a restart can
 * lose its last INCR, and each restarts the sequence at 1 (measured: 1, 2, 3, then 1 after an
 * eviction). So the token is the larger of the stored one plus one and the server's clock in
 * microseconds (TIME): once lost, the counter restarts at the clock, above every token issued
 * before, as long as the server's clock has not gone back (or, after a failover, the new
 * primary's clock is not behind the old one's by more than the time since the last grant).
 * Tokens stay below 2^53, exact as JavaScript numbers.
 */
const LOCK_SCRIPTS = {
    // Safe to send twice (ioredis resends unanswered commands after a reconnect): if the lock
    // already holds our token, the first run granted it and its fence is the stored one.
    acquire: {
        keys: 2,
        lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return tonumber(redis.call('GET', KEYS[2])) end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
local now = redis.call('TIME')
local fence = math.max(tonumber(redis.call('GET', KEYS[2]) or '0') + 1, tonumber(now[1]) * 1000000 + tonumber(now[2]))
redis.call('SET', KEYS[2], string.format('%.0f', fence))
return fence`,
    },
    // Without a fencing token, for locks that only prevent duplicate work (no counter key is left behind).
    acquireUnfenced: {
        keys: 1,
        lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end return false`,
    },
    // Owner-checked: a holder whose lock expired must not delete or extend its successor's.
    release: {
        keys: 1,
        lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
    },
    extend: {
        keys: 1,
        lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
    },
} as const;

const scripts = scriptsPerClient(LOCK_SCRIPTS);

export interface AcquireOptions {
    /** How long the lock lives unless extended, in ms. */
    ttlMs: number;
    /** How long to keep trying, in ms (0: one attempt). Default 0. */
    waitMs?: number;
    /** Base delay between attempts, in ms; each wait is jittered up to twice this. Default 25. */
    retryDelayMs?: number;
    /** Gives up waiting when aborted. */
    signal?: AbortSignal;
    /** Issue a fencing token, kept at `<key>:fence` (a key without TTL; if it is evicted, tokens go on from the server's clock). Default true. */
    fenced?: boolean;
}

export interface Lock {
    readonly key: string;
    /** Random value identifying this holder. */
    readonly token: string;
    /**
     * Strictly increasing across every grant of this lock (microseconds of the server's clock or
     * above; exact as a JavaScript number): pass it to storage that can check it. 0 when not fenced.
     */
    readonly fence: number;
    /** Deletes the lock if still ours; false if it had expired (and maybe passed to someone else). */
    release(): Promise<boolean>;
    /** Resets the TTL if still ours; false if it had expired. */
    extend(ttlMs: number): Promise<boolean>;
    /**
     * When the lock has surely lapsed unless extended, on this process's monotonic clock
     * (`performance.now()`): the time the acquire (or the last extend that succeeded) was sent,
     * plus its TTL. Redis started the TTL no earlier than that, so the holder is never later than
     * the server, whatever the network or the offline queue delays.
     */
    readonly validUntil: number;
}

export class LockTimeoutError extends Error {
    constructor(key: string) {
        super(`lock ${key} is held by another owner; gave up waiting`);
        this.name = "LockTimeoutError";
    }
}

export class LockLostError extends Error {
    constructor(key: string) {
        super(`lock ${key} expired or was taken over while its holder was running`);
        this.name = "LockLostError";
    }
}

const fenceKey = (key: string) => `${key}:fence`;
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason as Error);
        const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason as Error);
        };
        // The listener goes with the timer, so a long-lived signal does not collect one per retry.
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}

/** Takes `key` (SET NX PX), retrying with jitter until `waitMs`; throws {@link LockTimeoutError} when it cannot. */
export async function acquireLock(redis: Redis, key: string, options: AcquireOptions): Promise<Lock> {
    const { ttlMs, waitMs = 0, retryDelayMs = 25, signal, fenced = true } = options;
    if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new RangeError("acquireLock: ttlMs must be a whole number of milliseconds > 0");
    const token = randomBytes(16).toString("hex");
    const deadline = Date.now() + waitMs;
    const { acquire, acquireUnfenced, release, extend } = scripts(redis);
    for (;;) {
        signal?.throwIfAborted();
        const sent = performance.now();
        const fence = (await (fenced ? acquire([key, fenceKey(key)], [token, ttlMs]) : acquireUnfenced([key], [token, ttlMs]))) as
            number | null;
        if (fence !== null) {
            let validUntil = sent + ttlMs;
            const lock: Lock = {
                key,
                token,
                fence,
                release: async () => (await release([key], [token])) === 1,
                extend: async (ms) => {
                    const extendSent = performance.now();
                    const extended = (await extend([key], [token, ms])) === 1;
                    if (extended) validUntil = Math.max(validUntil, extendSent + ms);
                    return extended;
                },
                get validUntil() {
                    return validUntil;
                },
            };
            // Aborted while the SET was in flight: do not leave a lock nobody will release.
            if (signal?.aborted) {
                await lock.release();
                signal.throwIfAborted();
            }
            return lock;
        }
        if (Date.now() >= deadline) throw new LockTimeoutError(key);
        await sleep(Math.min(retryDelayMs * (1 + Math.random()), Math.max(1, deadline - Date.now())), signal);
    }
}

export interface WithLockOptions extends AcquireOptions {
    /** Extend the lock every ttlMs/3 while `fn` runs (default true). */
    autoExtend?: boolean;
}

/**
 * Runs `fn` while holding `key`. The lock is extended while `fn` runs; the signal handed to `fn`
 * aborts with {@link LockLostError} as soon as an extension fails (the lock expired, e.g. after a
 * long pause), and at the latest at the lock's local deadline ({@link Lock.validUntil}) when no
 * extension came back in time, whatever holds the commands up (a slow network, the offline queue,
 * a paused server, a TTL shorter than the command timeout). The fence is for storage that can
 * reject stale writers. The lock is released however `fn` ends.
 */
export async function withLock<T>(
    redis: Redis,
    key: string,
    fn: (held: { signal: AbortSignal; fence: number }) => Promise<T>,
    options: WithLockOptions,
): Promise<T> {
    const lock = await acquireLock(redis, key, options);
    const lost = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const giveUp = () => {
        clearInterval(timer);
        clearTimeout(deadline);
        lost.abort(new LockLostError(key));
    };
    /** (Re)arms the local deadline: the lease ends then unless an extension moves it. */
    const watchDeadline = () => {
        clearTimeout(deadline);
        if (lost.signal.aborted) return;
        deadline = setTimeout(
            () => (performance.now() >= lock.validUntil ? giveUp() : watchDeadline()),
            Math.max(0, lock.validUntil - performance.now()),
        );
        deadline.unref();
    };
    watchDeadline();
    if (options.autoExtend !== false) {
        // Extending every third of the TTL leaves two more tries before the lock can lapse.
        timer = setInterval(
            () => {
                lock.extend(options.ttlMs).then((ok) => (ok ? watchDeadline() : giveUp()), giveUp);
            },
            Math.max(1, Math.floor(options.ttlMs / 3)),
        );
        timer.unref();
    }
    const signal = options.signal ? AbortSignal.any([lost.signal, options.signal]) : lost.signal;
    try {
        return await fn({ signal, fence: lock.fence });
    } finally {
        clearInterval(timer);
        clearTimeout(deadline);
        await lock.release().catch(() => false);
    }
}
