// What every credential the components render can do, proven on each real server (Redis 7, Redis 8,
// Valkey 8) and its real Sentinel rather than listed by hand: every command and subcommand the
// server itself documents (COMMAND DOCS), checked for every user with ACL DRYRUN, and every class of
// channel, checked with a real PUBLISH and SUBSCRIBE as that user (harness/local/aclMatrix.ts). The
// outcome is compared with that server's reviewed fixture, aclMatrix.<server>.json: a rule that
// widens, or a command a new server version adds, shows up as a diff to review. After a deliberate
// change: HARDENED_REDIS_UPDATE_FIXTURES=1 npx vitest run <this file>, then read the fixtures' diffs
// and the README tables this run rewrites (the default server's).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hardenedUsers, type RedisAclRules } from "../../../redis/acl/users";
import { generatedPassword, generatedSecrets, startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";
import { startLocalSentinelTopology, type LocalSentinelTopology } from "../../../harness/local/localSentinel";
import { aclTable, measureAcl, type AclMatrix } from "../../../harness/local/aclMatrix";
import { DEFAULT_SERVER, SERVERS } from "../../../redis/servers";

const README = join(__dirname, "..", "..", "..", "README.md");
const UPDATE = process.env.HARDENED_REDIS_UPDATE_FIXTURES === "1";

/** The extra user of the README's example, as a caller would declare one. */
const EXTRA_USER = "reports";
const EXTRA_RULES: RedisAclRules = {
    allowCategories: ["read", "pubsub"],
    denyCommands: ["keys", "sort_ro"],
    keyPatterns: ["report:*"],
    channelPatterns: ["reports:*"],
};

type Fixture = Record<"redis-server" | "sentinel", AclMatrix>;

describe.each(SERVERS)("every user's reach on $title, on a server and a Sentinel started from the rendered configs", (kind) => {
    const FIXTURE = join(__dirname, `aclMatrix.${kind.name}.json`);
    let server: LocalRedis;
    let topology: LocalSentinelTopology;
    let measured: Fixture;

    beforeAll(async () => {
        const secrets = generatedSecrets();
        const passwords = {
            ...secrets.passwords,
            sentinel: [generatedPassword()],
            metrics: [generatedPassword()],
            extra: { [EXTRA_USER]: [generatedPassword()] },
        };
        // Nothing renamed away: every command the server has is judged by the ACL alone.
        server = await startLocalRedis(
            { server: kind.name, disabledCommands: [], users: hardenedUsers(passwords, { [EXTRA_USER]: EXTRA_RULES }) },
            { secrets: { ...secrets, passwords } },
        );
        topology = await startLocalSentinelTopology({
            server: kind.name,
            replicas: 1,
            sentinels: 1,
            quorum: 1,
            downAfterMilliseconds: 60_000,
        });
        const sentinelPasswords = topology.servers[0].passwords;
        measured = {
            "redis-server": await measureAcl({
                port: server.port,
                adminPassword: passwords.admin[0],
                configCommandName: server.configCommandName,
                users: [
                    ["app", passwords.app[0]],
                    ["admin", passwords.admin[0]],
                    ["replication", passwords.replication[0]],
                    ["sentinel", passwords.sentinel[0]],
                    ["metrics", passwords.metrics[0]],
                    [EXTRA_USER, passwords.extra[EXTRA_USER][0]],
                ],
            }),
            sentinel: await measureAcl({
                port: topology.sentinels[0].port,
                adminPassword: sentinelPasswords.admin[0],
                users: (["app", "admin", "replication", "sentinel"] as const).map((user) => [user, sentinelPasswords[user]![0]]),
            }),
        };
    }, 120_000);

    afterAll(async () => {
        await server?.stop();
        await topology?.stop();
    });

    it("matches the reviewed fixture: no user reaches a command, subcommand or channel it did not", async () => {
        if (UPDATE) await writeFile(FIXTURE, `${JSON.stringify(measured, null, 4)}\n`);
        const reviewed = JSON.parse(await readFile(FIXTURE, "utf8")) as Fixture;
        expect(measured).toEqual(reviewed);
    });

    it("keeps every user but the sentinel user and admin off the hello channel, and the sentinel user on nothing else", () => {
        for (const [target, matrix] of Object.entries(measured)) {
            for (const [user, { channels }] of Object.entries(matrix.users)) {
                const hello = channels["__sentinel__:hello"];
                if (user === "sentinel") expect(hello, target).toBe("publish, subscribe");
                else if (user !== "admin") expect(hello, `${user} on ${target}`).toBe("none");
            }
            const others = Object.entries(matrix.users.sentinel.channels).filter(([c, r]) => c !== "__sentinel__:hello" && r !== "none");
            expect(others, target).toEqual([]);
        }
    });

    it("leaves the app none of what freezes or wipes shared state, and all that applications need", () => {
        const app = new Set(measured["redis-server"].users.app.commands);
        for (const refused of [
            "script|debug",
            "function|load",
            "function|delete",
            "function|flush",
            "function|restore",
            "config|set",
            "flushall",
            "keys",
        ])
            expect(app.has(refused), refused).toBe(false);
        for (const needed of [
            "get",
            "set",
            "eval",
            "evalsha",
            "fcall",
            "function|list",
            "script|load",
            "info",
            "client|tracking",
            "publish",
            "subscribe",
        ])
            expect(app.has(needed), needed).toBe(true);
        // On a Sentinel, the app may only find the primary, the replicas and the other Sentinels.
        const onSentinel = measured.sentinel.users.app.commands.filter((c) => c.startsWith("sentinel|"));
        // Valkey's Sentinel also answers to the PRIMARY name clients written for it send.
        expect(onSentinel).toEqual([
            "sentinel|get-master-addr-by-name",
            ...(kind.family === "valkey" ? ["sentinel|get-primary-addr-by-name"] : []),
            "sentinel|replicas",
            "sentinel|sentinels",
            "sentinel|slaves",
        ]);
    });

    // The README's tables are the default server's; the others' reach is in their fixtures.
    if (kind === DEFAULT_SERVER)
        it("is what the README's tables of credentials say", async () => {
            let readme = await readFile(README, "utf8");
            for (const [target, matrix] of Object.entries(measured)) {
                const [start, end] = [`<!-- acl-matrix:${target}:start -->`, `<!-- acl-matrix:${target}:end -->`];
                const [from, to] = [readme.indexOf(start) + start.length, readme.indexOf(end)];
                const table = `\n${aclTable(matrix)}\n`;
                if (UPDATE) readme = readme.slice(0, from) + table + readme.slice(to);
                else expect(readme.slice(from, to), target).toBe(table);
            }
            if (UPDATE) await writeFile(README, readme);
        });
});
