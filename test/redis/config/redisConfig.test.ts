import { describe, expect, it } from "vitest";
import {
    DEFAULT_DISABLED_COMMANDS,
    hardenedUsers,
    hashRedisPassword,
    parseMemorySize,
    RedisConfigError,
    renderRedisConfig,
    type RedisConfigSettings,
} from "../../../index";

const passwords = {
    app: ["Correct-Horse-Battery-Staple-42"],
    admin: ["Admin-Horse-Battery-Staple-42"],
    replication: ["Replica-Horse-Battery-Staple-42", "Previous-Replica-Staple-41"],
};
const credentials = { users: hardenedUsers(passwords), configCommandName: "cfg_0123456789abcdef" };
const allPasswords = [...passwords.app, ...passwords.admin, ...passwords.replication];

function conf(settings: Partial<RedisConfigSettings> = {}): string {
    return renderRedisConfig({ ...credentials, ...settings })["redis.conf"];
}

function directives(text: string): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const line of text.split("\n")) {
        if (!line.trim() || line.startsWith("#")) continue;
        const [key, ...rest] = line.split(" ");
        map.set(key, [...(map.get(key) ?? []), rest.join(" ")]);
    }
    return map;
}

describe("renderRedisConfig defaults", () => {
    const files = renderRedisConfig(credentials);
    const d = directives(files["redis.conf"]);

    it("returns redis.conf and nothing else (no ACL file: the user is declared inline)", () => {
        expect(Object.keys(files)).toEqual(["redis.conf"]);
    });

    it("turns the default user off (its permissions only for the AOF replay, see users.ts) and declares the app, admin and replication users with SHA-256 passwords only", () => {
        const hash = (p: string) => `#${hashRedisPassword(p)}`;
        expect(d.get("user")).toEqual([
            "default reset off +@all ~* &*",
            `app reset on ${hash(passwords.app[0])} ~* &[^_]* &_[^_]* &_ &__redis__:invalidate &__keyspace@*__:* &__keyevent@*__:* +@all -@dangerous +info -script|debug -function|load -function|delete -function|flush -function|restore`,
            `admin reset on ${hash(passwords.admin[0])} ~* &* +@all`,
            `replication reset on ${passwords.replication.map(hash).join(" ")} +psync +replconf +ping`,
        ]);
        for (const password of allPasswords) expect(files["redis.conf"]).not.toContain(password);
        expect(d.has("requirepass")).toBe(false);
        expect(hashRedisPassword("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    });

    it("hardens the server", () => {
        expect(d.get("protected-mode")).toEqual(["yes"]);
        expect(d.get("enable-debug-command")).toEqual(["no"]);
        expect(d.get("enable-module-command")).toEqual(["no"]);
        expect(d.get("enable-protected-configs")).toEqual(["no"]);
        expect(d.get("rename-command")).toEqual([
            `CONFIG ${credentials.configCommandName}`,
            ...DEFAULT_DISABLED_COMMANDS.map((c) => `${c} ""`),
        ]);
        expect(DEFAULT_DISABLED_COMMANDS).toEqual(expect.arrayContaining(["FLUSHALL", "FLUSHDB", "DEBUG", "KEYS"]));
    });

    it("persists with AOF everysec and no RDB snapshots", () => {
        expect(d.get("appendonly")).toEqual(["yes"]);
        expect(d.get("appendfsync")).toEqual(["everysec"]);
        expect(d.get("no-appendfsync-on-rewrite")).toEqual(["yes"]);
        expect(d.get("auto-aof-rewrite-percentage")).toEqual(["100"]);
        expect(d.get("auto-aof-rewrite-min-size")).toEqual([String(64 * 1024 * 1024)]);
        expect(d.get("save")).toEqual(['""']);
        expect(d.get("dir")).toEqual(["/data"]);
    });

    it("bounds memory and evicts by LFU", () => {
        expect(d.get("maxmemory")).toEqual([String(192 * 1024 * 1024)]);
        expect(d.get("maxmemory-policy")).toEqual(["allkeys-lfu"]);
        expect(d.get("lfu-log-factor")).toEqual(["10"]);
        expect(d.get("lfu-decay-time")).toEqual(["1"]);
    });

    it("listens on every interface of the container, on 6379, with slowlog and latency monitoring", () => {
        expect(d.get("bind")).toEqual(["* -::*"]);
        expect(directives(conf({ bind: ["127.0.0.1", "-::1"] })).get("bind")).toEqual(["127.0.0.1 -::1"]);
        expect(d.get("port")).toEqual(["6379"]);
        expect(d.get("slowlog-log-slower-than")).toEqual(["10000"]);
        expect(d.get("slowlog-max-len")).toEqual(["128"]);
        expect(d.get("latency-monitor-threshold")).toEqual(["100"]);
        expect(d.get("daemonize")).toEqual(["no"]);
    });
});

describe("renderRedisConfig settings", () => {
    it("switches persistence", () => {
        const d = directives(
            conf({
                appendonly: false,
                savePoints: [
                    { seconds: 900, changes: 1 },
                    { seconds: 60, changes: 10000 },
                ],
                appendfsync: "always",
            }),
        );
        expect(d.get("appendonly")).toEqual(["no"]);
        expect(d.get("save")).toEqual(["900 1 60 10000"]);
        expect(d.get("appendfsync")).toEqual(["always"]);
    });

    it("reads memory sizes as Redis does and drops LFU tuning for other policies", () => {
        const d = directives(conf({ maxmemory: "1gb", maxmemoryPolicy: "volatile-ttl" }));
        expect(d.get("maxmemory")).toEqual([String(1024 ** 3)]);
        expect(d.get("maxmemory-policy")).toEqual(["volatile-ttl"]);
        expect(d.has("lfu-log-factor")).toBe(false);
        expect(directives(conf({ maxmemory: 0, maxmemoryPolicy: "noeviction" })).get("maxmemory")).toEqual(["0"]);
        expect(directives(conf({ lfuLogFactor: 5, lfuDecayTime: 10 })).get("lfu-decay-time")).toEqual(["10"]);
    });

    it("parses memory sizes with Redis's units", () => {
        expect(parseMemorySize("256mb")).toBe(256 * 1024 ** 2);
        expect(parseMemorySize("256m")).toBe(256 * 1000 ** 2);
        expect(parseMemorySize("2GB")).toBe(2 * 1024 ** 3);
        expect(parseMemorySize("100k")).toBe(100_000);
        expect(parseMemorySize("100kb")).toBe(102_400);
        expect(parseMemorySize(12345)).toBe(12345);
        for (const bad of ["", "mb", "1.5gb", "-1", "12tb", "1 gb x", 1.5, -1]) expect(parseMemorySize(bad)).toBeUndefined();
    });

    it("disables the commands it is given, in any case, and only those", () => {
        const d = directives(conf({ disabledCommands: ["keys", "SHUTDOWN"] }));
        expect(d.get("rename-command")).toEqual([`CONFIG ${credentials.configCommandName}`, 'KEYS ""', 'SHUTDOWN ""']);
        expect(directives(conf({ disabledCommands: [] })).get("rename-command")).toHaveLength(1);
    });
});

describe("renderRedisConfig with tls", () => {
    it("listens for TLS only, on the configured port, with TLS 1.2/1.3 and forward-secret AEAD suites", () => {
        const d = directives(conf({ tls: true, port: 6380, configDir: "/etc/redis" }));
        expect(d.get("port")).toEqual(["0"]);
        expect(d.get("tls-port")).toEqual(["6380"]);
        expect(d.get("tls-cert-file")).toEqual(["/etc/redis/tls.crt"]);
        expect(d.get("tls-key-file")).toEqual(["/etc/redis/tls.key"]);
        expect(d.get("tls-ca-cert-file")).toEqual(["/etc/redis/ca.crt"]);
        expect(d.get("tls-auth-clients")).toEqual(["optional"]);
        expect(d.get("tls-protocols")).toEqual(['"TLSv1.2 TLSv1.3"']);
        expect(d.get("tls-replication")).toEqual(["yes"]);
        for (const suite of d.get("tls-ciphers")?.[0].split(":") ?? [])
            expect(suite).toMatch(/^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
    });

    it("requires client certificates when told, and renders no TLS directive without tls", () => {
        expect(directives(conf({ tls: true, tlsAuthClients: "yes" })).get("tls-auth-clients")).toEqual(["yes"]);
        expect(conf()).not.toMatch(/^tls-/m);
        expect(directives(conf()).get("port")).toEqual(["6379"]);
    });

    it("refuses tlsAuthClients without tls, and values Redis does not know", () => {
        expect(() => conf({ tlsAuthClients: "yes" })).toThrow(/"tlsAuthClients": got "yes"; allowed: nothing unless tls is true/);
        expect(() => conf({ tls: true, tlsAuthClients: "required" })).toThrow(
            /"tlsAuthClients": got "required"; allowed: no, optional, yes, with tls/,
        );
    });
});

describe("renderRedisConfig for a replica", () => {
    it("adds replica.conf, which includes redis.conf and follows the primary; every server can authenticate to one", () => {
        const files = renderRedisConfig({ ...credentials, replicaOfHost: "cache-0.cache-headless.ns.svc.cluster.local" });
        expect(Object.keys(files).sort()).toEqual(["redis.conf", "replica.conf"]);
        const replica = directives(files["replica.conf"]);
        expect(replica.get("include")).toEqual(["/usr/local/etc/redis/redis.conf"]);
        expect(replica.get("replicaof")).toEqual(["cache-0.cache-headless.ns.svc.cluster.local 6379"]);
        // In redis.conf, which the primary runs too: demoted by Sentinel, it must authenticate to the new primary.
        const d = directives(files["redis.conf"]);
        expect(d.get("masteruser")).toEqual(["replication"]);
        // The oldest of the replication user's passwords: accepted by the primary before and after it rolls.
        expect(d.get("masterauth")).toEqual([passwords.replication[1]]);
        expect(d.get("replica-read-only")).toEqual(["yes"]);
        expect(d.get("replicaof")).toBeUndefined();
        // No other password in plain text.
        for (const password of allPasswords.filter((p) => p !== passwords.replication[1]))
            expect(files["redis.conf"]).not.toContain(password);
        expect(conf()).not.toMatch(/masterauth/);
    });

    it("needs a replication user to authenticate as", () => {
        const users = credentials.users.filter((u) => u.name !== "replication");
        expect(() => renderRedisConfig({ ...credentials, users, replicaOfHost: "primary" })).toThrow(
            /"users": got a value that is not shown \(secret\); allowed: a user named "replication"/,
        );
    });

    it("rejects a primary host that would inject a directive", () => {
        expect(() => renderRedisConfig({ ...credentials, replicaOfHost: "primary\nprotected-mode no" })).toThrow(
            /"replicaOfHost": got "primary\\nprotected-mode no"; allowed: a DNS name or IP address/,
        );
    });
});

describe("renderRedisConfig rejects bad settings with a RedisConfigError naming them", () => {
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
        [
            "an unknown eviction policy",
            { maxmemoryPolicy: "allkeys-lfuu" },
            "maxmemoryPolicy",
            /got "allkeys-lfuu"; allowed: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl$/,
        ],
        [
            "an unparsable memory size",
            { maxmemory: "256 megs" },
            "maxmemory",
            /got "256 megs"; allowed: a whole number of bytes, or a size such as "256mb"/,
        ],
        ["a fractional memory size", { maxmemory: 1.5 }, "maxmemory", /got 1.5/],
        [
            "zero memory with eviction",
            { maxmemory: "0" },
            "maxmemory",
            /got "0"; allowed: a size above 0 when maxmemoryPolicy is allkeys-lfu/,
        ],
        ["an unparsable rewrite size", { autoAofRewriteMinSize: "big" }, "autoAofRewriteMinSize", /got "big"/],
        ["a port of 0", { port: 0 }, "port", /got 0; allowed: an integer from 1 to 65535$/],
        ["a port above 65535", { port: 65536 }, "port", /got 65536/],
        ["a fractional port", { port: 6379.5 }, "port", /got 6379.5/],
        ["a port given as a string", { port: "6379" }, "port", /got "6379"/],
        ["an unknown fsync mode", { appendfsync: "sometimes" }, "appendfsync", /allowed: always, everysec, no$/],
        [
            "a command name that is not a token",
            { disabledCommands: ["FLUSHALL\nrequirepass x"] },
            "disabledCommands.0",
            /allowed: distinct command names a server knows/,
        ],
        ["an unknown command", { disabledCommands: ["FLUSHEVERYTHING"] }, "disabledCommands.0", /got "FLUSHEVERYTHING"/],
        ["a duplicate command", { disabledCommands: ["KEYS", "keys"] }, "disabledCommands.1", /got "keys"/],
        [
            "CONFIG in the disabled list",
            { disabledCommands: ["CONFIG"] },
            "disabledCommands.0",
            /CONFIG is renamed by configCommandName instead/,
        ],
        [
            "LFU tuning without an LFU policy",
            { maxmemoryPolicy: "allkeys-lru", lfuLogFactor: 10 },
            "lfuLogFactor",
            /allowed: nothing unless maxmemoryPolicy is allkeys-lfu or volatile-lfu/,
        ],
        ["a relative data dir", { dataDir: "data" }, "dataDir", /got "data"; allowed: an absolute path/],
        ["a data dir with a space", { dataDir: "/my data" }, "dataDir", /got "\/my data"/],
        [
            "a bind address that injects a directive",
            { bind: ["127.0.0.1\nprotected-mode no"] },
            "bind.0",
            /allowed: one to 16 distinct addresses/,
        ],
        ["an empty bind list", { bind: [] }, "bind", /got \[\]/],
        ["a save rule of 0 seconds", { savePoints: [{ seconds: 0, changes: 1 }] }, "savePoints.0.seconds", /got 0/],
        [
            "a save rule with an extra key",
            { savePoints: [{ seconds: 1, changes: 1, every: 2 }] },
            "savePoints.0.every",
            /got an unknown setting; allowed: only the documented fields/,
        ],
        [
            "an unknown setting",
            { maxMemory: "1gb" },
            "maxMemory",
            /got an unknown setting; allowed: known settings: users, configCommandName, port/,
        ],
        [
            "disabling AUTH, which every client needs",
            { disabledCommands: ["AUTH"] },
            "disabledCommands.0",
            /got "AUTH"; allowed: .*except AUTH, HELLO, PING, PSYNC, SYNC, REPLCONF, SELECT, DEL, UNLINK, MULTI, EXEC, PEXPIREAT which clients, probes and replicas need/,
        ],
        [
            "a command newer than Redis 7 (the default server)",
            { disabledCommands: ["HEXPIRE"] },
            "disabledCommands.0",
            /got "HEXPIRE"; allowed: distinct command names Redis 7 knows/,
        ],
        ["a bind address that is not an address", { bind: ["...."] }, "bind.0", /got "...."/],
        ["a bind address that is a hex word", { bind: ["ffff"] }, "bind.0", /got "ffff"/],
        ["a duplicate bind address", { bind: ["127.0.0.1", "127.0.0.1"] }, "bind", /allowed: one to 16 distinct addresses/],
        ["a maxmemory below 1mb", { maxmemory: "100kb" }, "maxmemory", /got "100kb"; allowed: 0 \(unlimited\) or at least 1mb/],
        ["a replica port without a primary", { replicaOfPort: 6380 }, "replicaOfPort", /allowed: nothing unless replicaOfHost is set/],
        ["disabling DEL, which replicas need for expiry", { disabledCommands: ["DEL"] }, "disabledCommands.0", /got "DEL"/],
        [
            "a configCommandName that is too short",
            { configCommandName: "cfg" },
            "configCommandName",
            /allowed: 16 to 64 letters, digits or underscores/,
        ],
        ["a configCommandName with a space", { configCommandName: "cfg 0123456789abcdef" }, "configCommandName", /allowed: 16 to 64/],
    ];
    it.each(cases)("%s", (_label, settings, setting, message) => {
        const attempt = () => renderRedisConfig({ ...credentials, ...settings });
        expect(attempt).toThrow(RedisConfigError);
        expect(attempt).toThrow(message);
        try {
            attempt();
        } catch (e) {
            expect((e as RedisConfigError).setting).toBe(setting);
            expect((e as Error).message).toContain(`"${setting}"`);
        }
    });

    const badPasswords: Array<[string, string]> = [
        ["too short", "short-pass-1"],
        ["with a space", "correct horse battery staple"],
        ["with a newline that would inject a directive", "Correct-Horse-42\nprotected-mode no"],
        ["with a double quote", 'Correct-Horse-"Battery"'],
        ["with a single quote", "Correct-Horse-'Battery'"],
        ["with a backslash", "Correct-Horse\\Battery-42"],
        ["with a non-ASCII character", "Correct-Horse-Bättery-42"],
    ];
    it.each(badPasswords)("a password %s, without echoing it", (_label, password) => {
        const attempt = () => renderRedisConfig({ ...credentials, users: hardenedUsers({ ...passwords, app: [password] }) });
        expect(attempt).toThrow(
            /Invalid Redis setting "users.0.passwords.0": got a value that is not shown \(secret\); allowed: 1 to 3 distinct passwords of 16 to 512 printable ASCII/,
        );
        try {
            attempt();
        } catch (e) {
            expect((e as Error).message).not.toContain(password);
            expect(JSON.stringify(e)).not.toContain(password);
        }
    });

    const badUsers: Array<[string, Partial<RedisConfigSettings["users"][number]>, string, RegExp]> = [
        ["an unknown category", { allowCategories: ["reads"] }, "users.3.allowCategories.0", /allowed: ACL categories a server knows/],
        ["an unknown command", { allowCommands: ["gett"] }, "users.3.allowCommands.0", /allowed: command names a server knows/],
        ["a command with a space that would add a rule", { denyCommands: ["get +@all"] }, "users.3.denyCommands.0", /command names/],
        ["a key pattern with a space", { keyPatterns: ["cache:* nopass"] }, "users.3.keyPatterns.0", /without whitespace/],
        ["a key pattern with a newline", { keyPatterns: ["a\nuser x on nopass"] }, "users.3.keyPatterns.0", /without whitespace/],
        ["the default user", { name: "default" }, "users.3.name", /not default/],
        ["four passwords", { passwords: allPasswords.slice(0, 4) }, "users.3.passwords", /1 to 3 distinct passwords/],
        ["no password", { passwords: [] }, "users.3.passwords", /1 to 3 distinct passwords/],
        ["an unknown rule field such as nopass", { nopass: true } as never, "users.3.nopass", /only the documented fields/],
    ];
    it.each(badUsers)("a user with %s", (_label, user, setting, message) => {
        const users = [...credentials.users, { name: "reports", passwords: ["Reports-Horse-Battery-42"], ...user }];
        const attempt = () => renderRedisConfig({ ...credentials, users });
        expect(attempt).toThrow(RedisConfigError);
        expect(attempt).toThrow(message);
        expect(attempt).toThrow(`"${setting}"`);
    });

    it("two users with one name", () => {
        const users = [...credentials.users, { ...credentials.users[0] }];
        expect(() => renderRedisConfig({ ...credentials, users })).toThrow(/"users": .*allowed: 1 to 32 ACL users with distinct names/);
    });

    it("settings that are not an object, without echoing them", () => {
        const attempt = () => renderRedisConfig(passwords.app[0] as unknown as RedisConfigSettings);
        expect(attempt).toThrow('Invalid Redis setting "settings": got a string; allowed: an object of the documented settings');
    });

    it("no users", () => {
        expect(() => renderRedisConfig({ configCommandName: credentials.configCommandName } as RedisConfigSettings)).toThrow(
            /"users": got a value that is not shown \(secret\); allowed: 1 to 32 ACL users/,
        );
    });
});
