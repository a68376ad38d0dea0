// The client suite's cases on the patterns the client offers: scripts by EVALSHA, locks,
// cache-aside, and sharded counters.
import { describe, expect, it } from "vitest";
import {
    acquireLock,
    cacheAside,
    defineScripts,
    incrSharded,
    LockLostError,
    LockTimeoutError,
    scanKeys,
    shardedKey,
    shardKeys,
    sumSharded,
    withLock,
} from "../../client";
import { withDb } from "../client/connectionStrings";
import type { ClientSuiteContext } from "./clientSuite";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** defineScripts: EVALSHA, and again after SCRIPT FLUSH. */
export function scriptCases(suite: ClientSuiteContext): void {
    const { open, info } = suite;
    describe("defineScripts", () => {
        it("runs by EVALSHA and survives SCRIPT FLUSH", async () => {
            const client = open();
            const { addAndGet } = defineScripts(client, {
                addAndGet: {
                    keys: 1,
                    lua: "redis.call('INCRBY', KEYS[1], ARGV[1]) redis.call('EXPIRE', KEYS[1], 60) return redis.call('GET', KEYS[1])",
                },
            });
            const evalsha = async () => Number(/calls=(\d+)/.exec((await info("commandstats")).get("cmdstat_evalsha") ?? "calls=0")?.[1]);
            expect(await addAndGet(["script:n"], [2])).toBe("2");
            const before = await evalsha();
            expect(await addAndGet(["script:n"], [3])).toBe("5");
            expect(await evalsha()).toBe(before + 1);
            await suite.observer.script("FLUSH");
            expect(await addAndGet(["script:n"], [4])).toBe("9");
            const afterFlush = await evalsha();
            expect(await addAndGet(["script:n"], [1])).toBe("10");
            expect(await evalsha()).toBe(afterFlush + 1);
            await expect(addAndGet(["a", "b"])).rejects.toThrow(/takes 1 key/);
            // Another caller's script of the same name is a different script.
            const other = defineScripts(client, { addAndGet: { keys: 0, lua: "return 'mine'" } });
            expect(await other.addAndGet([])).toBe("mine");
            expect(await addAndGet(["script:n"], [1])).toBe("11");
        });
    });
}

/** withLock and acquireLock: exclusion, expiry, fencing, and giving up. */
export function lockCases(suite: ClientSuiteContext): void {
    describe("locks", () => {
        lockExclusionCases(suite);
        lockAbortCases(suite);
    });
}

/** One holder at a time, until the TTL, with fencing tokens that only grow. */
function lockExclusionCases({ open }: ClientSuiteContext): void {
    it("lets 50 contenders on separate connections through one at a time, 5,000 times", async () => {
        const contenders = Array.from({ length: 50 }, () => open({ shared: false }));
        let completed = 0;
        let highest = 0;
        try {
            await Promise.all(
                contenders.map(async (client) => {
                    for (let i = 0; i < 100; i++) {
                        await withLock(
                            client,
                            "lock:contended",
                            async () => {
                                highest = Math.max(highest, await client.incr("lock:guard"));
                                await sleep(1);
                                await client.decr("lock:guard");
                                completed += 1;
                            },
                            { ttlMs: 2_000, waitMs: 120_000, retryDelayMs: 2 },
                        );
                    }
                }),
            );
        } finally {
            contenders.forEach((c) => c.disconnect());
        }
        expect(completed).toBe(5_000);
        expect(highest).toBe(1);
    }, 180_000);

    it("expires at its TTL; the old holder then can neither release nor extend the new owner's lock", async () => {
        const client = open();
        const first = await acquireLock(client, "lock:ttl", { ttlMs: 200 });
        await expect(acquireLock(client, "lock:ttl", { ttlMs: 5_000 })).rejects.toThrow(LockTimeoutError);
        await sleep(300);
        const second = await acquireLock(client, "lock:ttl", { ttlMs: 5_000 });
        expect(await first.release()).toBe(false);
        expect(await first.extend(10_000)).toBe(false);
        expect(await client.get("lock:ttl")).toBe(second.token);
        expect(await client.pttl("lock:ttl")).toBeLessThanOrEqual(5_000);
        expect(await second.release()).toBe(true);
        expect(await client.exists("lock:ttl")).toBe(0);
    });

    it("hands out strictly increasing fencing tokens over 1,000 grants", async () => {
        const client = open();
        const fences: number[] = [];
        for (let i = 0; i < 1_000; i++) {
            const lock = await acquireLock(client, "lock:fenced", { ttlMs: 1_000 });
            fences.push(lock.fence);
            await lock.release();
        }
        expect(fences.every((f, i) => i === 0 || f > fences[i - 1])).toBe(true);
        expect(fences.every(Number.isSafeInteger)).toBe(true);
    });
}

/** A lost lock aborts its holder; an aborted acquire leaves nothing behind. */
function lockAbortCases(suite: ClientSuiteContext): void {
    const { open } = suite;

    it("aborts the holder's signal when its lock is lost", async () => {
        const client = open();
        const reason = await withLock(
            client,
            "lock:lost",
            async ({ signal }) => {
                await suite.observer.del("lock:lost"); // as if it had expired during a pause
                for (let waited = 0; !signal.aborted && waited < 3_000; waited += 20) await sleep(20);
                return signal.reason as unknown;
            },
            { ttlMs: 300 },
        );
        expect(reason).toBeInstanceOf(LockLostError);
    });

    it("releases a lock granted to an acquire that was aborted while in flight", async () => {
        const client = open();
        const abort = new AbortController();
        const acquiring = acquireLock(client, "lock:abort-in-flight", { ttlMs: 5_000, signal: abort.signal });
        abort.abort(new Error("caller gave up"));
        await expect(acquiring).rejects.toThrow("caller gave up");
        expect(await client.exists("lock:abort-in-flight")).toBe(0);
    });

    it("leaves no key behind when an acquire is aborted while waiting", async () => {
        const client = open();
        const holder = await acquireLock(client, "lock:abort", { ttlMs: 5_000 });
        const abort = new AbortController();
        const waiting = acquireLock(client, "lock:abort", { ttlMs: 5_000, waitMs: 5_000, signal: abort.signal });
        setTimeout(() => abort.abort(new Error("caller gave up")), 50);
        await expect(waiting).rejects.toThrow("caller gave up");
        await holder.release();
        await sleep(100);
        expect(await client.exists("lock:abort")).toBe(0);
    });
}

/** cacheAside: single flights, what it stores, early recomputation, and what it leaves behind. */
export function cacheAsideCases(suite: ClientSuiteContext): void {
    describe("cacheAside", () => {
        cacheAsideLoadCases(suite);
        cacheAsideRefreshCases(suite);
        cacheAsideLayoutCases(suite);
    });
}

/** One load for many misses, its error for every waiter, and what an entry may be stored as. */
function cacheAsideLoadCases({ open }: ClientSuiteContext): void {
    it("runs the loader once for 200 concurrent misses and gives every caller its value", async () => {
        const client = open();
        let loads = 0;
        const loader = async () => {
            loads += 1;
            await sleep(100);
            return { user: 42, at: Date.now() };
        };
        const values = await Promise.all(
            Array.from({ length: 200 }, () => cacheAside(client, "cache:user:42", loader, { ttlSeconds: 60 })),
        );
        expect(loads).toBe(1);
        expect(new Set(values.map((v) => JSON.stringify(v))).size).toBe(1);
        expect(await cacheAside(client, "cache:user:42", loader, { ttlSeconds: 60 })).toEqual(values[0]);
        expect(loads).toBe(1);
    });

    it("hands a loader error to every waiter, releases the lock at once, and loads again next time", async () => {
        const client = open();
        let loads = 0;
        const failing = async (): Promise<string> => {
            loads += 1;
            await sleep(50);
            throw new Error("backend down");
        };
        const outcomes = await Promise.allSettled(
            Array.from({ length: 200 }, () => cacheAside(client, "cache:flaky", failing, { ttlSeconds: 60 })),
        );
        expect(loads).toBe(1);
        expect(outcomes.every((o) => o.status === "rejected" && (o.reason as Error).message === "backend down")).toBe(true);
        expect(await client.exists("cache:flaky:lock")).toBe(0);
        expect(await cacheAside(client, "cache:flaky", () => Promise.resolve("recovered"), { ttlSeconds: 60 })).toBe("recovered");
    });

    it("refuses a cache entry without a TTL", async () => {
        const client = open();
        for (const ttlSeconds of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
            await expect(cacheAside(client, "cache:forever", () => Promise.resolve(1), { ttlSeconds })).rejects.toThrow(
                /ttlSeconds must be a number > 0/,
            );
        }
    });

    it("stores values with jittered TTLs, none longer than asked", async () => {
        const client = open();
        const keys = Array.from({ length: 20 }, (_, i) => `cache:jitter:${i}`);
        await Promise.all(keys.map((k) => cacheAside(client, k, () => Promise.resolve("v"), { ttlSeconds: 100, ttlJitter: 0.5 })));
        const ttls = await Promise.all(keys.map((k) => client.pttl(k)));
        expect(Math.min(...ttls)).toBeGreaterThan(49_000);
        expect(Math.max(...ttls)).toBeLessThanOrEqual(100_000);
        // Twenty draws from a 50 s window: far more than one second apart at the extremes.
        expect(Math.max(...ttls) - Math.min(...ttls)).toBeGreaterThan(1_000);
    });

    it("refuses a value that serializes to nothing instead of caching it", async () => {
        const client = open();
        await expect(cacheAside(client, "cache:undefined", () => Promise.resolve(undefined), { ttlSeconds: 60 })).rejects.toThrow(
            /serializes to nothing/,
        );
        expect(await client.exists("cache:undefined")).toBe(0);
    });
}

/** Recomputing early, and loaders of different clients racing for one key. */
function cacheAsideRefreshCases(suite: ClientSuiteContext): void {
    const { open } = suite;

    it("recomputes early (XFetch) in the background, keeping the cached value meanwhile", async () => {
        const client = open();
        let loads = 0;
        const loader = async () => {
            loads += 1;
            await sleep(20);
            return loads;
        };
        expect(await cacheAside(client, "cache:xfetch", loader, { ttlSeconds: 60 })).toBe(1);
        // A 20 ms load with a minute left: at beta 1, p = e^-3000 of recomputing.
        expect(await cacheAside(client, "cache:xfetch", loader, { ttlSeconds: 60 })).toBe(1);
        await sleep(50);
        expect(loads).toBe(1);
        // At beta 1e9 the same hit recomputes all but surely (p = 1 - e^-333).
        expect(await cacheAside(client, "cache:xfetch", loader, { ttlSeconds: 60, beta: 1e9 })).toBe(1);
        for (let waited = 0; !(await client.get("cache:xfetch"))?.endsWith(":2") && waited < 5_000; waited += 20) await sleep(20);
        expect(loads).toBe(2);
        expect(await cacheAside(client, "cache:xfetch", loader, { ttlSeconds: 60, beta: 0 })).toBe(2);
        expect(await client.pttl("cache:xfetch")).toBeGreaterThan(50_000);
    });

    it("shares single flights per client, not across clients (here: two databases)", async () => {
        const a = open();
        const b = open({ shared: false }, withDb(suite.server.connectionString, 3));
        try {
            const [fromA, fromB] = await Promise.all([
                cacheAside(a, "cache:per-client", () => sleep(50).then(() => "a"), { ttlSeconds: 60 }),
                cacheAside(b, "cache:per-client", () => sleep(50).then(() => "b"), { ttlSeconds: 60 }),
            ]);
            expect([fromA, fromB]).toEqual(["a", "b"]);
            expect(await b.get("cache:per-client")).toMatch(/^\d+:\d+:"b"$/);
        } finally {
            b.disconnect();
        }
    });

    it("never lets a loader whose lock lapsed overwrite the value a later loader wrote", async () => {
        const a = open();
        const b = open({ shared: false });
        try {
            // A's load lock lives 200 ms and its load takes 800 ms: A extends it while it loads.
            const slow = cacheAside(a, "cache:lapsed", () => sleep(800).then(() => "stale"), {
                ttlSeconds: 60,
                lockTtlMs: 200,
            });
            await sleep(400);
            expect(await b.exists("cache:lapsed:lock")).toBe(1);
            // Then it lapses anyway, as when A's process stalls past the TTL (a GC pause, a frozen VM).
            await b.del("cache:lapsed:lock");
            // B misses too, takes the lock A lost, and writes the newer value first.
            const fresh = cacheAside(b, "cache:lapsed", () => Promise.resolve("fresh"), { ttlSeconds: 60, lockTtlMs: 5_000 });
            expect(await fresh).toBe("fresh");
            // A's caller still gets what A loaded, but A's write is refused: it no longer owns the lock.
            expect(await slow).toBe("stale");
            expect(await b.get("cache:lapsed")).toMatch(/^\d+:\d+:"fresh"$/);
            expect(await cacheAside(a, "cache:lapsed", () => Promise.resolve("unused"), { ttlSeconds: 60 })).toBe("fresh");
        } finally {
            b.disconnect();
        }
    });
}

/** What cacheAside leaves in Redis: one plain string per entry, each with a TTL. */
function cacheAsideLayoutCases({ open }: ClientSuiteContext): void {
    it("hits with one plain GET, and takes an entry of the earlier hash layout for a miss it overwrites", async () => {
        const client = open();
        await cacheAside(client, "cache:layout", () => Promise.resolve({ n: 1 }), { ttlSeconds: 60 });
        const stored = await client.get("cache:layout");
        const [expiresAt, delta, ...value] = stored!.split(":");
        expect(Number(expiresAt) - Date.now()).toBeGreaterThan(50_000);
        expect(Number(delta)).toBeGreaterThanOrEqual(0);
        expect(value.join(":")).toBe('{"n":1}');
        await client.del("cache:hash");
        await client.hset("cache:hash", "v", '"old"', "d", "5");
        await client.expire("cache:hash", 60);
        expect(await cacheAside(client, "cache:hash", () => Promise.resolve("new"), { ttlSeconds: 60 })).toBe("new");
        expect(await client.type("cache:hash")).toBe("string");
    });

    it("leaves no key under its prefix without a TTL", async () => {
        const client = open();
        const keys: string[] = [];
        for await (const key of scanKeys(client, "cache:*")) keys.push(key);
        expect(keys.length).toBeGreaterThan(0);
        const ttls = await Promise.all(keys.map((k) => client.pttl(k)));
        expect(keys.filter((_, i) => ttls[i] === -1)).toEqual([]);
    });
}

/** Sharded counters: shard names, and a counter spread over them. */
export function shardedKeyCases({ open }: ClientSuiteContext): void {
    describe("sharded keys", () => {
        it("names shards and spreads a counter over them", async () => {
            expect(shardedKey("hot", 4, 2)).toBe("hot:shard:2");
            expect(shardKeys("hot", 3)).toEqual(["hot:shard:0", "hot:shard:1", "hot:shard:2"]);
            expect(() => shardedKey("hot", 4, 4)).toThrow(RangeError);
            expect(() => shardedKey("hot", 0)).toThrow(RangeError);
            const client = open();
            await Promise.all(Array.from({ length: 400 }, () => incrSharded(client, "hot:views", 8, 1, 60)));
            expect(await sumSharded(client, "hot:views", 8)).toBe(400);
            const used = (await client.mget(shardKeys("hot:views", 8))).filter((v) => v !== null);
            expect(used.length).toBeGreaterThan(1);
            expect(await client.ttl("hot:views:shard:0")).toBeGreaterThan(0);
        });
    });
}
