import { afterAll, expect, it } from "vitest";
import { closeSharedClients, connect, localCache } from "../../client";
import { startLocalRedis } from "../../harness/local/localRedis";
import { localCacheSuite, until } from "../../harness/suites/localCacheSuite";
import { startRedisUnderTest } from "../../harness/client/redisUnderTest";

localCacheSuite("a local redis-server started from the rendered config", startRedisUnderTest);

afterAll(() => closeSharedClients());

// Our config disables FLUSHDB, so no deployed server can run this: a server of its own that allows it.
it("localCache empties itself when the database is flushed (an invalidation with no keys), and goes on tracking", async () => {
    const flushable = await startLocalRedis({ disabledCommands: ["KEYS"] });
    const client = connect(flushable.connectionString, { shared: false });
    const operator = connect(flushable.adminConnectionString, { shared: false });
    const cache = await localCache(client);
    try {
        await operator.set("hot:e", "1");
        expect(await cache.get("hot:e")).toBe("1");
        const flushes = cache.stats.flushes;
        await operator.call("FLUSHDB");
        await until("the flush", () => cache.stats.flushes > flushes);
        expect(cache.size).toBe(0);
        expect(await cache.get("hot:e")).toBeNull();
        // Tracking goes on: the cache keeps values again, and hears about the next write.
        expect(cache.size).toBe(1);
        const before = cache.stats.invalidations;
        await operator.set("hot:e", "2");
        await until("the invalidation after the flush", () => cache.stats.invalidations > before);
        expect(await cache.get("hot:e")).toBe("2");
    } finally {
        await cache.close();
        client.disconnect();
        operator.disconnect();
        await flushable.stop();
    }
});
