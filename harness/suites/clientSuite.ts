import type { TLSSocket } from "node:tls";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    acquireLock,
    cacheAside,
    closeSharedClients,
    connect,
    dedicatedConnection,
    defineScripts,
    incrSharded,
    LockLostError,
    LockTimeoutError,
    pipelineBatches,
    pipelineInBatches,
    recommendedPoolSize,
    scanKeys,
    shardedKey,
    shardKeys,
    sumSharded,
    withLock,
    type Command,
    type ConnectOptions,
} from "../../client";
import type { RedisUnderTest } from "../local/localRedis";
import { expectedResp, ioredisMajor } from "../client/ioredisMajor";
import { withDb, withPassword } from "../client/connectionStrings";
import { connectOptionsFor } from "../client/serverTls";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The client integration suite, run unchanged against every Redis the project deploys:
 * a local redis-server from the rendered config, the Docker-realised DockerRedis and the
 * Docker-realised KubernetesRedis pod, with TLS or without. Each case can fail.
 */
export function clientSuite(target: string, start: () => Promise<RedisUnderTest>): void {
    describe(`client helpers against ${target}`, () => {
        let server: RedisUnderTest;
        /** An admin connection for observing the server (CLIENT LIST is not the app user's), never counted as the client under test. */
        let observer: Redis;
        /** connect() to the server under test (or `url`, a variant of its string), told what its TLS needs (nothing for a plaintext server). */
        const open = (options: ConnectOptions = {}, url = server.connectionString) =>
            connect(url, { ...connectOptionsFor(server), ...options });

        beforeAll(async () => {
            server = await start();
            // Through connect(), so it reads every connection string the suite runs against (a Sentinel one too).
            observer = connect(server.adminConnectionString, {
                ...connectOptionsFor(server),
                shared: false,
                connectionName: "observer",
                maxRetriesPerRequest: 0,
            });
        }, 300_000);

        afterAll(async () => {
            await closeSharedClients();
            observer?.disconnect();
            await server?.stop();
        }, 120_000);

        async function info(section: string): Promise<Map<string, string>> {
            const text = await observer.info(section);
            return new Map(
                text
                    .split("\r\n")
                    .filter((l) => l.includes(":"))
                    .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
            );
        }

        describe("connect", () => {
            it("reuses one server connection for 10,000 commands", async () => {
                await closeSharedClients();
                const client = open({ connectionName: "reuse-test" });
                expect(() => open({ connectionName: "other" })).toThrow(/created with other options \(connectionName\)/);
                expect(open()).toBe(client);
                await client.ping();
                const before = Number((await info("stats")).get("total_connections_received"));
                await Promise.all(Array.from({ length: 10_000 }, (_, i) => client.set(`reuse:${i % 100}`, i, "EX", 60)));
                const after = Number((await info("stats")).get("total_connections_received"));
                expect(after - before).toBe(0);
                const list = (await observer.client("LIST")) as string;
                expect(list.split("\n").filter((line) => line.includes(" name=reuse-test ")).length).toBe(1);
            });

            it("opens a connection of its own for blocking work, with no command timeout to cut a wait short", async () => {
                const dedicated = dedicatedConnection(open());
                try {
                    expect(dedicated).not.toBe(open());
                    // Longer than the shared client's 5 s command timeout.
                    const popped = dedicated.blpop("block:queue", 0);
                    await sleep(5_500);
                    await open().rpush("block:queue", "job");
                    expect(await popped).toEqual(["block:queue", "job"]);
                    await open().expire("block:queue", 60);
                } finally {
                    dedicated.disconnect();
                }
            }, 30_000);

            it(`negotiates the protocol ioredis ${ioredisMajor()} defaults to (RESP${expectedResp()}), so every case below runs on it`, async () => {
                const info = await open().client("INFO");
                expect(/ resp=(\d)/.exec(info)?.[1]).toBe(String(expectedResp()));
            });

            it("connects with TLS exactly when the string says rediss://, verifying the server's certificate", async () => {
                const client = open();
                await client.ping();
                const socket = client.stream as TLSSocket;
                expect(Boolean(socket.encrypted)).toBe(server.connectionString.startsWith("rediss://"));
                if (socket.encrypted) expect(socket.authorized).toBe(true);
            });

            it("fails clearly on a wrong password, without echoing it", async () => {
                const wrong = withPassword(server.connectionString, "wrong-password-0123456789");
                const client = open({ shared: false, maxRetriesPerRequest: 0, retryStrategy: () => null }, wrong);
                client.on("error", () => {});
                try {
                    const error = await client.ping().then(
                        () => undefined,
                        (e: Error) => e,
                    );
                    expect(error?.message).toMatch(/WRONGPASS|NOAUTH/);
                    expect(error?.message).not.toContain("wrong-password-0123456789");
                } finally {
                    client.disconnect();
                }
            });

            it("sees CONFIG as unknown: it was renamed", async () => {
                await expect(open().call("CONFIG", "GET", "maxmemory")).rejects.toThrow(/unknown command/);
            });

            it("sizes pools for clients that cannot multiplex", () => {
                expect(recommendedPoolSize(100, 20)).toBe(3);
                expect(recommendedPoolSize(1000, 50)).toBe(75);
                expect(recommendedPoolSize(0, 10)).toBe(1);
                expect(() => recommendedPoolSize(-1, 10)).toThrow(RangeError);
                expect(() => recommendedPoolSize(Number.NaN, 10)).toThrow(RangeError);
            });
        });

        describe("pipelineInBatches", () => {
            it("lands 10,000 SETs in batches and returns results in order", async () => {
                const client = open();
                const sets: Command[] = Array.from({ length: 10_000 }, (_, i) => ["set", `bulk:${i}`, `value-${i}`, "EX", 300]);
                const results = await pipelineInBatches(client, sets, 500);
                expect(results).toHaveLength(10_000);
                expect(results.every(([error, reply]) => error === null && reply === "OK")).toBe(true);
                const gets = await pipelineInBatches(
                    client,
                    Array.from({ length: 10_000 }, (_, i): Command => ["get", `bulk:${i}`]),
                    777,
                );
                expect(gets.map(([, v]) => v)).toEqual(Array.from({ length: 10_000 }, (_, i) => `value-${i}`));
            });

            it("streams with pipelineBatches: a batch's results come before the next batch is read from the commands", async () => {
                const client = open();
                let produced = 0;
                function* commands(): Generator<Command> {
                    for (let i = 0; i < 2_500; i++) {
                        produced += 1;
                        yield ["set", `stream:${i}`, String(i), "EX", 60];
                    }
                }
                const seen: Array<{ results: number; producedSoFar: number }> = [];
                for await (const results of pipelineBatches(client, commands(), 1_000))
                    seen.push({ results: results.length, producedSoFar: produced });
                // Never more than one batch ahead: 1,000 read for the first 1,000 results, and so on.
                expect(seen).toEqual([
                    { results: 1_000, producedSoFar: 1_000 },
                    { results: 1_000, producedSoFar: 2_000 },
                    { results: 500, producedSoFar: 2_500 },
                ]);
                expect(await client.get("stream:2499")).toBe("2499");
            });

            it("reports a failed command in place without stopping the rest", async () => {
                const client = open();
                const results = await pipelineInBatches(client, [["set", "mixed:a", "1", "EX", 60], ["flushall"], ["get", "mixed:a"]], 2);
                expect(results[0]).toEqual([null, "OK"]);
                expect(results[1][0]?.message).toMatch(/unknown command/);
                expect(results[2]).toEqual([null, "1"]);
                await expect(pipelineInBatches(client, [], 0)).rejects.toThrow(RangeError);
            });
        });

        describe("defineScripts", () => {
            it("runs by EVALSHA and survives SCRIPT FLUSH", async () => {
                const client = open();
                const { addAndGet } = defineScripts(client, {
                    addAndGet: {
                        keys: 1,
                        lua: "redis.call('INCRBY', KEYS[1], ARGV[1]) redis.call('EXPIRE', KEYS[1], 60) return redis.call('GET', KEYS[1])",
                    },
                });
                const evalsha = async () =>
                    Number(/calls=(\d+)/.exec((await info("commandstats")).get("cmdstat_evalsha") ?? "calls=0")?.[1]);
                expect(await addAndGet(["script:n"], [2])).toBe("2");
                const before = await evalsha();
                expect(await addAndGet(["script:n"], [3])).toBe("5");
                expect(await evalsha()).toBe(before + 1);
                await observer.script("FLUSH");
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

        describe("locks", () => {
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

            it("aborts the holder's signal when its lock is lost", async () => {
                const client = open();
                const reason = await withLock(
                    client,
                    "lock:lost",
                    async ({ signal }) => {
                        await observer.del("lock:lost"); // as if it had expired during a pause
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
        });

        describe("cacheAside", () => {
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
                const b = open({ shared: false }, withDb(server.connectionString, 3));
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
                    // A's load lock lives 200 ms and its load takes 800 ms: the lock lapses mid-load.
                    const slow = cacheAside(a, "cache:lapsed", () => sleep(800).then(() => "stale"), {
                        ttlSeconds: 60,
                        lockTtlMs: 200,
                    });
                    await sleep(400);
                    expect(await b.exists("cache:lapsed:lock")).toBe(0);
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
        });

        describe("scanKeys", () => {
            it("yields each of 10,000 keys exactly once, where KEYS is disabled", async () => {
                const client = open();
                await pipelineInBatches(
                    client,
                    Array.from({ length: 10_000 }, (_, i): Command => ["set", `scan:${i}`, "1", "EX", 300]),
                );
                const seen: string[] = [];
                for await (const key of scanKeys(client, "scan:*", { count: 500 })) seen.push(key);
                expect(seen).toHaveLength(10_000);
                expect(new Set(seen).size).toBe(10_000);
                await expect(client.call("KEYS", "scan:*")).rejects.toThrow(/unknown command/);
            });

            it("filters by type", async () => {
                const client = open();
                await client.hset("typed:h", "f", "v");
                await client.expire("typed:h", 60);
                await client.set("typed:s", "v", "EX", 60);
                const hashes: string[] = [];
                for await (const key of scanKeys(client, "typed:*", { type: "hash" })) hashes.push(key);
                expect(hashes).toEqual(["typed:h"]);
            });
        });

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
    });
}
