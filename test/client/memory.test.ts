import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedClients, connect, memoryReport, parseInfo, pipelineInBatches, purgeMemory, type Command } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

// memoryReport and purgeMemory against a real redis-server started from our rendered config
// (maxmemory 192mb, allkeys-lfu, jemalloc), as the least-privilege app user.
describe("memoryReport and purgeMemory", () => {
    let server: LocalRedis;
    let app: Redis;
    let admin: Redis;
    /** How often the server has run MEMORY PURGE, from its own command statistics. */
    const purges = async () =>
        Number(/calls=(\d+)/.exec(parseInfo(await admin.info("commandstats")).get("cmdstat_memory|purge") ?? "")?.[1] ?? 0);

    beforeAll(async () => {
        server = await startLocalRedis();
        app = connect(server.connectionString, { shared: false });
        admin = connect(server.adminConnectionString, { shared: false });
    });
    afterAll(async () => {
        app?.disconnect();
        admin?.disconnect();
        await closeSharedClients();
        await server?.stop();
    });

    it("reports the limit, the policy, usage and the hit ratio, in bytes and plain ratios", async () => {
        const fresh = await memoryReport(app);
        expect(fresh.maxmemoryBytes).toBe(192 * 1024 * 1024);
        expect(fresh.maxmemoryPolicy).toBe("allkeys-lfu");
        expect(fresh.usedBytes).toBeGreaterThan(0);
        expect(fresh.usedOfMaxmemory).toBeCloseTo(fresh.usedBytes / (192 * 1024 * 1024), 10);
        expect(fresh.rssBytes).toBeGreaterThan(0);
        expect(fresh.peakBytes).toBeGreaterThanOrEqual(fresh.usedBytes);
        expect(fresh.allocator).toMatch(/^jemalloc/);
        expect(fresh.hitRatio).toBeUndefined();

        await app.set("memory:hit", "1");
        await app.get("memory:hit");
        await app.get("memory:miss");
        await app.set("memory:expiring", "1", "PX", 1);
        await new Promise((r) => setTimeout(r, 50));
        expect(await app.get("memory:expiring")).toBeNull();
        const after = await memoryReport(app);
        expect(after.keyspaceHits - fresh.keyspaceHits).toBe(1);
        expect(after.keyspaceMisses - fresh.keyspaceMisses).toBe(2);
        expect(after.hitRatio).toBeCloseTo(1 / 3, 10);
        expect(after.expiredKeys).toBeGreaterThanOrEqual(1);
        expect(after.evictedKeys).toBe(0);
    });

    it("leaves a small dataset alone, whatever its ratio (the process's fixed overhead)", async () => {
        const before = await purges();
        const result = await purgeMemory(app);
        expect(result.purged).toBe(false);
        expect(result.after).toBe(result.before);
        expect(await purges()).toBe(before);
    });

    it("sees fragmentation rise after a bulk delete, and purges it only above the threshold", async () => {
        const n = 300_000;
        const value = "x".repeat(200);
        await pipelineInBatches(
            app,
            Array.from({ length: n }, (_, i): Command => ["set", `bulk:${i}`, value]),
            2_000,
        );
        const loaded = await memoryReport(app);
        // Nine keys in ten deleted, spread over every page, so the pages stay in use.
        const doomed = Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 !== 0);
        await pipelineInBatches(
            app,
            doomed.map((i): Command => ["unlink", `bulk:${i}`]),
            2_000,
        );
        await new Promise((r) => setTimeout(r, 200)); // UNLINK frees in the background
        const fragmented = await memoryReport(app);
        expect(fragmented.usedBytes).toBeLessThan(loaded.usedBytes / 3);
        expect(fragmented.fragmentationRatio).toBeGreaterThan(1.5);
        expect(fragmented.fragmentationRatio).toBeGreaterThan(loaded.fragmentationRatio);
        expect(fragmented.fragmentationBytes).toBeGreaterThan(32 * 1024 * 1024);
        console.log(
            `fragmentation after loading ${n} keys: ${loaded.fragmentationRatio.toFixed(2)}; after deleting 90 %: ${fragmented.fragmentationRatio.toFixed(2)} (${(fragmented.fragmentationBytes / 2 ** 20).toFixed(1)} MiB)`,
        );

        const calls = await purges();
        expect((await purgeMemory(app, { whenFragmentationAbove: fragmented.fragmentationRatio * 10 })).purged).toBe(false);
        expect(await purges()).toBe(calls);
        const result = await purgeMemory(app);
        expect(result.purged).toBe(true);
        expect(await purges()).toBe(calls + 1);
        expect(result.after.rssBytes).toBeLessThanOrEqual(result.before.rssBytes);
        console.log(
            `MEMORY PURGE: RSS ${(result.before.rssBytes / 2 ** 20).toFixed(1)} → ${(result.after.rssBytes / 2 ** 20).toFixed(1)} MiB, ratio ${result.before.fragmentationRatio.toFixed(2)} → ${result.after.fragmentationRatio.toFixed(2)}`,
        );
    }, 120_000);
});
