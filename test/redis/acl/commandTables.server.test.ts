// The tables rules, disabled commands and the renamed CONFIG are checked against (redis/acl/commands/)
// must be what each server knows: read from the real binary (Debian bookworm's Redis 7.0, trixie's
// Redis 8 and Valkey 8). HARDENED_REDIS_WRITE_TABLES=1 rewrites a table from its server instead.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandTable, type CommandTableData } from "../../../redis/acl/commandTables";
import { SERVERS } from "../../../redis/servers";
import { startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";
import { allowed, commandProbes } from "../../../harness/local/aclMatrix";
import { isServer, serverOfInfo } from "../../../harness/client/serverInfo";

const WRITE = process.env.HARDENED_REDIS_WRITE_TABLES === "1";

describe.each(SERVERS)("the command table of $title", (server) => {
    let local: LocalRedis;
    let client: Redis;
    let read: Omit<CommandTableData, "server">;
    let info9: unknown[][];
    beforeAll(async () => {
        local = await startLocalRedis({ disabledCommands: [], server: server.name });
        client = new Redis(local.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        const identity = serverOfInfo(await client.info("server"));
        expect(isServer(identity, server), JSON.stringify(identity)).toBe(true);
        const { version } = identity;
        // The server lists CONFIG under its generated name; Redis 8 its module's commands in capitals (names are case-insensitive).
        const asConfig = (c: string) => c.toLowerCase().replace(new RegExp(`^${local.configCommandName.toLowerCase()}(?=$|\\|)`), "config");
        const listed = (await client.call("COMMAND", "LIST")) as string[];
        info9 = (await client.call("COMMAND", "INFO")) as unknown[][];
        read = {
            from: `${server.family}-server ${version}`,
            commands: listed
                .filter((c) => !c.includes("|"))
                .map(asConfig)
                .sort(),
            // Each command's tenth field lists its subcommands, named `command|subcommand`.
            subcommands: info9.flatMap((c) => ((c?.[9] ?? []) as unknown[][]).map((sub) => asConfig(String(sub[0])))).sort(),
            categories: ((await client.call("ACL", "CAT")) as string[]).sort(),
            // The seventh field lists a command's ACL categories: none for Redis 8's vector sets.
            uncategorised: info9
                .flatMap((c) => {
                    const subs = (c?.[9] ?? []) as unknown[][];
                    return subs.length > 0 ? subs : [c];
                })
                .filter((c) => (c[6] as unknown[]).length === 0)
                .map((c) => asConfig(String(c[0])))
                .sort(),
        };
        if (WRITE) writeTable(server.name, read);
    }, 60_000);
    afterAll(async () => {
        client?.disconnect();
        await local?.stop();
    });

    it("has the server's top-level commands", () => {
        expect([...commandTable(server.name).commands].sort()).toEqual(read.commands);
    });

    it("has the server's subcommands", () => {
        expect([...commandTable(server.name).subcommands].sort()).toEqual(read.subcommands);
    });

    it("has the commands and subcommands the server puts in no ACL category", () => {
        expect([...commandTable(server.name).uncategorised].sort()).toEqual(read.uncategorised);
    });

    it("leaves exactly those to a user that subtracts every category from all (ACL DRYRUN)", async () => {
        // What the rule check (redis/acl/users.ts ruleRefusedOn) relies on, as the server enforces it.
        // Besides them only what any connection may send before it authenticates (flag no_auth).
        const noAuth = info9.filter((c) => (c[2] as string[]).includes("no_auth")).map((c) => String(c[0]).toLowerCase());
        const every = read.categories.map((c) => `-@${c}`);
        await client.call("ACL", "SETUSER", "subtracted", "off", "resetpass", "+@all", ...every, "~*", "&*");
        const reached: string[] = [];
        for (const [name, args] of await commandProbes(client, local.configCommandName)) {
            if (await allowed(client, "subtracted", args)) reached.push(name.toLowerCase());
        }
        expect(reached.sort()).toEqual([...read.uncategorised, ...noAuth].sort());
        expect(noAuth.sort()).toEqual(["auth", "hello", "quit", "reset"]);
    });

    it("has the server's ACL categories, and all", () => {
        expect([...commandTable(server.name).categories].sort()).toEqual([...read.categories, "all"].sort());
    });
});

/** Rewrites redis/acl/commands/<server>.ts from what the server said (then `npm run format`). */
function writeTable(server: string, data: Omit<CommandTableData, "server">): void {
    const constant = server.toUpperCase().replace("-", "_");
    const list = (names: readonly string[]) => JSON.stringify(names);
    writeFileSync(
        join(__dirname, "../../../redis/acl/commands", `${server}.ts`),
        [
            `// Generated from ${data.from} by test/redis/acl/commandTables.server.test.ts,`,
            "// which checks it against that server on every run;",
            "// `HARDENED_REDIS_WRITE_TABLES=1 npx vitest run test/redis/acl/commandTables.server.test.ts` rewrites it.",
            'import type { CommandTableData } from "../commandTables";',
            "",
            `export const ${constant}: CommandTableData = {`,
            `    server: ${JSON.stringify(server)},`,
            `    from: ${JSON.stringify(data.from)},`,
            `    commands: ${list(data.commands)},`,
            `    subcommands: ${list(data.subcommands)},`,
            `    categories: ${list(data.categories)},`,
            `    uncategorised: ${list(data.uncategorised)},`,
            "};",
            "",
        ].join("\n"),
    );
}
