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

/** Values by key, least recently read first, within a count and a byte budget. */
class BoundedValues {
    private readonly held = new Map<string, Held>();
    private bytes = 0;

    constructor(
        private readonly maxEntries: number,
        private readonly maxBytes: number,
    ) {}

    get size(): number {
        return this.held.size;
    }

    has(key: string): boolean {
        return this.held.has(key);
    }

    /** The entry at `key`, made the most recently read. */
    touch(key: string): Held | undefined {
        const entry = this.held.get(key);
        if (entry) {
            this.held.delete(key);
            this.held.set(key, entry);
        }
        return entry;
    }

    drop(key: string): void {
        const entry = this.held.get(key);
        if (entry) {
            this.bytes -= entry.bytes;
            this.held.delete(key);
        }
    }

    keep(key: string, value: string | null): void {
        this.drop(key);
        const size = Buffer.byteLength(key) + (value === null ? 0 : Buffer.byteLength(value));
        if (size > this.maxBytes) return;
        this.held.set(key, { value, bytes: size, at: Date.now() });
        this.bytes += size;
        // Map order is insertion order; a hit re-inserts, so the first entries are the least recently read.
        for (const [oldest] of this.held) {
            if (this.held.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
            this.drop(oldest);
        }
    }

    clear(): void {
        this.held.clear();
        this.bytes = 0;
    }
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
    const prefixes = options.prefixes ?? [];
    if (prefixes.some((p) => p === "")) throw new RangeError("localCache: a prefix must not be empty (that would track every key)");
    const cache = new TrackedCache(redis, {
        maxEntries: positive(options.maxEntries ?? 10_000, "maxEntries"),
        maxBytes: positive(options.maxBytes ?? 64 * 1024 * 1024, "maxBytes"),
        maxAgeMs: positive(options.maxAgeMs ?? 60_000, "maxAgeMs"),
        prefixes,
    });
    await cache.start();
    return cache;
}

/** localCache's cache: two connections of its own, the values, and the state of tracking. */
class TrackedCache implements LocalCache {
    readonly stats: LocalCacheStats = { hits: 0, misses: 0, invalidations: 0, flushes: 0, trackingStarts: 0 };
    private readonly values: BoundedValues;
    private readonly reader: Redis;
    private readonly invalidations: Redis;
    /** ioredis's keyPrefix (its one key transform), which Redis stores and invalidates keys by. */
    private readonly keyPrefix: string;
    /** Bumped whenever the cache can no longer trust what it holds; a read keeps its value only if it is unchanged. */
    private epoch = 0;
    /** Whether tracking is armed for the current epoch. */
    private armed = false;
    /** The subscriber's client ID while it stays connected and subscribed (it can run nothing else then). */
    private subscriberId: string | undefined;
    /** Keys read right now, and whether an invalidation arrived for them meanwhile. */
    private readonly reading = new Map<string, { promise: Promise<string | null>; invalidated: boolean }>();
    private closed = false;
    private arming: Promise<void> | undefined;
    /** Why the last arming failed (a Redis reply such as NOPERM, or a dropped connection). */
    private armingError: unknown;

    constructor(
        redis: Redis,
        private readonly options: Required<LocalCacheOptions>,
    ) {
        this.values = new BoundedValues(options.maxEntries, options.maxBytes);
        // ioredis's keyPrefix is added to the GETs, and Redis invalidates the keys it stored,
        // prefix and all: values are held by that name, and BCAST prefixes take it too.
        this.keyPrefix = redis.options.keyPrefix ?? "";
        // Both connections are the cache's own: tracking belongs to a connection, and a subscribed
        // connection can run nothing else. Resubscribing is ours to do, after learning the new ID.
        this.reader = redis.duplicate({ connectionName: "hardened-redis:local-cache", lazyConnect: true });
        this.invalidations = redis.duplicate({
            connectionName: "hardened-redis:local-cache-invalidations",
            autoResubscribe: false,
            lazyConnect: true,
            // RESP2 on ioredis 6 too: Redis sends a RESP3 redirect target an `invalidate` push, which
            // ioredis 6 drops, and a RESP2 one a message on the channel (ioredis 5 has no such option).
            ...({ protocol: 2 } as unknown as Partial<RedisOptions>),
        });
    }

    /** Connects both connections and arms tracking; throws if tracking cannot be turned on. */
    async start(): Promise<void> {
        const { reader, invalidations } = this;
        // Connection errors surface through reconnects and the reads that fail; keep them off the process.
        for (const c of [reader, invalidations]) c.on("error", () => undefined);
        invalidations.on("messageBuffer", (channel: Buffer, keys: Buffer[] | Buffer | null) => {
            if (channel.toString() === INVALIDATE) this.invalidate(keys);
        });
        invalidations.on("close", () => {
            this.subscriberId = undefined;
        });
        for (const c of [reader, invalidations]) {
            c.on("close", () => {
                if (!this.closed) this.disarm();
            });
            c.on("ready", () => void this.arm());
        }
        await Promise.all([reader.connect(), invalidations.connect()]);
        await this.arm();
        if (!this.armed) {
            reader.disconnect();
            invalidations.disconnect();
            const why = this.armingError instanceof Error ? this.armingError.message : "a connection was not ready";
            throw new Error(
                `localCache: could not turn on CLIENT TRACKING (Redis 6 or later, and a user that may run it, are needed): ${why}`,
            );
        }
    }

    get size(): number {
        return this.values.size;
    }

    get(key: string): Promise<string | null> {
        if (this.closed) return Promise.reject(new Error("localCache: closed"));
        const name = this.keyPrefix + key;
        const entry = this.values.touch(name);
        if (entry && this.armed && Date.now() - entry.at <= this.options.maxAgeMs) {
            this.stats.hits += 1;
            return Promise.resolve(entry.value);
        }
        if (entry) this.values.drop(name);
        this.stats.misses += 1;
        return this.readThrough(key, name);
    }

    clear(): void {
        this.values.clear();
    }

    async close(): Promise<void> {
        this.closed = true;
        this.armed = false;
        this.values.clear();
        const { reader, invalidations } = this;
        await Promise.all([reader.quit().catch(() => reader.disconnect()), invalidations.quit().catch(() => invalidations.disconnect())]);
    }

    /** Drops what an invalidation names; a null key list means the database was flushed (FLUSHDB, FLUSHALL) and tracking goes on. */
    private invalidate(keys: Buffer[] | Buffer | null): void {
        if (keys === null || keys === undefined) return this.flush();
        for (const raw of Array.isArray(keys) ? keys : [keys]) {
            const key = raw.toString();
            const r = this.reading.get(key);
            if (this.values.has(key) || r) this.stats.invalidations += 1;
            this.values.drop(key);
            if (r) r.invalidated = true;
        }
    }

    /** Forgets every value, and every read in flight. */
    private flush(): void {
        this.values.clear();
        for (const r of this.reading.values()) r.invalidated = true;
        this.stats.flushes += 1;
    }

    /** A connection dropped: its invalidations are lost, so flush, and keep nothing until tracking is armed again. */
    private disarm(): void {
        this.epoch += 1;
        this.armed = false;
        this.flush();
    }

    /** Whether a key (as the caller names it) falls under the BCAST prefixes, if any. */
    private cacheable(key: string): boolean {
        const { prefixes } = this.options;
        return prefixes.length === 0 || prefixes.some((p) => key.startsWith(p));
    }

    /** Arms tracking once both connections are up: the reader's invalidations go to the subscriber's current ID. */
    private arm(): Promise<void> {
        // Armed stays armed until a disconnect: re-arming a live cache would open a window with no tracking.
        if (this.closed || this.armed) return Promise.resolve();
        if (this.arming) return this.arming;
        const at = this.epoch;
        // Cleared after the assignment, even when the attempt ends before its first await. A
        // disconnect during the attempt started a new epoch whose 'ready' found this attempt still
        // running: arm again for it. (An attempt refused without a disconnect, e.g. NOPERM, is not retried.)
        this.arming = this.armOnce(at).finally(() => {
            this.arming = undefined;
            if (!this.armed && this.epoch !== at) void this.arm();
        });
        return this.arming;
    }

    /** One attempt at turning tracking on for epoch `at`. */
    private async armOnce(at: number): Promise<void> {
        const { reader, invalidations } = this;
        try {
            if (reader.status !== "ready" || invalidations.status !== "ready") return;
            if (this.subscriberId === undefined) {
                const id = String(await invalidations.client("ID"));
                await invalidations.subscribe(INVALIDATE);
                this.subscriberId = id;
            }
            const { prefixes } = this.options;
            const bcast = prefixes.length > 0 ? ["BCAST", ...prefixes.flatMap((p) => ["PREFIX", this.keyPrefix + p])] : [];
            // A reader that stayed up may still track for a subscriber that is gone.
            await reader.call("CLIENT", "TRACKING", "OFF");
            await reader.call("CLIENT", "TRACKING", "ON", "REDIRECT", this.subscriberId, ...bcast);
            if (this.epoch === at) {
                this.armed = true;
                this.stats.trackingStarts += 1;
            }
        } catch (e) {
            this.armingError = e;
        }
    }

    /** GET `key` (which ioredis prefixes), held and tracked as `name`, the key Redis stores. */
    private readThrough(key: string, name: string): Promise<string | null> {
        // Join a read in flight only while nothing has invalidated it: its answer may predate a
        // write this caller already knows of, and then the caller would get an older value.
        const inFlight = this.reading.get(name);
        if (inFlight && !inFlight.invalidated) return inFlight.promise;
        // Kept only if tracking was armed before the GET was sent and nothing was lost since.
        const at = this.armed ? this.epoch : -1;
        const state = { promise: this.reader.get(key), invalidated: false };
        this.reading.set(name, state);
        const done = () => {
            if (this.reading.get(name) === state) this.reading.delete(name);
        };
        return state.promise.then(
            (value) => {
                done();
                if (this.armed && this.epoch === at && !state.invalidated && this.cacheable(key)) this.values.keep(name, value);
                return value;
            },
            (e: unknown) => {
                done();
                throw e;
            },
        );
    }
}

function positive(value: number, name: string): number {
    if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`localCache: ${name} must be a number > 0`);
    return value;
}
