import { readdir } from "node:fs/promises";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DISABLED_COMMANDS } from "../../index";
import { anonymousClient, startLocalRedis, type LocalRedis } from "../../harness/localRedis";

// A real redis-server started from the rendered files proves the config means what it says.
describe("redis-server started from renderRedisConfig", () => {
    let server: LocalRedis;
    let anonymous: Redis;
    let client: Redis;

    beforeAll(async () => {
        server = await startLocalRedis();
        anonymous = anonymousClient(server.port);
        client = new Redis(server.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    });

    afterAll(async () => {
        anonymous?.disconnect();
        client?.disconnect();
        await server?.stop();
    });

    const configGet = async (name: string) => (await client.call(server.configCommandName, "GET", name)) as string[];

    it("answers unauthenticated commands with NOAUTH", async () => {
        await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
        await expect(anonymous.set("k", "v")).rejects.toThrow(/NOAUTH/);
    });

    it("rejects a wrong password and accepts the generated one", async () => {
        await expect(anonymous.auth("default", "not-the-password-1234")).rejects.toThrow(/WRONGPASS/);
        expect(await client.ping()).toBe("PONG");
        expect(await client.call("ACL", "WHOAMI")).toBe("default");
    });

    it("knows CONFIG only by its generated name", async () => {
        await expect(client.call("CONFIG", "GET", "appendonly")).rejects.toThrow(/unknown command/);
        expect(await configGet("appendonly")).toEqual(["appendonly", "yes"]);
    });

    it("runs with the rendered persistence, memory and hardening settings", async () => {
        expect(await configGet("appendfsync")).toEqual(["appendfsync", "everysec"]);
        expect(await configGet("no-appendfsync-on-rewrite")).toEqual(["no-appendfsync-on-rewrite", "yes"]);
        expect(await configGet("save")).toEqual(["save", ""]);
        expect(await configGet("maxmemory-policy")).toEqual(["maxmemory-policy", "allkeys-lfu"]);
        expect(await configGet("maxmemory")).toEqual(["maxmemory", String(192 * 1024 * 1024)]);
        expect(await configGet("protected-mode")).toEqual(["protected-mode", "yes"]);
        expect(await configGet("enable-debug-command")).toEqual(["enable-debug-command", "no"]);
        expect(await configGet("enable-module-command")).toEqual(["enable-module-command", "no"]);
        expect(await configGet("slowlog-log-slower-than")).toEqual(["slowlog-log-slower-than", "10000"]);
        expect(await configGet("latency-monitor-threshold")).toEqual(["latency-monitor-threshold", "100"]);
    });

    it.each(DEFAULT_DISABLED_COMMANDS)("knows no %s command", async (command) => {
        const args = command === "KEYS" ? ["*"] : [];
        await expect(client.call(command, ...args)).rejects.toThrow(/unknown command/);
    });

    it("stores the password hashed, never in plain text, in the user's ACL", async () => {
        const [rule] = (await client.call("ACL", "LIST")) as string[];
        expect(rule).toMatch(/^user default on .*#[0-9a-f]{64} /);
        expect(rule).not.toContain(server.password);
    });

    it("appends writes to the AOF in the data dir", async () => {
        await client.set("durable", "yes");
        const files = await readdir(join(server.dataDir, "appendonlydir"));
        expect(files.some((f) => f.endsWith(".incr.aof"))).toBe(true);
    });
});

describe("redis-server started from non-default settings", () => {
    it("honours switched-off AOF, RDB save points and another eviction policy", async () => {
        const server = await startLocalRedis({
            appendonly: false,
            savePoints: [{ seconds: 900, changes: 1 }],
            maxmemory: "64mb",
            maxmemoryPolicy: "volatile-lru",
            disabledCommands: ["FLUSHALL"],
        });
        const client = new Redis(server.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
            const get = async (name: string) => ((await client.call(server.configCommandName, "GET", name)) as string[])[1];
            expect(await get("appendonly")).toBe("no");
            expect(await get("save")).toBe("900 1");
            expect(await get("maxmemory")).toBe(String(64 * 1024 * 1024));
            expect(await get("maxmemory-policy")).toBe("volatile-lru");
            // Only the listed command is disabled now.
            await expect(client.call("FLUSHALL")).rejects.toThrow(/unknown command/);
            expect(await client.call("FLUSHDB")).toBe("OK");
        } finally {
            client.disconnect();
            await server.stop();
        }
    });
});

describe("a replica started from replica.conf", () => {
    it("authenticates to the primary, copies its data and refuses writes", async () => {
        const primary = await startLocalRedis();
        const credentials = { password: primary.password, configCommandName: primary.configCommandName };
        const replica = await startLocalRedis(
            { replicaOfHost: "127.0.0.1", replicaOfPort: primary.port },
            { credentials, configFile: "replica.conf" },
        );
        const writer = new Redis(primary.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        const reader = new Redis(replica.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
            await writer.set("replicated", "yes");
            // WAIT returns once the replica acknowledged the write: proof it is connected and authenticated.
            expect(await writer.wait(1, 10_000)).toBe(1);
            expect(await reader.get("replicated")).toBe("yes");
            await expect(reader.set("x", "y")).rejects.toThrow(/READONLY/);
            // The replica keeps the hardening of redis.conf.
            await expect(reader.call("CONFIG", "GET", "maxmemory")).rejects.toThrow(/unknown command/);
            const role = (await reader.call("ROLE")) as unknown[];
            expect(role[0]).toBe("slave");
        } finally {
            writer.disconnect();
            reader.disconnect();
            await replica.stop();
            await primary.stop();
        }
    });
});
