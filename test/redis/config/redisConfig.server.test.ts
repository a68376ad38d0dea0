import { readdir } from "node:fs/promises";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DISABLED_COMMANDS } from "../../../index";
import { anonymousClient, startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";
import { protoMaxBulkLen } from "../../../redis/config/render";
import { SERVERS } from "../../../redis/servers";

// A real server started from the rendered files proves the config means what it says: on each
// server the components run (Debian bookworm's Redis 7.0, trixie's Redis 8 and Valkey 8).
describe.each(SERVERS)("$title", (kind) => {
    // A real redis-server started from the rendered files proves the config means what it says.
    describe("redis-server started from renderRedisConfig", () => {
        let server: LocalRedis;
        let anonymous: Redis;
        /** The admin user, as `adminConnectionString` carries it. */
        let client: Redis;
        /** The app user, as `connectionString` carries it. */
        let app: Redis;

        beforeAll(async () => {
            server = await startLocalRedis({ server: kind.name });
            anonymous = anonymousClient(server.port);
            client = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
            app = new Redis(server.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        });

        afterAll(async () => {
            anonymous?.disconnect();
            client?.disconnect();
            app?.disconnect();
            await server?.stop();
        });

        const configGet = async (name: string) => (await client.call(server.configCommandName, "GET", name)) as string[];

        it("answers unauthenticated commands with NOAUTH", async () => {
            await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
            await expect(anonymous.set("k", "v")).rejects.toThrow(/NOAUTH/);
        });

        it("rejects a wrong password and accepts the generated ones, each for its own user", async () => {
            await expect(anonymous.auth("app", "not-the-password-1234")).rejects.toThrow(/WRONGPASS/);
            await expect(anonymous.auth("admin", server.passwords.app[0])).rejects.toThrow(/WRONGPASS/);
            expect(await app.ping()).toBe("PONG");
            expect(await app.call("ACL", "WHOAMI")).toBe("app");
            expect(await client.call("ACL", "WHOAMI")).toBe("admin");
        });

        it("lets nobody in as the default user, with any of the generated passwords", async () => {
            for (const password of [...server.passwords.app, ...server.passwords.admin, ...server.passwords.replication]) {
                await expect(anonymous.auth("default", password)).rejects.toThrow(/WRONGPASS/);
            }
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

        it("stores the passwords hashed, never in plain text, in the users' ACL", async () => {
            const rules = (await client.call("ACL", "LIST")) as string[];
            expect(rules.map((r) => r.split(" ").slice(0, 3).join(" "))).toEqual([
                "user admin on",
                "user app on",
                "user default off",
                "user replication on",
            ]);
            for (const password of [...server.passwords.app, ...server.passwords.admin, ...server.passwords.replication]) {
                expect(rules.some((r) => r.includes(password))).toBe(false);
            }
        });

        it("appends writes to the AOF in the data dir", async () => {
            await client.set("durable", "yes");
            const files = await readdir(join(server.dataDir, "appendonlydir"));
            expect(files.some((f) => f.endsWith(".incr.aof"))).toBe(true);
        });
    });

    // Issue #11: what the application's credential can and cannot do, on the real server.
    describe("the app user of a redis-server started from renderRedisConfig", () => {
        let server: LocalRedis;
        let app: Redis;
        let admin: Redis;
        beforeAll(async () => {
            // Nothing renamed away, so every refusal below comes from the ACL alone.
            server = await startLocalRedis({ disabledCommands: [], server: kind.name });
            app = new Redis(server.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
            admin = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        });
        afterAll(async () => {
            app?.disconnect();
            admin?.disconnect();
            await server?.stop();
        });

        const administrative: Array<[string, string[]]> = [
            ["ACL SETUSER", ["ACL", "SETUSER", "intruder", "on", ">Intruder-Password-0123", "+@all"]],
            ["ACL LIST", ["ACL", "LIST"]],
            ["ACL DELUSER", ["ACL", "DELUSER", "admin"]],
            ["REPLICAOF", ["REPLICAOF", "127.0.0.1", "1"]],
            ["SLAVEOF", ["SLAVEOF", "127.0.0.1", "1"]],
            ["FAILOVER", ["FAILOVER"]],
            ["MONITOR", ["MONITOR"]],
            ["SHUTDOWN", ["SHUTDOWN", "NOSAVE"]],
            ["SAVE", ["SAVE"]],
            ["BGSAVE", ["BGSAVE"]],
            ["BGREWRITEAOF", ["BGREWRITEAOF"]],
            ["CLIENT KILL", ["CLIENT", "KILL", "ID", "1"]],
            ["CLIENT PAUSE", ["CLIENT", "PAUSE", "1"]],
            ["CLIENT LIST", ["CLIENT", "LIST"]],
            ["SWAPDB", ["SWAPDB", "0", "1"]],
            ["MIGRATE", ["MIGRATE", "127.0.0.1", "1", "k", "0", "10"]],
            ["MODULE LIST", ["MODULE", "LIST"]],
            ["MODULE LOAD", ["MODULE", "LOAD", "/tmp/x.so"]],
            ["DEBUG", ["DEBUG", "SLEEP", "0"]],
            ["FLUSHALL", ["FLUSHALL"]],
            ["FLUSHDB", ["FLUSHDB"]],
            ["KEYS", ["KEYS", "*"]],
            ["SLOWLOG RESET", ["SLOWLOG", "RESET"]],
            ["LATENCY RESET", ["LATENCY", "RESET"]],
            ["PSYNC", ["PSYNC", "?", "-1"]],
            ["SYNC", ["SYNC"]],
            ["RESTORE", ["RESTORE", "k", "0", "x"]],
            // Outside @dangerous, taken away all the same: a debugging session that stops the server, and library management.
            ["SCRIPT DEBUG", ["SCRIPT", "DEBUG", "SYNC"]],
            ["FUNCTION LOAD", ["FUNCTION", "LOAD", "#!lua name=planted\nredis.register_function('f', function() return 1 end)"]],
            ["FUNCTION DELETE", ["FUNCTION", "DELETE", "planted"]],
            ["FUNCTION FLUSH", ["FUNCTION", "FLUSH"]],
            ["FUNCTION RESTORE", ["FUNCTION", "RESTORE", "x"]],
        ];
        it.each(administrative)("refuses %s, by its ACL alone", async (_label, command) => {
            // DEBUG and MODULE are also switched off (enable-*-command no); the ACL must refuse them regardless.
            await expect(app.call(command[0], ...command.slice(1))).rejects.toThrow(/NOPERM|command not allowed/);
            const verdict = (await admin.call("ACL", "DRYRUN", "app", ...command)) as string;
            // Valkey names the user: "User app has no permissions to run …".
            expect(verdict).toMatch(/^(This user|User app) has no permissions to run/);
        });

        it("runs the functions the admin user ships, and lists them, as the app user", async () => {
            await admin.call(
                "FUNCTION",
                "LOAD",
                "REPLACE",
                "#!lua name=shipped\nredis.register_function('shipped_echo', function(keys, args) return args[1] end)",
            );
            expect(await app.call("FCALL", "shipped_echo", "0", "hello")).toBe("hello");
            expect(JSON.stringify(await app.call("FUNCTION", "LIST"))).toContain("shipped");
            await admin.call("FUNCTION", "DELETE", "shipped");
        });

        it("refuses any one string or argument larger than a quarter of maxmemory, so no command allocates past the budget", async () => {
            const bound = protoMaxBulkLen(192 * 1024 ** 2);
            expect(await admin.call(server.configCommandName, "GET", "proto-max-bulk-len")).toEqual(["proto-max-bulk-len", String(bound)]);
            await expect(app.setrange("big", bound, "x")).rejects.toThrow(/exceeds maximum allowed size/);
            await expect(app.setbit("bits", bound * 8, 1)).rejects.toThrow(/bit offset is not an integer or out of range/);
            expect(await app.setrange("big", 1024, "x")).toBe(1025);
            await app.del("big");
        });

        it("refuses CONFIG under its generated name (under its own it is unknown to everyone)", async () => {
            await expect(app.call(server.configCommandName, "GET", "dir")).rejects.toThrow(/NOPERM/);
            await expect(app.call("CONFIG", "GET", "dir")).rejects.toThrow(/unknown command/);
        });

        it("lets the admin user run CONFIG under its generated name", async () => {
            expect(await admin.call(server.configCommandName, "GET", "appendonly")).toEqual(["appendonly", "yes"]);
            expect(await admin.call("ACL", "WHOAMI")).toBe("admin");
        });

        it("allows what applications and hardened-redis/client need", async () => {
            const replies = await app
                .multi()
                .set("s", "1", "EX", 60)
                .hset("h", "f", "v")
                .lpush("l", "a")
                .sadd("set", "m")
                .zadd("z", 1, "m")
                .xadd("stream", "*", "f", "v")
                .publish("channel", "hello")
                .exec();
            expect(replies?.every(([error]) => error === null)).toBe(true);
            expect(await app.eval("return redis.call('GET', KEYS[1])", 1, "s")).toBe("1");
            const sha = (await app.script("LOAD", "return 1")) as string;
            expect(await app.evalsha(sha, 0)).toBe(1);
            expect(await app.scan("0", "MATCH", "*", "COUNT", 100)).toHaveLength(2);
            expect(await app.watch("s")).toBe("OK");
            expect(await app.unwatch()).toBe("OK");
            expect(await app.client("SETNAME", "app-check")).toBe("OK");
            expect(await app.client("GETNAME")).toBe("app-check");
            expect(typeof (await app.client("ID"))).toBe("number");
            expect(await app.info("memory")).toMatch(/used_memory:/);
            expect(await app.ping()).toBe("PONG");
            expect(await app.call("HELLO", "2")).toBeTruthy();
            expect(await app.blpop("l", 1)).toEqual(["l", "a"]);
            expect(await app.del("s", "h", "set", "z", "stream")).toBe(5);
            const tracking = new Redis(server.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
            try {
                expect(await tracking.client("TRACKING", "ON")).toBe("OK");
            } finally {
                tracking.disconnect();
            }
        });
    });

    describe("redis-server started from non-default settings", () => {
        it("honours switched-off AOF, RDB save points and another eviction policy", async () => {
            const server = await startLocalRedis({
                server: kind.name,
                appendonly: false,
                savePoints: [{ seconds: 900, changes: 1 }],
                maxmemory: "64mb",
                maxmemoryPolicy: "volatile-lru",
                disabledCommands: ["FLUSHALL"],
            });
            const client = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
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
            const primary = await startLocalRedis({ server: kind.name });
            const secrets = { passwords: primary.passwords, configCommandName: primary.configCommandName };
            const replica = await startLocalRedis(
                { replicaOfHost: "127.0.0.1", replicaOfPort: primary.port, server: kind.name },
                { secrets, configFile: "replica.conf" },
            );
            const writer = new Redis(primary.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
            const reader = new Redis(replica.connectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
            const replicaAdmin = new Redis(replica.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
            try {
                await writer.set("replicated", "yes");
                // WAIT returns once the replica acknowledged the write: proof it is connected and authenticated.
                expect(await writer.wait(1, 10_000)).toBe(1);
                expect(await reader.get("replicated")).toBe("yes");
                await expect(reader.set("x", "y")).rejects.toThrow(/READONLY/);
                // The replica keeps the hardening of redis.conf.
                await expect(reader.call("CONFIG", "GET", "maxmemory")).rejects.toThrow(/unknown command/);
                const role = (await replicaAdmin.call("ROLE")) as unknown[];
                expect(role[0]).toBe("slave");
                // It authenticated as the replication user, which can do nothing but replicate.
                const admin = new Redis(primary.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
                try {
                    const clients = (await admin.client("LIST")) as string;
                    expect(clients).toContain(" user=replication ");
                } finally {
                    admin.disconnect();
                }
            } finally {
                writer.disconnect();
                reader.disconnect();
                replicaAdmin.disconnect();
                await replica.stop();
                await primary.stop();
            }
        });
    });

    // Redis 7.0 replays a MULTI/EXEC from the AOF as the default user and checks that user's
    // permissions at EXEC (redis/redis#14541, valkey-io/valkey#3983): with `user default off` and no
    // permissions, every transaction and every multi-write script in the AOF was dropped at restart,
    // silently (a CRITICAL line in the log). Locks, fences, cache-aside writes and the app's own
    // transactions were lost by the next restart, a pod roll or a credential rotation.
    describe("redis-server restarted from its AOF", () => {
        let server: LocalRedis;
        let app: Redis;
        beforeAll(async () => {
            server = await startLocalRedis({ server: kind.name });
            app = new Redis(server.connectionString, { maxRetriesPerRequest: 3 });
        });
        afterAll(async () => {
            app?.disconnect();
            await server?.stop();
        });

        it("keeps what transactions and scripts wrote, as it keeps single writes", async () => {
            await app.set("single", "1");
            await app.multi().set("tx:a", "1").set("tx:b", "2").exec();
            await app.eval("redis.call('SET', KEYS[1], '1'); redis.call('SET', KEYS[2], '2'); return 1", 2, "script:a", "script:b");
            // Graceful, as a pod roll: what this test asks is whether the AOF replays, not whether a crash
            // loses its last second (it may, under a slow disk: fencing.server.test.ts covers that).
            await server.restart({ graceful: true });
            expect(await app.mget("single", "tx:a", "tx:b", "script:a", "script:b")).toEqual(["1", "1", "2", "1", "2"]);
        });

        it("lends the default user's permissions to no client: it cannot authenticate, and without AUTH every command gets NOAUTH", async () => {
            const anonymous = anonymousClient(server.port);
            try {
                await expect(anonymous.get("single")).rejects.toThrow(/NOAUTH/);
                await expect(anonymous.call("AUTH", "default", "anything")).rejects.toThrow(/WRONGPASS/);
                await expect(anonymous.call("HELLO", "3", "AUTH", "default", "anything")).rejects.toThrow(/WRONGPASS/);
            } finally {
                anonymous.disconnect();
            }
        });
    });
});
