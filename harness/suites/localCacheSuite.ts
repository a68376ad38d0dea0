import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedClients, connect, localCache, type LocalCache } from "../../client";
import type { RedisUnderTest } from "../local/localRedis";
import { connectOptionsFor } from "../client/serverTls";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` holds (at most `ms`); the cache's events arrive on sockets of their own. */
export async function until(what: string, done: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
    for (const deadline = Date.now() + ms; !(await done()); await sleep(10)) {
        if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    }
}

/** `redis-cli` in a process of its own, as the string's user; the password goes in on stdin, never in argv. */
function redisCli(server: RedisUnderTest, ...command: string[]): string {
    const url = new URL(server.connectionString);
    const dir = mkdtempSync(join(tmpdir(), "local-cache-cli-"));
    try {
        const tls: string[] = [];
        if (server.tls) {
            writeFileSync(join(dir, "ca.crt"), server.tls.caCertificate);
            tls.push("--tls", "--cacert", join(dir, "ca.crt"), "--sni", server.tls.servername ?? url.hostname);
        }
        const args = [
            "-h",
            url.hostname,
            "-p",
            url.port,
            ...tls,
            "--user",
            decodeURIComponent(url.username),
            "--askpass",
            "--no-auth-warning",
        ];
        const cli = spawnSync("redis-cli", [...args, ...command], { input: `${decodeURIComponent(url.password)}\n`, encoding: "utf8" });
        if (cli.status !== 0) throw new Error(`redis-cli exited with ${cli.status}: ${cli.stderr}`);
        return cli.stdout.trim();
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * localCache against a Redis the project runs (a local redis-server from the rendered config, or
 * the realised DockerRedis), as the least-privilege app user: CLIENT TRACKING keeps the process's
 * copies correct when other clients and processes write, and across killed connections.
 */
export function localCacheSuite(target: string, start: () => Promise<RedisUnderTest>): void {
    describe(`localCache against ${target}`, () => {
        let server: RedisUnderTest;
        let app: Redis;
        /** Another client of the same app user: the writer the cache must hear about. */
        let other: Redis;
        let admin: Redis;
        const caches: LocalCache[] = [];
        const open = async (options?: Parameters<typeof localCache>[1]) => {
            const cache = await localCache(app, options);
            caches.push(cache);
            return cache;
        };
        /** Kills every connection named `name` (each open cache has one) as an operator would, by ID. */
        const kill = async (name: string) => {
            const list = String(await admin.call("CLIENT", "LIST"));
            const ids = [...list.matchAll(new RegExp(`^id=(\\d+) .* name=${name} `, "gm"))].map((m) => m[1]);
            if (ids.length === 0) throw new Error(`no connection named ${name}`);
            for (const id of ids) await admin.call("CLIENT", "KILL", "ID", id);
        };

        beforeAll(async () => {
            server = await start();
            const options = { ...connectOptionsFor(server), shared: false };
            app = connect(server.connectionString, options);
            other = connect(server.connectionString, options);
            admin = connect(server.adminConnectionString, options);
        }, 300_000);
        afterAll(async () => {
            for (const c of caches) await c.close();
            for (const c of [app, other, admin]) c?.disconnect();
            await closeSharedClients();
            await server?.stop();
        }, 120_000);

        it("serves a hot key from the process after the first read, as the app user", async () => {
            expect(await app.call("ACL", "WHOAMI")).toBe("app");
            const cache = await open();
            await other.set("hot:a", "1");
            expect(await cache.get("hot:a")).toBe("1");
            for (let i = 0; i < 100; i++) expect(await cache.get("hot:a")).toBe("1");
            expect(cache.stats).toMatchObject({ hits: 100, misses: 1 });
            expect(await cache.get("hot:missing")).toBeNull();
            expect(cache.size).toBe(2);
        });

        it("returns another client's write once Redis's invalidation arrives, never the old value after it", async () => {
            const cache = await open();
            await other.set("hot:b", "old");
            expect(await cache.get("hot:b")).toBe("old");
            const before = cache.stats.invalidations;
            await other.set("hot:b", "new");
            await until("the invalidation", () => cache.stats.invalidations > before);
            expect(await cache.get("hot:b")).toBe("new");
            expect(await cache.get("hot:b")).toBe("new");
        });

        it("hears about a write from another process (redis-cli)", async () => {
            const cache = await open();
            await other.set("hot:c", "old");
            expect(await cache.get("hot:c")).toBe("old");
            const before = cache.stats.invalidations;
            expect(redisCli(server, "SET", "hot:c", "from-cli")).toBe("OK");
            await until("the invalidation", () => cache.stats.invalidations > before);
            expect(await cache.get("hot:c")).toBe("from-cli");
        });

        it("does not hand a read that an invalidation overtook to a caller who came after the invalidation", async () => {
            // A read stays in flight while a big reply ahead of it on the cache's connection is still
            // arriving; the write and its invalidation overtake it on other sockets. A get() after the
            // invalidation must not join that read: its answer is older than the write.
            const cache = await open();
            await other.set("inflight:big", "x".repeat(16 * 1024 * 1024));
            let exercised = 0;
            for (let attempt = 0; attempt < 5 && exercised < 2; attempt++) {
                await other.set("inflight:k", `old${attempt}`);
                let bigDone = false;
                const big = cache.get("inflight:big").then(() => (bigDone = true));
                const first = cache.get("inflight:k");
                const before = cache.stats.invalidations;
                await other.set("inflight:k", `new${attempt}`);
                while (cache.stats.invalidations === before && !bigDone) await new Promise((r) => setImmediate(r));
                const overtaken = !bigDone && cache.stats.invalidations > before;
                const second = cache.get("inflight:k");
                // Counts only when the first read was answered before the write and was still in flight.
                if (overtaken && (await first) === `old${attempt}`) {
                    exercised += 1;
                    expect(await second).toBe(`new${attempt}`);
                }
                await Promise.all([big, first, second]);
                cache.clear();
            }
            expect(exercised, "the big reply never outlasted the invalidation: nothing was tested").toBeGreaterThan(0);
            await other.del("inflight:big");
        }, 30_000);

        for (const connection of ["hardened-redis:local-cache-invalidations", "hardened-redis:local-cache"]) {
            it(`serves no stale value when ${connection.endsWith("invalidations") ? "the invalidation" : "the reading"} connection is killed while another client writes`, async () => {
                const cache = await open();
                await other.set("hot:d", "old");
                expect(await cache.get("hot:d")).toBe("old");
                const { flushes, trackingStarts } = cache.stats;
                await kill(connection);
                // Written while the cache is cut off: this invalidation is lost for good.
                await other.set("hot:d", "new");
                // No read meanwhile (one could drop the old copy by luck): only the reconnection may.
                await until(
                    "the cache to notice and re-arm",
                    () => cache.stats.flushes > flushes && cache.stats.trackingStarts > trackingStarts,
                );
                expect(await cache.get("hot:d")).toBe("new");
                // And it tracks again after re-arming: the next write is heard.
                const before = cache.stats.invalidations;
                await until("the key to be held again", async () => (await cache.get("hot:d"), cache.size > 0));
                await other.set("hot:d", "newer");
                await until("the invalidation after re-arming", () => cache.stats.invalidations > before);
                expect(await cache.get("hot:d")).toBe("newer");
            });
        }

        it("holds at most maxEntries: 100,000 distinct keys through a cache of 1,000", async () => {
            const cache = await open({ maxEntries: 1_000 });
            for (let start = 0; start < 100_000; start += 1_000) {
                await Promise.all(Array.from({ length: 1_000 }, (_, i) => cache.get(`bound:${start + i}`)));
                expect(cache.size).toBeLessThanOrEqual(1_000);
            }
            expect(cache.size).toBe(1_000);
            // The most recently read are the ones kept.
            const hits = cache.stats.hits;
            await cache.get("bound:99999");
            expect(cache.stats.hits).toBe(hits + 1);
        }, 60_000);

        it("holds at most maxBytes", async () => {
            const cache = await open({ maxBytes: 10_000 });
            await Promise.all(Array.from({ length: 50 }, (_, i) => other.set(`bytes:${i}`, "x".repeat(1_000))));
            for (let i = 0; i < 50; i++) await cache.get(`bytes:${i}`);
            expect(cache.size).toBeLessThanOrEqual(9);
            expect(cache.size).toBeGreaterThan(0);
        });

        it("in broadcasting mode keeps only keys under its prefixes, and hears about writes to them", async () => {
            const cache = await open({ prefixes: ["session:"] });
            await other.set("session:1", "a");
            await other.set("elsewhere:1", "b");
            expect(await cache.get("session:1")).toBe("a");
            expect(await cache.get("elsewhere:1")).toBe("b");
            expect(cache.size).toBe(1);
            const before = cache.stats.invalidations;
            await other.set("session:1", "c");
            await until("the broadcast invalidation", () => cache.stats.invalidations > before);
            expect(await cache.get("session:1")).toBe("c");
        });

        it("with ioredis's keyPrefix, holds keys by the name Redis stores and hears writes to them, whole-key and broadcast", async () => {
            const prefixed = app.duplicate({ keyPrefix: "tenant:" });
            prefixed.on("error", () => undefined);
            try {
                for (const cache of [await localCache(prefixed), await localCache(prefixed, { prefixes: ["hot:"] })]) {
                    caches.push(cache);
                    await other.set("tenant:hot:p", "old");
                    await other.set("hot:p", "unprefixed");
                    expect(await cache.get("hot:p")).toBe("old");
                    expect(await cache.get("hot:p")).toBe("old");
                    const before = cache.stats.invalidations;
                    await other.set("tenant:hot:p", "new");
                    await until("the invalidation of the prefixed key", () => cache.stats.invalidations > before);
                    expect(await cache.get("hot:p")).toBe("new");
                }
            } finally {
                prefixed.disconnect();
            }
        });

        it("reads a key once for many concurrent misses", async () => {
            const cache = await open();
            await other.set("hot:f", "v");
            const calls = async () =>
                Number(
                    /calls=(\d+)/.exec(
                        String(await admin.info("commandstats"))
                            .split("\n")
                            .find((l) => l.startsWith("cmdstat_get:")) ?? "",
                    )?.[1] ?? 0,
                );
            const before = await calls();
            const values = await Promise.all(Array.from({ length: 100 }, () => cache.get("hot:f")));
            expect(new Set(values)).toEqual(new Set(["v"]));
            expect((await calls()) - before).toBe(1);
        });

        it("refuses nonsense options", async () => {
            await expect(localCache(app, { maxEntries: 0 })).rejects.toThrow(/maxEntries/);
            await expect(localCache(app, { prefixes: [""] })).rejects.toThrow(/prefix/);
        });
    });
}
