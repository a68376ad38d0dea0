import Redis from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalRedis, type LocalRedis } from "../../harness/localRedis";
import type { RedisConfigSettings } from "../../index";

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
    const stat = async (field: string) => Number(new RegExp(`^${field}:(\\d+)`, "m").exec(await admin.info())?.[1]);
    return { app, stat };
}

/** Writes four times maxmemory in fresh 8 KiB keys, in pipelines of 100; returns every reply (OK or the error). */
async function flood(app: Redis): Promise<string[]> {
    const replies: string[] = [];
    for (let i = 0; i < FLOOD_KEYS; i += 100) {
        const pipeline = app.pipeline();
        for (let k = i; k < i + 100; k++) pipeline.set(`cold:${k}`, VALUE);
        for (const [error, reply] of (await pipeline.exec()) ?? []) replies.push(error ? error.message : String(reply));
    }
    return replies;
}

/** Reads `hot` often, waits past the LRU clock's 1 s resolution, then floods: the hot key is then the least recently used. */
async function hotKeyThenFlood(app: Redis): Promise<void> {
    await app.set("hot", "kept");
    for (let i = 0; i < 1_000; i++) await app.get("hot");
    await new Promise((r) => setTimeout(r, 2_000));
    expect(new Set(await flood(app))).toEqual(new Set(["OK"]));
}

describe("a cache filled past maxmemory", () => {
    it("evicts with the default allkeys-lfu: every write succeeds and memory stays under the limit", async () => {
        const { app, stat } = await started();
        expect(new Set(await flood(app))).toEqual(new Set(["OK"]));
        expect(await stat("evicted_keys")).toBeGreaterThan(FLOOD_KEYS / 2);
        // What eviction counts: used memory less the AOF and replication buffers it leaves out.
        expect((await stat("used_memory")) - (await stat("mem_not_counted_for_evict"))).toBeLessThanOrEqual(MAXMEMORY);
        expect(await app.dbsize()).toBeLessThan(FLOOD_KEYS / 2);
    });

    it("refuses writes with OOM under noeviction (why redis-cache-noeviction warns on a cache)", async () => {
        const { app, stat } = await started({ maxmemoryPolicy: "noeviction" });
        const replies = await flood(app);
        expect(replies.filter((r) => r !== "OK").every((r) => r.startsWith("OOM command not allowed"))).toBe(true);
        expect(replies.filter((r) => r !== "OK").length).toBeGreaterThan(FLOOD_KEYS / 2);
        expect(await stat("evicted_keys")).toBe(0);
    });

    it("keeps a frequently read key that was not read lately with allkeys-lfu", async () => {
        const { app } = await started();
        await hotKeyThenFlood(app);
        expect(await app.get("hot")).toBe("kept");
    });

    it("loses that key with allkeys-lru (the choice allkeys-lfu is there for)", async () => {
        const { app } = await started({ maxmemoryPolicy: "allkeys-lru" });
        await hotKeyThenFlood(app);
        // Sampled about 20 times over the evictions, and always the oldest: survival odds are below 1e-8.
        expect(await app.get("hot")).toBeNull();
    });
});
