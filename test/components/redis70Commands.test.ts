import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_70_COMMANDS } from "../../components/redis70Commands";
import { startLocalRedis, type LocalRedis } from "../../harness/localRedis";

// The list that disabledCommands is checked against must be what a Redis 7.0 server knows.
describe("REDIS_70_COMMANDS", () => {
    let server: LocalRedis;
    let client: Redis;
    beforeAll(async () => {
        server = await startLocalRedis({ disabledCommands: [] });
        client = new Redis(server.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    });
    afterAll(async () => {
        client?.disconnect();
        await server?.stop();
    });

    it("matches the top-level commands of the installed redis-server 7.0", async () => {
        const info = await client.info("server");
        expect(info).toMatch(/redis_version:7\.0\./);
        const listed = ((await client.call("COMMAND", "LIST")) as string[]).filter((c) => !c.includes("|"));
        // The server lists CONFIG under its generated name.
        const expected = listed.map((c) => (c === server.configCommandName ? "config" : c)).sort();
        expect([...REDIS_70_COMMANDS].sort()).toEqual(expected);
    });
});
