import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_70_ACL_CATEGORIES, REDIS_70_COMMANDS, REDIS_70_SUBCOMMANDS } from "../../../redis/acl/redis70Commands";
import { startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";

// The lists that disabledCommands and ACL rules are checked against must be what a Redis 7.0 server knows.
describe("the Redis 7.0 command tables", () => {
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

    it("matches the subcommands of the installed redis-server 7.0", async () => {
        const info = (await client.call("COMMAND", "INFO")) as unknown[][];
        // Each command's tenth field lists its subcommands, named `command|subcommand`.
        const listed = info.flatMap((c) => ((c?.[9] ?? []) as unknown[][]).map((sub) => String(sub[0])));
        const expected = listed.map((c) => c.replace(new RegExp(`^${server.configCommandName}\\|`), "config|")).sort();
        expect([...REDIS_70_SUBCOMMANDS].sort()).toEqual(expected);
    });

    it("matches the ACL categories of the installed redis-server 7.0", async () => {
        const categories = (await client.call("ACL", "CAT")) as string[];
        expect([...REDIS_70_ACL_CATEGORIES].filter((c) => c !== "all").sort()).toEqual([...categories].sort());
    });
});
