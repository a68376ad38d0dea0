import type Redis from "ioredis";
import type { RedisOptions } from "ioredis";

export interface LocalCacheOptions {
    /** Most values kept in process; the least recently read goes first. Default 10,000. */
    maxEntries?: number;
    /** Most bytes of keys and values kept (UTF-8), evicting the least recently read. Default 64 MiB. */
    maxBytes?: number;
    /**
     * Longest a value is served locally, in ms, even if no invalidation came: a bound on the harm
     * of an invalidation lost in a way the cache cannot see. Default 60,000.
     */
    maxAgeMs?: number;
    /**
     * Broadcasting mode (`CLIENT TRACKING … BCAST PREFIX`): Redis invalidates every key under these
     * prefixes, read or not, and keeps no per-key table for this client. For key families read by many
     * and written rarely (`session:`). Keys outside the prefixes are read from Redis and not kept.
     */
    prefixes?: string[];
}

export interface LocalCacheStats {
    hits: number;
    misses: number;
    /** Keys dropped, or reads in flight discarded, because Redis said another client changed them. */
    invalidations: number;
    /** Whole-cache flushes: a connection dropped, or the database was flushed. */
    flushes: number;
    /** Times tracking was turned on: once at the start, then after each reconnection. */
    trackingStarts: number;
}

export interface LocalCache {
    /** The string at `key` (null if none): from the process when Redis has not invalidated it, else one GET. */
    get(key: string): Promise<string | null>;
    /** Values held in the process now. */
    readonly size: number;
    readonly stats: Readonly<LocalCacheStats>;
    /** Drops every local value (Redis keeps tracking; the next reads fill the cache again). */
    clear(): void;
    /** Closes the cache's two connections; `get` then rejects. */
    close(): Promise<void>;
}

const INVALIDATE = "__redis__:invalidate";

interface Held {
    value: string | null;
    bytes: number;
    at: number;
}

/**
 * A read-through cache in the process for hot keys, kept correct by Redis (`CLIENT TRACKING`):
 * when any client changes a key this process has read, Redis sends an invalidation and the local
 * copy is dropped. It reads on a connection of its own with tracking on, and receives the
 * invalidations on a second one subscribed to `__redis__:invalidate` (tracking's `REDIRECT`),
 * speaking RESP2 on ioredis 5 and 6 alike, so one path is tested on both.
 *
 * What it must never do is serve a value older than an invalidation it missed. Invalidations
 * sent while either connection is down are lost, so any disconnect empties the cache and nothing
 * is kept again until tracking is re-armed on both connections (with the subscriber's new ID). A
 * read in flight when that happens, or when its key is invalidated, is answered but not kept.
 *
 * Needs only what the `app` user has: `CLIENT ID`, `CLIENT TRACKING`, `GET`, `SUBSCRIBE` on
 * `__redis__:invalidate`.
 */
export async function localCache(redis: Redis, options: LocalCacheOptions = {}): Promise<LocalCache> {
    const maxEntries = positive(options.maxEntries ?? 10_000, "maxEntries");
    const maxBytes = positive(options.maxBytes ?? 64 * 1024 * 1024, "maxBytes");
    const maxAgeMs = positive(options.maxAgeMs ?? 60_000, "maxAgeMs");
    const prefixes = options.prefixes ?? [];
    if (prefixes.some((p) => p === "")) throw new RangeError("localCache: a prefix must not be empty (that would track every key)");
    // ioredis's keyPrefix (its one key transform) is added to the GETs, and Redis invalidates the
    // keys it stored, prefix and all: values are held by that name, and BCAST prefixes take it too.
    const keyPrefix = redis.options.keyPrefix ?? "";
    const stored = (key: string) => keyPrefix + key;

    // Both connections are the cache's own: tracking belongs to a connection, and a subscribed
    // connection can run nothing else. Resubscribing is ours to do, after learning the new ID.
    const reader = redis.duplicate({ connectionName: "hardened-redis:local-cache", lazyConnect: true });
    const invalidations = redis.duplicate({
        connectionName: "hardened-redis:local-cache-invalidations",
        autoResubscribe: false,
        lazyConnect: true,
        // RESP2 on ioredis 6 too: Redis sends a RESP3 redirect target an `invalidate` push, which
        // ioredis 6 drops, and a RESP2 one a message on the channel (ioredis 5 has no such option).
        ...({ protocol: 2 } as unknown as Partial<RedisOptions>),
    });
    // Connection errors surface through reconnects and the reads that fail; keep them off the process.
    for (const c of [reader, invalidations]) c.on("error", () => undefined);

    const held = new Map<string, Held>();
    let bytes = 0;
    const stats: LocalCacheStats = { hits: 0, misses: 0, invalidations: 0, flushes: 0, trackingStarts: 0 };
    /** Bumped whenever the cache can no longer trust what it holds; a read keeps its value only if it is unchanged. */
    let epoch = 0;
    /** Whether tracking is armed for the current epoch. */
    let armed = false;
    /** The subscriber's client ID while it stays connected and subscribed (it can run nothing else then). */
    let subscriberId: string | undefined;
    /** Keys read right now, and whether an invalidation arrived for them meanwhile. */
    const reading = new Map<string, { promise: Promise<string | null>; invalidated: boolean }>();
    let closed = false;

    const drop = (key: string) => {
        const entry = held.get(key);
        if (entry) {
            bytes -= entry.bytes;
            held.delete(key);
        }
    };
    /** Forgets every value, and every read in flight. */
    const flush = () => {
        held.clear();
        bytes = 0;
        for (const r of reading.values()) r.invalidated = true;
        stats.flushes += 1;
    };
    /** A connection dropped: its invalidations are lost, so flush, and keep nothing until tracking is armed again. */
    const disarm = () => {
        epoch += 1;
        armed = false;
        flush();
    };
    const keep = (key: string, value: string | null) => {
        drop(key);
        const size = Buffer.byteLength(key) + (value === null ? 0 : Buffer.byteLength(value));
        if (size > maxBytes) return;
        held.set(key, { value, bytes: size, at: Date.now() });
        bytes += size;
        // Map order is insertion order; a hit re-inserts, so the first entries are the least recently read.
        for (const [oldest] of held) {
            if (held.size <= maxEntries && bytes <= maxBytes) break;
            drop(oldest);
        }
    };
    /** Whether a key (as the caller names it) falls under the BCAST prefixes, if any. */
    const cacheable = (key: string) => prefixes.length === 0 || prefixes.some((p) => key.startsWith(p));

    invalidations.on("messageBuffer", (channel: Buffer, keys: Buffer[] | Buffer | null) => {
        if (channel.toString() !== INVALIDATE) return;
        // A null key list: the database was flushed (FLUSHDB, FLUSHALL). Tracking goes on.
        if (keys === null || keys === undefined) return flush();
        for (const raw of Array.isArray(keys) ? keys : [keys]) {
            const key = raw.toString();
            const r = reading.get(key);
            if (held.has(key) || r) stats.invalidations += 1;
            drop(key);
            if (r) r.invalidated = true;
        }
    });

    // Arms tracking once both connections are up: the reader's invalidations go to the subscriber's current ID.
    let arming: Promise<void> | undefined;
    /** Why the last arming failed (a Redis reply such as NOPERM, or a dropped connection). */
    let armingError: unknown;
    const arm = (): Promise<void> => {
        // Armed stays armed until a disconnect: re-arming a live cache would open a window with no tracking.
        if (closed || armed) return Promise.resolve();
        if (arming) return arming;
        const at = epoch;
        const attempt = (async () => {
            try {
                if (reader.status !== "ready" || invalidations.status !== "ready") return;
                if (subscriberId === undefined) {
                    const id = String(await invalidations.client("ID"));
                    await invalidations.subscribe(INVALIDATE);
                    subscriberId = id;
                }
                const bcast = prefixes.length > 0 ? ["BCAST", ...prefixes.flatMap((p) => ["PREFIX", stored(p)])] : [];
                // A reader that stayed up may still track for a subscriber that is gone.
                await reader.call("CLIENT", "TRACKING", "OFF");
                await reader.call("CLIENT", "TRACKING", "ON", "REDIRECT", subscriberId, ...bcast);
                if (epoch === at) {
                    armed = true;
                    stats.trackingStarts += 1;
                }
            } catch (e) {
                armingError = e;
            }
        })();
        // Cleared after the assignment, even when the attempt ends before its first await. A
        // disconnect during the attempt started a new epoch whose 'ready' found this attempt still
        // running: arm again for it. (An attempt refused without a disconnect, e.g. NOPERM, is not retried.)
        arming = attempt.finally(() => {
            arming = undefined;
            if (!armed && epoch !== at) void arm();
        });
        return arming;
    };
    invalidations.on("close", () => {
        subscriberId = undefined;
    });
    for (const c of [reader, invalidations]) {
        c.on("close", () => {
            if (!closed) disarm();
        });
        c.on("ready", () => void arm());
    }
    await Promise.all([reader.connect(), invalidations.connect()]);
    await arm();
    if (!armed) {
        reader.disconnect();
        invalidations.disconnect();
        const why = armingError instanceof Error ? armingError.message : "a connection was not ready";
        throw new Error(`localCache: could not turn on CLIENT TRACKING (Redis 6 or later, and a user that may run it, are needed): ${why}`);
    }

    /** GET `key` (which ioredis prefixes), held and tracked as `name`, the key Redis stores. */
    const readThrough = (key: string, name: string): Promise<string | null> => {
        // Join a read in flight only while nothing has invalidated it: its answer may predate a
        // write this caller already knows of, and then the caller would get an older value.
        const inFlight = reading.get(name);
        if (inFlight && !inFlight.invalidated) return inFlight.promise;
        // Kept only if tracking was armed before the GET was sent and nothing was lost since.
        const at = armed ? epoch : -1;
        const state = { promise: reader.get(key), invalidated: false };
        reading.set(name, state);
        const done = () => {
            if (reading.get(name) === state) reading.delete(name);
        };
        return state.promise.then(
            (value) => {
                done();
                if (armed && epoch === at && !state.invalidated && cacheable(key)) keep(name, value);
                return value;
            },
            (e: unknown) => {
                done();
                throw e;
            },
        );
    };

    return {
        get(key: string) {
            if (closed) return Promise.reject(new Error("localCache: closed"));
            const name = stored(key);
            const entry = held.get(name);
            if (entry && armed && Date.now() - entry.at <= maxAgeMs) {
                stats.hits += 1;
                held.delete(name);
                held.set(name, entry);
                return Promise.resolve(entry.value);
            }
            if (entry) drop(name);
            stats.misses += 1;
            return readThrough(key, name);
        },
        get size() {
            return held.size;
        },
        stats,
        clear() {
            held.clear();
            bytes = 0;
        },
        async close() {
            closed = true;
            armed = false;
            held.clear();
            bytes = 0;
            await Promise.all([
                reader.quit().catch(() => reader.disconnect()),
                invalidations.quit().catch(() => invalidations.disconnect()),
            ]);
        },
    };
}

function positive(value: number, name: string): number {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`localCache: ${name} must be a number > 0`);
    return value;
}
