// What every credential the components render can do, proven on a real redis-server rather than
// listed by hand: every command and subcommand the server itself documents (COMMAND DOCS), checked
// for every user with ACL DRYRUN, and every class of channel, checked with a real PUBLISH and
// SUBSCRIBE as that user. The outcome is compared with the reviewed fixture aclMatrix.redis70.json:
// a rule that widens, or a command a new server version adds, shows up as a diff to review.
// After a deliberate change: HARDENED_REDIS_UPDATE_FIXTURES=1 npx vitest run <this file>, then
// read the fixture's diff (and the README table, which the same run checks).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hardenedUsers, type RedisAclRules, type RedisUserPasswords } from "../../components/redisUsers";
import { generatedPassword, generatedSecrets, startLocalRedis, type LocalRedis } from "../../harness/localRedis";
import { aclTable, CHANNEL_CLASSES, type AclMatrix, type ChannelReach } from "../support/aclMatrix";

const FIXTURE = join(__dirname, "aclMatrix.redis70.json");
const README = join(__dirname, "..", "..", "README.md");
const UPDATE = process.env.HARDENED_REDIS_UPDATE_FIXTURES === "1";
const [TABLE_START, TABLE_END] = ["<!-- acl-matrix:start -->", "<!-- acl-matrix:end -->"];

/** The extra user of the README's example, as a caller would declare one. */
const EXTRA_USER = "reports";
const EXTRA_RULES: RedisAclRules = {
    allowCategories: ["read", "pubsub"],
    denyCommands: ["keys", "sort_ro"],
    keyPatterns: ["report:*"],
    channelPatterns: ["reports:*"],
};

describe("every user's reach on a redis-server started from the rendered config", () => {
    let server: LocalRedis;
    let admin: Redis;
    let passwords: Required<Omit<RedisUserPasswords, "extra">> & { extra: Record<string, string[]> };
    let matrix: AclMatrix;

    beforeAll(async () => {
        const secrets = generatedSecrets();
        passwords = {
            ...secrets.passwords,
            sentinel: [generatedPassword()],
            metrics: [generatedPassword()],
            extra: { [EXTRA_USER]: [generatedPassword()] },
        };
        // Nothing renamed away: every command the server has is judged by the ACL alone.
        server = await startLocalRedis(
            { disabledCommands: [], users: hardenedUsers(passwords, { [EXTRA_USER]: EXTRA_RULES }) },
            { secrets: { ...secrets, passwords } },
        );
        admin = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        matrix = await measure();
    }, 120_000);

    afterAll(async () => {
        admin?.disconnect();
        await server?.stop();
    });

    /** Every command and subcommand with arguments enough for its arity, named as ACL rules name them. */
    async function probes(): Promise<Map<string, string[]>> {
        const info = (await admin.call("COMMAND", "INFO")) as Array<[string, number, ...unknown[]]>;
        const configName = server.configCommandName.toLowerCase();
        const byName = new Map<string, string[]>();
        const add = (name: string, arity: number) => {
            // CONFIG is renamed: the server runs it by the generated name only (its subcommands keep
            // CONFIG's own name in COMMAND INFO), and ACL rules name it CONFIG.
            const words = name.split("|").map((word, i) => (i === 0 && word === configName ? "config" : word));
            const sent = words.map((word, i) => (i === 0 && word === "config" ? configName : word));
            byName.set(words.join("|"), [...sent, ...Array.from({ length: Math.max(0, Math.abs(arity) - words.length) }, () => "x")]);
        };
        for (const command of info) {
            const subcommands = (command[9] ?? []) as Array<[string, number]>;
            if (subcommands.length === 0) add(command[0], command[1]);
            for (const [sub, arity] of subcommands) add(sub, arity);
        }
        // COMMAND DOCS documents the same table: nothing it lists may be missing here.
        const docs = (await admin.call("COMMAND", "DOCS")) as unknown[];
        const documented = new Set<string>();
        for (let i = 0; i < docs.length; i += 2) {
            const fields = docs[i + 1] as unknown[];
            const at = fields.indexOf("subcommands");
            const subs = at >= 0 ? (fields[at + 1] as unknown[]).filter((_, j) => j % 2 === 0).map(String) : [];
            for (const name of subs.length > 0 ? subs : [String(docs[i])]) documented.add(name.replace(configName, "config"));
        }
        expect([...documented].filter((name) => !byName.has(name))).toEqual([]);
        return byName;
    }

    /** ACL DRYRUN's verdict on one command: allowed (perhaps not on these keys or channels), or refused. */
    async function allowed(user: string, args: string[]): Promise<boolean> {
        const verdict = (await admin.call("ACL", "DRYRUN", user, ...args)) as string;
        if (verdict === "OK" || /no permissions to access the '.*' (key|channel)$/.test(verdict)) return true;
        if (/no permissions to run the '.*' command$/.test(verdict)) return false;
        throw new Error(`ACL DRYRUN ${user} ${args[0]}: ${verdict}`);
    }

    /** PUBLISH and SUBSCRIBE on `channel` as `user`, for real. */
    async function reach(user: string, password: string, channel: string): Promise<ChannelReach> {
        const client = new Redis({ port: server.port, host: "127.0.0.1", username: user, password, maxRetriesPerRequest: 0, protocol: 2 });
        client.on("error", () => {});
        try {
            const published = await client.publish(channel, "probe").then(
                () => true,
                (e: Error) => (/NOPERM/.test(e.message) ? false : Promise.reject(e)),
            );
            const subscribed = await client.subscribe(channel).then(
                () => true,
                (e: Error) => (/NOPERM/.test(e.message) ? false : Promise.reject(e)),
            );
            return published && subscribed ? "publish, subscribe" : published ? "publish" : subscribed ? "subscribe" : "none";
        } finally {
            client.disconnect();
        }
    }

    async function measure(): Promise<AclMatrix> {
        const commands = await probes();
        const users: AclMatrix["users"] = {};
        const credentials: Array<[string, string]> = [
            ["app", passwords.app[0]],
            ["admin", passwords.admin[0]],
            ["replication", passwords.replication[0]],
            ["sentinel", passwords.sentinel[0]],
            ["metrics", passwords.metrics[0]],
            [EXTRA_USER, passwords.extra[EXTRA_USER][0]],
        ];
        for (const [user, password] of credentials) {
            const verdicts = await Promise.all([...commands].map(async ([name, args]) => [name, await allowed(user, args)] as const));
            const channels: Record<string, ChannelReach> = {};
            for (const channel of CHANNEL_CLASSES) channels[channel] = await reach(user, password, channel);
            users[user] = {
                commands: verdicts
                    .filter(([, ok]) => ok)
                    .map(([name]) => name)
                    .sort(),
                channels,
            };
        }
        const version = /redis_version:(\S+)/.exec(await admin.info("server"))?.[1] ?? "unknown";
        return { server: `redis-server ${version}`, commands: commands.size, users };
    }

    it("matches the reviewed fixture: no user reaches a command, subcommand or channel it did not", async () => {
        if (UPDATE) await writeFile(FIXTURE, `${JSON.stringify(matrix, null, 4)}\n`);
        const reviewed = JSON.parse(await readFile(FIXTURE, "utf8")) as AclMatrix;
        expect(matrix).toEqual(reviewed);
    });

    it("keeps every user but the sentinel user off the hello channel, and the sentinel user on nothing else", () => {
        for (const [user, { channels }] of Object.entries(matrix.users)) {
            const hello = channels["__sentinel__:hello"];
            if (user === "sentinel") expect(hello).toBe("publish, subscribe");
            else if (user !== "admin") expect(hello, user).toBe("none");
        }
        const sentinel = matrix.users.sentinel.channels;
        expect(Object.entries(sentinel).filter(([channel, r]) => channel !== "__sentinel__:hello" && r !== "none")).toEqual([]);
    });

    it("leaves the app none of what freezes or wipes shared state, and all that applications need", () => {
        const app = new Set(matrix.users.app.commands);
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
    });

    it("is what the README's table of credentials says", async () => {
        const readme = await readFile(README, "utf8");
        const [start, end] = [readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END)];
        const table = `\n${aclTable(matrix)}\n`;
        if (UPDATE) await writeFile(README, readme.slice(0, start) + table + readme.slice(end));
        else expect(readme.slice(start, end)).toBe(table);
    });
});
