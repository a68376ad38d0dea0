// Moving a data volume between servers (the README's table of servers): the same rendered files,
// the same data directory (AOF with its RDB preamble), another server started on them. Each
// server writes the RDB format of its own release: Redis 7.0 version 10, Valkey 8 version 11,
// Redis 8 version 12, and none reads a newer one than its own.
import Redis from "ioredis";
import { describe, expect, it } from "vitest";
import { startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";
import { serverNamed } from "../../../redis/servers";

/** One key of each type, a consumer group with a pending entry, and a TTL. */
async function fill(server: LocalRedis): Promise<void> {
    const c = new Redis(server.connectionString, { maxRetriesPerRequest: 0 });
    try {
        await c.set("s", "string");
        await c.hset("h", { a: "1", b: "2" });
        await c.rpush("l", "x", "y", "z");
        await c.sadd("set", "m", "n");
        await c.zadd("z", 1, "one", 2, "two");
        await c.xadd("stream", "1-1", "f", "v");
        await c.xgroup("CREATE", "stream", "g", "0");
        await c.xreadgroup("GROUP", "g", "consumer", "STREAMS", "stream", ">");
        await c.set("ttl", "v", "EX", 3600);
    } finally {
        c.disconnect();
    }
}

/** What fill wrote, read back. */
async function readBack(server: LocalRedis): Promise<unknown> {
    const c = new Redis(server.connectionString, { maxRetriesPerRequest: 0 });
    try {
        return {
            s: await c.get("s"),
            h: await c.hgetall("h"),
            l: await c.lrange("l", 0, -1),
            set: (await c.smembers("set")).sort(),
            z: await c.zrange("z", 0, -1, "WITHSCORES"),
            pending: (await c.xpending("stream", "g"))[0],
            ttl: (await c.ttl("ttl")) > 3000,
        };
    } finally {
        c.disconnect();
    }
}

const WRITTEN = {
    s: "string",
    h: { a: "1", b: "2" },
    l: ["x", "y", "z"],
    set: ["m", "n"],
    z: ["one", "1", "two", "2"],
    pending: 1,
    ttl: true,
};

describe("a data volume moved to another server", () => {
    it.each([
        ["redis-7", "redis-8"],
        ["redis-7", "valkey-8"],
        ["valkey-8", "redis-8"],
    ])("from %s opens on %s with every key intact", async (from, to) => {
        const server = await startLocalRedis({ server: from, disabledCommands: [] });
        try {
            await fill(server);
            await server.restart({ graceful: true, server: serverNamed(to) });
            expect(await readBack(server)).toEqual(WRITTEN);
        } finally {
            await server.stop();
        }
    });

    it.each([
        ["redis-8", "redis-7", 12],
        ["redis-8", "valkey-8", 12],
        ["valkey-8", "redis-7", 11],
    ])("from %s does not open on %s: it writes RDB format version %i", async (from, to, version) => {
        const server = await startLocalRedis({ server: from, disabledCommands: [] });
        try {
            await fill(server);
            const moved = server.restart({ graceful: true, server: serverNamed(to) });
            await expect(moved).rejects.toThrow(new RegExp(`Can't handle RDB format version ${version}`));
        } finally {
            await server.stop().catch(() => undefined);
        }
    });
});
