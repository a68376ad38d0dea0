// The settings of a hardened redis.conf: what each may be, its default, and which combinations
// Redis would refuse or silently ignore. Rendering them is render.ts's job.
import { isIP } from "node:net";
import { z } from "zod";
import { ANY_SERVER, commandTable } from "../acl/commandTables";
import { DEFAULT_SERVER, serverNamed, SERVERS } from "../servers";
import { CONFIG_DIR, DATA_DIR } from "../container";
import { aclUsers, peerPassword, REPLICATION_USER, ruleRefusedOn, type RedisAclUser } from "../acl/users";
import { TLS_AUTH_CLIENTS } from "../tls/tlsLines";
import { parseSettings } from "../parseSettings";
import { REDIS_PORT } from "../../policies/shared/ports";
import { tcpPort, absolutePath, integer, hostName } from "./fields";

/** Redis 7's `maxmemory-policy` values. */
export const EVICTION_POLICIES = [
    "noeviction",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
] as const;

/** Redis 7's `appendfsync` values. */
export const APPENDFSYNC_MODES = ["always", "everysec", "no"] as const;

/** Commands disabled unless the caller chooses otherwise: each can wipe or stall the whole server. */
export const DEFAULT_DISABLED_COMMANDS: readonly string[] = ["FLUSHALL", "FLUSHDB", "DEBUG", "KEYS"];

/** An RDB snapshot rule: save when at least `changes` writes happened within `seconds`. */
export interface RedisSavePoint {
    /** Window in seconds (>= 1). */
    seconds: number;
    /** Number of writes within the window that triggers a snapshot (>= 1). */
    changes: number;
}

/**
 * Typed settings for a hardened `redis.conf`. Everything but the two
 * credentials has a secure default.
 */
export interface RedisConfigSettings {
    /**
     * ACL users (see {@link appUsers} for the roles every hardened Redis has). The `default` user is
     * always off. Only the SHA-256 of each password is written to the config.
     */
    users: RedisAclUser[];
    /** The random name the CONFIG command is renamed to: 16–64 letters, digits or underscores. */
    configCommandName: string;
    /**
     * The server the files are for: `redis-7` (default), `redis-8` or `valkey-8`. The files are the same for each; the rules and
     * `disabledCommands` may only name what that server knows.
     */
    server?: string;
    /** TCP port: the only listener, plaintext or (with `tls`) TLS. Default 6379. */
    port?: number;
    /**
     * Serve TLS only: the plaintext listener is closed (`port 0`), `port` becomes `tls-port`, replication runs over TLS, and only TLS 1.2
     * and 1.3 with forward-secret AEAD ciphers are offered. The certificate, its key and the CA are read from `configDir` (`tls.crt`,
     * `tls.key`, `ca.crt`), delivered next to the rendered files. Default false.
     */
    tls?: boolean;
    /**
     * With `tls`, whether clients must present a certificate signed by the CA: `no`, `optional` (verified when presented) or `yes`
     * (mutual TLS; replicas present the server certificate). Default `optional`.
     */
    tlsAuthClients?: string;
    /** Addresses to listen on. Default `["*", "-::*"]`: every interface inside the container (IPv6 if available). */
    bind?: string[];
    /** Absolute directory the rendered files are placed in. Default `/usr/local/etc/redis`. */
    configDir?: string;
    /** Absolute directory for the AOF and RDB files. Default `/data`. */
    dataDir?: string;
    /** Append-only file persistence. Default true. */
    appendonly?: boolean;
    /**
     * AOF fsync policy: `always`, `everysec` or `no`. Default `everysec` (at most one second of writes lost; `always` fsyncs every
     * write, which cut one-at-a-time writes to about a third in `npm run bench`).
     */
    appendfsync?: string;
    /** Skip fsync while a rewrite is running, so a rewrite cannot stall writes. Default true. */
    noAppendfsyncOnRewrite?: boolean;
    /** Rewrite the AOF when it grew by this percentage since the last rewrite (0 disables). Default 100. */
    autoAofRewritePercentage?: number;
    /** Minimum AOF size before an automatic rewrite, in bytes or `64mb` style. Default `64mb`. */
    autoAofRewriteMinSize?: string | number;
    /** RDB snapshot rules. Default none (AOF only). */
    savePoints?: RedisSavePoint[];
    /**
     * Memory limit for data, in bytes or `256mb` style (k/kb/m/mb/g/gb as Redis reads them). Default `192mb`, 75% of the components'
     * default 256 MiB container limit.
     */
    maxmemory?: string | number;
    /** Eviction policy when `maxmemory` is reached. Default `allkeys-lfu`. */
    maxmemoryPolicy?: string;
    /** LFU counter logarithm factor (0–100), only with an `*-lfu` policy. Default 10. */
    lfuLogFactor?: number;
    /** LFU counter decay in minutes (0–1440), only with an `*-lfu` policy. Default 1. */
    lfuDecayTime?: number;
    /**
     * Commands to disable entirely (renamed to ""). Default FLUSHALL, FLUSHDB, DEBUG, KEYS. CONFIG is always renamed, never listed here.
     */
    disabledCommands?: string[];
    /** Log commands slower than this many microseconds (-1 disables). Default 10000. */
    slowlogLogSlowerThanMicros?: number;
    /** Slow log length. Default 128. */
    slowlogMaxLen?: number;
    /** Record latency events above this many milliseconds (0 disables). Default 100. */
    latencyMonitorThresholdMs?: number;
    /**
     * Primary to replicate from (a DNS name). When set, `replica.conf` is rendered too: it includes `redis.conf` and adds the replication
     * settings.
     */
    replicaOfHost?: string;
    /** The primary's port. Default 6379. */
    replicaOfPort?: number;
    /**
     * Refuse writes unless at least this many replicas are connected and lagging no more than `minReplicasMaxLagSeconds`: bounds what
     * a primary cut off from its replicas (and from the Sentinels, which promote another) accepts and later loses. Default 0 (off).
     */
    minReplicasToWrite?: number;
    /** Replica lag, in seconds, that still counts for `minReplicasToWrite`. Default 10. */
    minReplicasMaxLagSeconds?: number;
}

const MEMORY_UNITS: Readonly<Record<string, number>> = {
    "": 1,
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1000 ** 2,
    mb: 1024 ** 2,
    g: 1000 ** 3,
    gb: 1024 ** 3,
};
const MEMORY_ALLOWED = 'a whole number of bytes, or a size such as "256mb" (units k, kb, m, mb, g, gb)';

/** Bytes for a Redis memory size (`268435456`, `"256mb"`, `"1g"`), or undefined when Redis would not read it. */
export function parseMemorySize(value: string | number): number | undefined {
    if (typeof value === "number") {
        return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
    }
    const match = /^(\d{1,15})([kmg]b?|b)?$/i.exec(value.trim());
    if (!match) return undefined;
    const bytes = Number(match[1]) * MEMORY_UNITS[(match[2] ?? "").toLowerCase()];
    return Number.isSafeInteger(bytes) ? bytes : undefined;
}

const memorySize = z.union([z.number(), z.string()], { error: MEMORY_ALLOWED }).transform((value, ctx) => {
    const bytes = parseMemorySize(value);
    if (bytes === undefined) {
        ctx.addIssue({ code: "custom", message: MEMORY_ALLOWED });
        return z.NEVER;
    }
    return bytes;
});

const CONFIG_NAME_ALLOWED = "16 to 64 letters, digits or underscores, not the name of an existing command";
const BIND_ALLOWED = 'one to 16 distinct addresses, each an IPv4/IPv6 address, "*" or "::*", optionally prefixed with "-"';

function isBindAddress(entry: string): boolean {
    const address = entry.startsWith("-") ? entry.slice(1) : entry;
    return address === "*" || address === "::*" || isIP(address) !== 0;
}
/**
 * Commands the deployment itself relies on: clients and probes authenticate (AUTH, HELLO)
 * and ping (PING); replicas sync (PSYNC, SYNC, REPLCONF) and apply what the primary sends
 * besides client writes (SELECT, DEL/UNLINK for expiry and eviction, MULTI/EXEC, PEXPIREAT);
 * CONFIG is renamed, not disabled.
 */
const REQUIRED_COMMANDS: ReadonlySet<string> = new Set([
    "auth",
    "hello",
    "ping",
    "psync",
    "sync",
    "replconf",
    "select",
    "del",
    "unlink",
    "multi",
    "exec",
    "pexpireat",
    "config",
]);
const disabledAllowed = (who: string) =>
    `distinct command names ${who} knows (e.g. FLUSHALL, KEYS), except ${[...REQUIRED_COMMANDS]
        .filter((c) => c !== "config")
        .map((c) => c.toUpperCase())
        .join(", ")} which clients, probes and replicas need; CONFIG is renamed by configCommandName instead`;
const DISABLED_ALLOWED = disabledAllowed("a server");

const commandList = z.array(z.string({ error: DISABLED_ALLOWED }), { error: DISABLED_ALLOWED }).superRefine((names, ctx) => {
    const seen = new Set<string>();
    names.forEach((name, i) => {
        const lower = name.toLowerCase();
        const plainToken = /^[a-z][a-z0-9_-]*$/.test(lower);
        if (!plainToken || !ANY_SERVER.commands.has(lower) || REQUIRED_COMMANDS.has(lower) || seen.has(lower)) {
            ctx.addIssue({ code: "custom", path: [i], message: DISABLED_ALLOWED });
        }
        seen.add(lower);
    });
});

const credentialShape = {
    users: aclUsers,
    configCommandName: z
        .string({ error: CONFIG_NAME_ALLOWED })
        .regex(/^[A-Za-z0-9_]{16,64}$/, { error: CONFIG_NAME_ALLOWED })
        .refine((name) => !ANY_SERVER.commands.has(name.toLowerCase()), { error: CONFIG_NAME_ALLOWED }),
};

/**
 * The contract between the components and redis.conf: the settings a component takes as arguments
 * (RedisServerArgs declares each, documented for every Pulumi language) and forwards here as they
 * are. A new one is an entry here, its field on RedisConfigSettings and RedisServerArgs (the
 * type-checker holds both to this list) and its line in render.ts.
 */
export const componentSettingShape = {
    port: tcpPort.default(REDIS_PORT),
    appendonly: z.boolean({ error: "true or false" }).default(true),
    appendfsync: z.enum(APPENDFSYNC_MODES, { error: APPENDFSYNC_MODES.join(", ") }).default("everysec"),
    savePoints: z
        .array(
            z.strictObject({
                seconds: integer(1, 31_536_000, "an integer number of seconds from 1 to 31536000"),
                changes: integer(1, 1_000_000_000, "an integer number of writes from 1 to 1000000000"),
            }),
            { error: "a list of { seconds, changes } rules" },
        )
        .max(16, { error: "at most 16 rules" })
        .default([]),
    maxmemory: memorySize.default(192 * 1024 ** 2),
    maxmemoryPolicy: z.enum(EVICTION_POLICIES, { error: EVICTION_POLICIES.join(", ") }).default("allkeys-lfu"),
    disabledCommands: commandList.default([...DEFAULT_DISABLED_COMMANDS]),
};

/** The settings of componentSettingShape, by name. */
export type ComponentSetting = keyof typeof componentSettingShape;
export const COMPONENT_SETTINGS = Object.keys(componentSettingShape) as ComponentSetting[];

/** A `server` setting's value: one of the servers the components run (redis/servers.ts). */
export const serverName = z
    .enum(SERVERS.map((s) => s.name) as [string, ...string[]], { error: SERVERS.map((s) => s.name).join(", ") })
    .default(DEFAULT_SERVER.name);

const settingShape = {
    ...componentSettingShape,
    /** The server the files are for: its commands are what rules and disabledCommands may name. */
    server: serverName,
    bind: z
        .array(z.string({ error: BIND_ALLOWED }).refine(isBindAddress, { error: BIND_ALLOWED }), { error: BIND_ALLOWED })
        .min(1, { error: BIND_ALLOWED })
        .max(16, { error: BIND_ALLOWED })
        .refine((entries) => new Set(entries).size === entries.length, { error: BIND_ALLOWED })
        .default(["*", "-::*"]),
    tls: z.boolean({ error: "true or false" }).default(false),
    tlsAuthClients: z.enum(TLS_AUTH_CLIENTS, { error: `${TLS_AUTH_CLIENTS.join(", ")}, with tls` }).optional(),
    configDir: absolutePath.default(CONFIG_DIR),
    dataDir: absolutePath.default(DATA_DIR),
    noAppendfsyncOnRewrite: z.boolean({ error: "true or false" }).default(true),
    autoAofRewritePercentage: integer(0, 10_000, "an integer from 0 (off) to 10000").default(100),
    autoAofRewriteMinSize: memorySize.default(64 * 1024 ** 2),
    lfuLogFactor: integer(0, 100, "an integer from 0 to 100, with an *-lfu maxmemoryPolicy").optional(),
    lfuDecayTime: integer(0, 1440, "an integer number of minutes from 0 to 1440, with an *-lfu maxmemoryPolicy").optional(),
    slowlogLogSlowerThanMicros: integer(-1, 60_000_000, "an integer from -1 (off) to 60000000 microseconds").default(10_000),
    slowlogMaxLen: integer(0, 100_000, "an integer from 0 to 100000").default(128),
    latencyMonitorThresholdMs: integer(0, 60_000, "an integer from 0 (off) to 60000 milliseconds").default(100),
    replicaOfHost: hostName.optional(),
    replicaOfPort: integer(1, 65535, "an integer from 1 to 65535, with replicaOfHost").optional(),
    minReplicasToWrite: integer(0, 16, "an integer from 0 (off) to 16").default(0),
    minReplicasMaxLagSeconds: integer(1, 3600, "an integer number of seconds from 1 to 3600").default(10),
};

/** {@link RedisTuningSettings} with every default applied and every size in bytes. */
export type ResolvedRedisTuning = z.output<z.ZodObject<typeof settingShape>>;

function checkCombinations(s: ResolvedRedisTuning, ctx: z.RefinementCtx): void {
    if (s.maxmemory === 0 && s.maxmemoryPolicy !== "noeviction") {
        // maxmemory 0 means "no limit", so the eviction policy would never run and the
        // container's memory limit would OOM-kill Redis instead.
        ctx.addIssue({
            code: "custom",
            path: ["maxmemory"],
            message: `a size above 0 when maxmemoryPolicy is ${s.maxmemoryPolicy} (0 means unlimited: nothing would ever be evicted)`,
        });
    }
    if (s.maxmemory > 0 && s.maxmemory < 1024 * 1024) {
        ctx.addIssue({ code: "custom", path: ["maxmemory"], message: "0 (unlimited) or at least 1mb: Redis cannot run in less" });
    }
    const lfu = s.maxmemoryPolicy.endsWith("-lfu");
    for (const setting of ["lfuLogFactor", "lfuDecayTime"] as const) {
        if (!lfu && s[setting] !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: [setting],
                message: `nothing unless maxmemoryPolicy is allkeys-lfu or volatile-lfu (it is ${s.maxmemoryPolicy})`,
            });
        }
    }
    if (s.tlsAuthClients !== undefined && !s.tls) {
        ctx.addIssue({ code: "custom", path: ["tlsAuthClients"], message: "nothing unless tls is true" });
    }
    if (s.replicaOfPort !== undefined && s.replicaOfHost === undefined) {
        ctx.addIssue({ code: "custom", path: ["replicaOfPort"], message: "nothing unless replicaOfHost is set" });
    }
    // Names the server lacks: it would refuse to start on the rename-command line.
    const server = serverNamed(s.server);
    const known = commandTable(s.server).commands;
    const unknown = s.disabledCommands.findIndex((name) => !known.has(name.toLowerCase()));
    if (unknown >= 0) ctx.addIssue({ code: "custom", path: ["disabledCommands", unknown], message: disabledAllowed(server.title) });
}

/** The password a replica authenticates to its primary with: the replication user's {@link peerPassword}. */
export function replicationPassword(users: readonly RedisAclUser[]): string | undefined {
    return peerPassword(users.find((u) => u.name === REPLICATION_USER)?.passwords ?? []);
}

const settingsSchema = z
    .strictObject({ ...credentialShape, ...settingShape })
    .superRefine(checkCombinations)
    .superRefine((s, ctx) => {
        const server = serverNamed(s.server);
        for (const [i, user] of s.users.entries()) {
            const refused = ruleRefusedOn(server.title, commandTable(server.name), user);
            if (refused) ctx.addIssue({ code: "custom", path: ["users", i, ...refused.path], message: refused.message });
        }
        if (s.replicaOfHost !== undefined && replicationPassword(s.users) === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["users"],
                message: `a user named "${REPLICATION_USER}" (replicas authenticate to the primary as it) when replicaOfHost is set`,
            });
        }
    });
const settingsWithoutCredentialsSchema = z.strictObject(settingShape).superRefine(checkCombinations);
/** Every setting, each of which RedisConfigSettings must declare (a setting it lacks fails this type). */
const KNOWN_SETTINGS: ReadonlyArray<keyof RedisConfigSettings> = Object.keys({ ...credentialShape, ...settingShape }) as Array<
    keyof typeof credentialShape | keyof typeof settingShape
>;
const SECRET_SETTINGS: ReadonlySet<string> = new Set(Object.keys(credentialShape));

/** Settings with every default applied and every size in bytes. */
export type ResolvedRedisConfig = z.output<typeof settingsSchema>;

/** Everything in {@link RedisConfigSettings} but the credentials, which components generate. */
export type RedisTuningSettings = Omit<RedisConfigSettings, "users" | "configCommandName">;

/** Validates settings and applies defaults; throws {@link RedisConfigError} naming the first bad setting. */
export function resolveRedisConfig(settings: RedisConfigSettings): ResolvedRedisConfig {
    return parseSettings(settingsSchema, settings, KNOWN_SETTINGS, SECRET_SETTINGS);
}

/**
 * Validates everything but the credentials. Components call this at
 * construction, because their generated credentials are unknown during a
 * first preview and bad settings must still fail there.
 */
export function checkRedisSettings(settings: RedisTuningSettings): ResolvedRedisTuning {
    return parseSettings(settingsWithoutCredentialsSchema, settings, KNOWN_SETTINGS);
}
