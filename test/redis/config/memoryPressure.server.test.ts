import Redis from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";
import type { RedisConfigSettings } from "../../../index";

// A real redis-server from the rendered config, filled past its maxmemory by the app user, as a
// cache is filled in production. 16 MiB keeps it quick; the directives are the ones we deploy.
const MAXMEMORY = 16 * 1024 * 1024;
const VALUE = "x".repeat(8 * 1024);
const FLOOD_KEYS = (4 * MAXMEMORY) / VALUE.length;

const servers: LocalRedis[] = [];
const clients: Redis[] = [];
afterAll(async () => {
    for (const c of clients) c.disconnect();
    for (const s of servers) await s.stop();
});

async function started(settings: Partial<RedisConfigSettings> = {}) {
    const server = await startLocalRedis({ maxmemory: MAXMEMORY, ...settings });
    servers.push(server);
    const options = { maxRetriesPerRequest: 0, retryStrategy: () => null };
    const app = new Redis(server.connectionString, options);
    const admin = new Redis(server.adminConnectionString, options);
    clients.push(app, admin);
    /** Fields of one INFO reply, read together. */
    const stats = async (...fields: string[]) => {
        const info = await admin.info();
        return fields.map((field) => Number(new RegExp(`^${field}:(\\d+)`, "m").exec(info)?.[1]));
    };
    return { app, stats };
}

/**
 * Writes four times maxmemory in fresh 8 KiB keys, in pipelines of 100, and reads each back once
 * (so a key's LFU counter says "read once", not "never read"); returns every SET's reply.
 */
async function flood(app: Redis): Promise<string[]> {
    const replies: string[] = [];
    for (let i = 0; i < FLOOD_KEYS; i += 100) {
        const pipeline = app.pipeline();
        for (let k = i; k < i + 100; k++) pipeline.set(`cold:${k}`, VALUE).get(`cold:${k}`);
        const results = (await pipeline.exec()) ?? [];
        for (let r = 0; r < results.length; r += 2) replies.push(results[r][0]?.message ?? String(results[r][1]));
    }
    return replies;
}

/**
 * Reads `hot` often, waits past the LRU clock's 1 s resolution, then floods with keys read once:
 * the hot key is then the least recently used, and the most frequently used.
 */
async function hotKeyThenFlood({ app, stats }: Awaited<ReturnType<typeof started>>): Promise<void> {
    await app.set("hot", "kept");
    for (let i = 0; i < 1_000; i++) await app.get("hot");
    await new Promise((r) => setTimeout(r, 2_000));
    expect(new Set(await flood(app))).toEqual(new Set(["OK"]));
    expect((await stats("evicted_keys"))[0]).toBeGreaterThan(FLOOD_KEYS / 2);
}

describe("a cache filled past maxmemory", () => {
    it("evicts with the default allkeys-lfu: every write succeeds and memory stays under the limit", async () => {
        const { app, stats } = await started();
        expect(new Set(await flood(app))).toEqual(new Set(["OK"]));
        const [evicted, used, notCounted] = await stats("evicted_keys", "used_memory", "mem_not_counted_for_evict");
        expect(evicted).toBeGreaterThan(FLOOD_KEYS / 2);
        // What eviction counts (used memory less the AOF and replication buffers) is brought under the limit
        // before each command; INFO's own reply buffers come after, so allow a few values' worth.
        expect(used - notCounted).toBeLessThanOrEqual(MAXMEMORY + 64 * 1024);
        expect(await app.dbsize()).toBeLessThan(FLOOD_KEYS / 2);
    });

    it("refuses writes with OOM under noeviction (why redis-cache-noeviction warns on a cache)", async () => {
        const { app, stats } = await started({ maxmemoryPolicy: "noeviction" });
        const replies = await flood(app);
        expect(replies.filter((r) => r !== "OK").every((r) => r.startsWith("OOM command not allowed"))).toBe(true);
        expect(replies.filter((r) => r !== "OK").length).toBeGreaterThan(FLOOD_KEYS / 2);
        expect(await stats("evicted_keys")).toEqual([0]);
    });

    it("keeps a key read 1,000 times over keys read once, though not read lately, with allkeys-lfu", async () => {
        const server = await started();
        await hotKeyThenFlood(server);
        expect(await server.app.get("hot")).toBe("kept");
    });

    it("loses that key with allkeys-lru (the choice allkeys-lfu is there for)", async () => {
        const server = await started({ maxmemoryPolicy: "allkeys-lru" });
        await hotKeyThenFlood(server);
        // Sampled about 20 times over the evictions, and always the oldest: survival odds are below 1e-8.
        expect(await server.app.get("hot")).toBeNull();
    });
});
