import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, launchRedis, startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";
import { localProgram } from "../../harness/local/serverPrograms";
import { COMMAND_TABLES } from "../../redis/acl/commandTables";
import { SERVERS } from "../../redis/servers";
import { dangerousCommands, SENTINEL_DANGEROUS_BY_CATEGORY, TOLERATED } from "../../policies/engine/acl";
import { channelsReach, globMatches, SENTINEL_HELLO_CHANNEL } from "../../policies/shared/acl";
import { DANGEROUS_BY_CATEGORY } from "../../policies/engine/dangerousCommands";

// redis-guard judges ACL rules without a server, with one table for every server it may meet (the
// union: a command @dangerous on any of them is @dangerous); these tests hold its judgement against
// each server's own: Redis 7.0, Redis 8 and Valkey 8, and each one's Sentinel.

it("names only commands some server has", () => {
    const known = new Set([...COMMAND_TABLES.values()].flatMap((t) => [...t.commands, ...t.subcommands]));
    expect(
        Object.values(DANGEROUS_BY_CATEGORY)
            .flat()
            .filter((c) => !known.has(c)),
    ).toEqual([]);
});

describe.each(SERVERS)("redis-guard's reading of ACL rules, against a real $title", (kind) => {
    let server: LocalRedis;
    let admin: Redis;
    /** Each @dangerous command (or `cmd|sub`) this server has, with arguments enough for its arity, for ACL DRYRUN. */
    const probes = new Map<string, string[]>();

    beforeAll(async () => {
        server = await startLocalRedis({ server: kind.name, disabledCommands: [] });
        admin = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        const info = (await admin.call("COMMAND", "INFO")) as Array<[string, number, ...unknown[]]>;
        const arities = new Map<string, number>();
        for (const command of info) {
            arities.set(command[0], command[1]);
            for (const sub of (command[9] ?? []) as Array<[string, number]>) arities.set(sub[0], sub[1]);
        }
        for (const name of DANGEROUS_BY_CATEGORY.dangerous) {
            const words = name.split("|");
            const arity = arities.get(name.replace(/^config\|/, `${server.configCommandName.toLowerCase()}|`)) ?? arities.get(name);
            // Another server's (Valkey's COMMANDLOG on Redis).
            if (arity === undefined) continue;
            const needed = Math.abs(arity) - words.length;
            probes.set(name, [...words, ...Array.from({ length: Math.max(0, needed) }, () => "x")]);
        }
    });

    afterAll(async () => {
        admin?.disconnect();
        await server?.stop();
    });

    it("knows, for every category, the @dangerous commands in it", async () => {
        const categories = (await admin.call("ACL", "CAT")) as string[];
        const dangerous = new Set((await admin.call("ACL", "CAT", "dangerous")) as string[]);
        const expected: Record<string, string[]> = {};
        for (const category of categories) {
            const members = ((await admin.call("ACL", "CAT", category)) as string[]).filter((c) => dangerous.has(c)).sort();
            if (members.length > 0) expected[category] = members;
        }
        const ours = Object.fromEntries(
            Object.entries(DANGEROUS_BY_CATEGORY).map(([c, list]) => [c, list.filter((x) => probes.has(x)).sort()]),
        );
        expect(ours).toEqual(expected);
    });

    const ruleSets: string[][] = [
        ["+@all"],
        ["+@all", "-@dangerous", "+info"],
        ["+@all", "-@admin"],
        ["+@write"],
        ["+@read", "-keys", "-sort_ro"],
        ["+client"],
        ["+client|setname", "+client|id"],
        ["+@all", "-@dangerous", "+config|get"],
        ["allcommands", "-flushall"],
        ["+psync", "+replconf", "+ping"],
        ["+@keyspace", "-@dangerous"],
        ["+@admin"],
        ["+@all", "nocommands", "+@connection"],
    ];
    it.each(ruleSets)("grants what Redis grants for %j", async (...rules) => {
        await admin.call("ACL", "SETUSER", "probe", "reset", "on", "nopass", "~*", "&*", ...rules);
        const granted: string[] = [];
        for (const [name, argv] of probes) {
            // CONFIG is known to the server by its generated name.
            const args = name.startsWith("config|") ? [server.configCommandName, ...argv.slice(1)] : argv;
            const verdict = (await admin.call("ACL", "DRYRUN", "probe", ...args)) as string;
            if (verdict === "OK") granted.push(name);
            else expect(verdict).toMatch(/^(This user|User probe) has no permissions/); // Valkey names the user
        }
        expect(dangerousCommands(rules).filter((c) => probes.has(c))).toEqual(granted.filter((c) => c !== "info").sort());
    });

    it("matches channel patterns as Redis does (globMatches, channelsReach), for crafted and generated patterns", async () => {
        // Crafted: the patterns that keep applications off the system channels, and ways around them.
        const crafted = [
            "*",
            "[^_]*",
            "_[^_]*",
            "_",
            "__redis__:invalidate",
            "__keyspace@*__:*",
            "?_sentinel*",
            "[_]_sentinel__:hello",
            "__sentinel__:*",
            "[z-a]*",
            "[abc",
            "a\\*",
            "[]x",
            "[^]x",
            "*[",
            "**a",
        ];
        // Generated, seeded: every shape the grammar allows, over a small alphabet.
        let seed = 7;
        const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
        const words = (alphabet: string, count: number, maxLength: number) =>
            Array.from({ length: count }, () =>
                Array.from({ length: random(maxLength + 1) }, () => alphabet[random(alphabet.length)]).join(""),
            );
        const patterns = [...crafted, ...words("ab_*?[]^-\\", 400, 6).filter((p) => p.length > 0)];
        const subjects = [
            "",
            "a",
            "b",
            "_",
            "ab",
            "__",
            "a_b",
            "-",
            "^",
            "]",
            "[",
            "*",
            "a*",
            SENTINEL_HELLO_CHANNEL,
            "news",
            ...words("ab_-]", 20, 4),
        ];
        const mismatches: string[] = [];
        for (const pattern of patterns) {
            await admin.call("ACL", "SETUSER", "glob-probe", "reset", "on", "nopass", "+publish", "resetchannels", `&${pattern}`);
            const verdicts = await Promise.all(subjects.map((s) => admin.call("ACL", "DRYRUN", "glob-probe", "PUBLISH", s, "m")));
            subjects.forEach((subject, i) => {
                const redis = verdicts[i] === "OK";
                if (globMatches(pattern, subject) !== redis)
                    mismatches.push(`${JSON.stringify(pattern)} on ${JSON.stringify(subject)}: Redis ${redis}`);
                if (channelsReach([pattern], subject) !== redis)
                    mismatches.push(`channelsReach ${JSON.stringify(pattern)} on ${JSON.stringify(subject)}`);
            });
        }
        await admin.call("ACL", "DELUSER", "glob-probe");
        expect(mismatches).toEqual([]);
    });
});

// A Sentinel has a command table of its own (SENTINEL, no keys, no CONFIG): the same checks against one.
describe.each(SERVERS)("redis-guard's reading of ACL rules on a Sentinel, against a real $title one", (kind) => {
    let dir: string;
    let sentinel: { stop(): Promise<void> };
    let client: Redis;
    /** Each @dangerous command but the SENTINEL container itself (only its subcommands run), with arguments for its arity. */
    const probes = new Map<string, string[]>();

    beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), "hardened-sentinel-acl-"));
        const port = await freeLoopbackPort();
        // Nothing to monitor: its ACL is all that is asked of it. The default user administers it.
        await writeFile(join(dir, "sentinel.conf"), `port ${port}\nbind 127.0.0.1\ndir ${dir}\n`, { mode: 0o600 });
        sentinel = await launchRedis([...localProgram(kind, "server"), join(dir, "sentinel.conf"), "--sentinel"], port);
        client = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null });
        const info = (await client.call("COMMAND", "INFO")) as Array<[string, number, ...unknown[]]>;
        const arities = new Map<string, number>();
        for (const command of info) {
            arities.set(command[0], command[1]);
            for (const sub of (command[9] ?? []) as Array<[string, number]>) arities.set(sub[0], sub[1]);
        }
        for (const name of SENTINEL_DANGEROUS_BY_CATEGORY.dangerous.filter((c) => c !== "sentinel")) {
            const words = name.split("|");
            const arity = arities.get(name);
            // Another server's (Valkey's SENTINEL PRIMARY names on Redis).
            if (arity === undefined) continue;
            probes.set(name, [...words, ...Array.from({ length: Math.max(0, Math.abs(arity) - words.length) }, () => "x")]);
        }
    });

    afterAll(async () => {
        client?.disconnect();
        await sentinel?.stop();
        if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("knows, for every category, the @dangerous commands in it", async () => {
        const categories = (await client.call("ACL", "CAT")) as string[];
        const dangerous = new Set((await client.call("ACL", "CAT", "dangerous")) as string[]);
        const expected: Record<string, string[]> = {};
        for (const category of categories) {
            const members = ((await client.call("ACL", "CAT", category)) as string[]).filter((c) => dangerous.has(c)).sort();
            if (members.length > 0) expected[category] = members;
        }
        const here = (c: string) => probes.has(c) || c === "sentinel";
        const ours = Object.fromEntries(Object.entries(SENTINEL_DANGEROUS_BY_CATEGORY).map(([c, list]) => [c, list.filter(here).sort()]));
        expect(ours).toEqual(expected);
    });

    const ruleSets: string[][] = [
        ["+@all"],
        ["+@all", "-@dangerous"],
        ["+@admin"],
        ["+sentinel"],
        ["+sentinel|set", "+sentinel|failover"],
        // hardened-redis's app and sentinel users on a Sentinel.
        [
            "-@all",
            "+ping",
            "+auth",
            "+hello",
            "+client|setname",
            "+subscribe",
            "+sentinel|get-master-addr-by-name",
            "+sentinel|sentinels",
            "+sentinel|replicas",
            "+sentinel|slaves",
        ],
        ["-@all", "+ping", "+info", "+role", "+publish", "+subscribe", "+sentinel|is-master-down-by-addr"],
        ["+@all", "-sentinel", "+sentinel|masters"],
        ["+@connection"],
    ];
    it.each(ruleSets)("grants what Sentinel grants for %j", async (...rules) => {
        await client.call("ACL", "SETUSER", "probe", "reset", "on", "nopass", "&*", ...rules);
        const granted: string[] = [];
        for (const [name, argv] of probes) {
            const verdict = (await client.call("ACL", "DRYRUN", "probe", ...argv)) as string;
            if (verdict === "OK") granted.push(name);
            else expect(verdict).toMatch(/^(This user|User probe) has no permissions/); // Valkey names the user
        }
        const ours = dangerousCommands(rules, "sentinel").filter((c) => probes.has(c));
        expect(ours).toEqual(granted.filter((c) => !TOLERATED.sentinel.has(c)).sort());
    });
});
