// sentinel.conf rendered from typed settings, as redis.conf is: the Sentinels that watch a
// primary and its replicas and promote a replica when the primary is gone. Planning only.
import { z } from "zod";
import { SENTINEL_HELLO_CHANNEL, SENTINEL_PEER_COMMANDS, SERVER_SCRIPT_COMMANDS } from "../../policies/shared/acl";
import type { ServerFamily } from "../../policies/shared/programs";
import { sentinelStartScript, TOPOLOGY_LINE } from "../../policies/shared/sentinelStart";
import { serverStartScript, type ServerStartOptions } from "../../policies/shared/serverStart";
import { CONFIG_DIR, DATA_DIR, TLS_FILES } from "../container";
import type { SentinelPlan } from "./topology";
import { TLS_AUTH_CLIENTS, tlsListenerLines } from "../tls/tlsLines";
import {
    aclUserLine,
    aclUsers,
    ADMIN_USER,
    APP_USER,
    DEFAULT_USER_OFF,
    REPLICATION_USER,
    peerPassword,
    SENTINEL_USER,
    type RedisAclUser,
} from "../acl/users";
import { parseSettings } from "../parseSettings";
import { SENTINEL_PORT } from "../../policies/shared/ports";
import { hostName, tcpPort, integer, absolutePath } from "../config/fields";
import { serverName } from "../config/settings";
import { serverNamed } from "../servers";

/** Typed settings for a hardened `sentinel.conf`. */
export interface SentinelConfigSettings {
    /** Name the primary is monitored under; clients ask the Sentinels for it. */
    masterName: string;
    /** DNS name of the primary Redis starts with (Sentinel tracks it from there on). */
    primaryHost: string;
    /** Port of every Redis server. */
    redisPort: number;
    /**
     * DNS name this Sentinel announces to the others and to clients. Omit it when each Sentinel of
     * one rendered file gives its own on the command line (`sentinelCommand`'s `announceHost`).
     */
    announceHost?: string;
    /** Port this Sentinel listens on. Default 26379. */
    port?: number;
    /**
     * Every Redis server of the topology, the primary included, as Sentinels name them. Listed in the
     * file for the start script, which keeps what Sentinel learnt only about these.
     */
    servers: Array<{ host: string; port: number }>;
    /** Every Sentinel of the topology, this one included, as they announce themselves. */
    sentinels: Array<{ host: string; port: number }>;
    /** Sentinels that must agree the primary is down before a failover starts. */
    quorum: number;
    /** How long the primary may not answer before a Sentinel considers it down, in ms. */
    downAfterMilliseconds: number;
    /** How long a failover may take before another Sentinel tries again, in ms. */
    failoverTimeoutMilliseconds: number;
    /**
     * The Redis servers' users (app, admin, replication and sentinel, with their passwords). Sentinel
     * declares the same users, so one connection string authenticates to both: app may only ask where
     * the primary is, admin may administer Sentinel, replication (what the servers' own start and stop
     * scripts authenticate as) may ask where the primary is and start a failover, and the sentinel user
     * (also what Sentinels authenticate to Redis and to each other as) may do what Sentinels do.
     */
    users: RedisAclUser[];
    /** The name CONFIG is renamed to on the Redis servers (Sentinel sends CONFIG REWRITE after a failover). */
    configCommandName: string;
    /** Absolute directory Sentinel runs in: it rewrites its config file there. */
    dataDir: string;
    /** Absolute directory of the TLS files (as for redis.conf), with `tls`. */
    configDir: string;
    /** Speak TLS only, to clients, to Redis and to the other Sentinels. Default false. */
    tls?: boolean;
    /** With `tls`: `no`, `optional` or `yes`. Default `optional`. */
    tlsAuthClients?: string;
    /** The server whose Sentinel runs the file (`redis-7`, `redis-8`, `valkey-8`; default `redis-7`): Valkey's also answers to PRIMARY names. */
    server?: string;
}

const schema = z
    .strictObject({
        masterName: z
            .string({ error: "1 to 64 letters, digits, '_' or '-'" })
            .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "1 to 64 letters, digits, '_' or '-'" }),
        primaryHost: hostName,
        redisPort: tcpPort,
        announceHost: hostName.optional(),
        port: tcpPort.default(SENTINEL_PORT),
        servers: z
            .array(z.strictObject({ host: hostName, port: tcpPort }), { error: "a list of { host, port }" })
            .min(1, { error: "at least one server" }),
        sentinels: z
            .array(z.strictObject({ host: hostName, port: tcpPort }), { error: "a list of { host, port }" })
            .min(1, { error: "at least one Sentinel" }),
        quorum: integer(1, 9, "an integer from 1 to 9"),
        downAfterMilliseconds: integer(100, 600_000, "an integer number of milliseconds from 100 to 600000"),
        failoverTimeoutMilliseconds: integer(1_000, 3_600_000, "an integer number of milliseconds from 1000 to 3600000"),
        users: aclUsers,
        configCommandName: z.string().regex(/^[A-Za-z0-9_]{16,64}$/, { error: "16 to 64 letters, digits or underscores" }),
        dataDir: absolutePath,
        configDir: absolutePath,
        tls: z.boolean({ error: "true or false" }).default(false),
        tlsAuthClients: z.enum(TLS_AUTH_CLIENTS, { error: `${TLS_AUTH_CLIENTS.join(", ")}, with tls` }).optional(),
        server: serverName,
    })
    .superRefine((s, ctx) => {
        if (!s.servers.some((server) => server.host === s.primaryHost && server.port === s.redisPort)) {
            ctx.addIssue({ code: "custom", path: ["servers"], message: "servers including primaryHost at redisPort" });
        }
        for (const name of [APP_USER, ADMIN_USER, REPLICATION_USER, SENTINEL_USER]) {
            if (!s.users.some((u) => u.name === name)) {
                ctx.addIssue({ code: "custom", path: ["users"], message: `users including "${name}"` });
            }
        }
    });

/**
 * What each user may do on Sentinel. `app` only finds the primary (and the other Sentinels and
 * the replicas, which ioredis asks for) and hears Sentinel's events (`+switch-master` and the
 * others, all named `+…` or `-…`); Sentinel's own commands are its ACL subcommands. Only the
 * sentinel user reaches the hello channel, which other Sentinels publish to directly. Valkey's
 * Sentinel also answers GET-PRIMARY-ADDR-BY-NAME, which clients written for it send: there the app
 * may ask with that name too (Redis refuses a rule that names it).
 */
const sentinelSideRules = (family: ServerFamily): Readonly<Record<string, readonly string[]>> => ({
    [APP_USER]: [
        "-@all",
        "+ping",
        "+auth",
        "+hello",
        "+client|setname",
        "+client|getname",
        "+subscribe",
        "+psubscribe",
        "+sentinel|get-master-addr-by-name",
        ...(family === "valkey" ? ["+sentinel|get-primary-addr-by-name"] : []),
        "+sentinel|sentinels",
        "+sentinel|replicas",
        "+sentinel|slaves",
        "&+*",
        "&-*",
    ],
    [ADMIN_USER]: ["+@all", "&*"],
    // The servers' start and stop scripts: which server is the primary, and a failover before a planned stop.
    [REPLICATION_USER]: ["-@all", ...SERVER_SCRIPT_COMMANDS.map((command) => `+${command}`)],
    // Other Sentinels: vote (IS-MASTER-DOWN-BY-ADDR), and the hello/pubsub they exchange.
    [SENTINEL_USER]: ["-@all", ...SENTINEL_PEER_COMMANDS.map((command) => `+${command}`), `&${SENTINEL_HELLO_CHANNEL}`],
});

/**
 * Renders `sentinel.conf`. Sentinel rewrites this file as it learns the topology, so it must be
 * copied somewhere writable (`dataDir`) before Sentinel starts on it.
 */
export function renderSentinelConfig(settings: SentinelConfigSettings): string {
    const c = parseSettings(schema, settings, Object.keys(schema.shape), new Set(["users", "configCommandName"]));
    const master = c.masterName;
    const password = (name: string) => c.users.find((u) => u.name === name)?.passwords ?? [];
    // Sentinel authenticates with one password, accepted by servers and Sentinels on either side of a rotation.
    const sentinelPassword = peerPassword(password(SENTINEL_USER));
    const rules = sentinelSideRules(serverNamed(c.server).family);
    const users = [APP_USER, ADMIN_USER, REPLICATION_USER, SENTINEL_USER].map((name) => {
        const line = aclUserLine({ name, passwords: password(name) });
        return `${line} ${rules[name].join(" ")}`;
    });
    return [
        "# Rendered by hardened-redis from typed settings. Sentinel rewrites this copy as it learns the topology.",
        "",
        "# The topology: across restarts, the start script keeps what Sentinel learnt about these only.",
        ...c.servers.map((server) => `${TOPOLOGY_LINE} server ${server.host} ${server.port}`),
        ...c.sentinels.map((sentinel) => `${TOPOLOGY_LINE} sentinel ${sentinel.host} ${sentinel.port}`),
        "",
        "# Network: the only listener; names, not addresses, so pod and container restarts keep the topology.",
        "bind * -::*",
        // With TLS, outgoing connections to Redis and to the other Sentinels are TLS too.
        ...(c.tls ? tlsListenerLines(c.port, c.configDir, c.tlsAuthClients) : [`port ${c.port}`]),
        "protected-mode yes",
        "daemonize no",
        'logfile ""',
        `dir ${c.dataDir}`,
        "sentinel resolve-hostnames yes",
        "sentinel announce-hostnames yes",
        ...(c.announceHost ? [`sentinel announce-ip ${c.announceHost}`] : []),
        `sentinel announce-port ${c.port}`,
        "",
        "# Auth: the Redis servers' users, passwords as SHA-256; the default user is off.",
        DEFAULT_USER_OFF,
        ...users,
        `sentinel sentinel-user ${SENTINEL_USER}`,
        `sentinel sentinel-pass ${sentinelPassword}`,
        "",
        "# What is watched, and when it fails over.",
        `sentinel monitor ${master} ${c.primaryHost} ${c.redisPort} ${c.quorum}`,
        `sentinel auth-user ${master} ${SENTINEL_USER}`,
        `sentinel auth-pass ${master} ${sentinelPassword}`,
        `sentinel down-after-milliseconds ${master} ${c.downAfterMilliseconds}`,
        `sentinel failover-timeout ${master} ${c.failoverTimeoutMilliseconds}`,
        `sentinel parallel-syncs ${master} 1`,
        `sentinel rename-command ${master} CONFIG ${c.configCommandName}`,
        // Scripts Sentinel would run on events, and changing them at run time, stay off.
        "sentinel deny-scripts-reconfig yes",
        "",
    ].join("\n");
}

/**
 * The command a Sentinel container starts with: on a copy of `renderedFile` in `dataDir` that keeps
 * what Sentinel learnt before a restart (see `sentinelStartScript`). `announceHost`, when the
 * rendered file has none, may name the pod through `${HOSTNAME}` and `${POD_NAMESPACE}`.
 */
export function sentinelCommand(
    family: ServerFamily,
    files: { renderedFile: string; dataDir: string; masterName: string; announceHost?: string },
): string[] {
    return ["sh", "-c", sentinelStartScript(family, files.renderedFile, files.dataDir, files.masterName, files.announceHost)];
}

/** Where a server of a Sentinel topology is, and what it needs to know to start and stop in its role. */
export interface SentinelServerCommand {
    /** The name this server announces (may spell `${HOSTNAME}` and `${POD_NAMESPACE}`). */
    self: string;
    /** Server 0's announced name: the primary of a first boot. */
    firstPrimary: string;
    /** Port of every server. */
    port: number;
    /** Every Sentinel, as the servers reach them. */
    sentinels: Array<{ host: string; port: number }>;
    sentinel: SentinelPlan;
    /** With TLS: whether the Sentinels require a client certificate (the server's own is presented). */
    tls?: { clientCertificate: boolean };
}

/**
 * The command a Sentinel topology's server runs: its role from the Sentinels, Redis on a writable
 * copy of redis.conf in the data directory, and a handover when the primary is stopped (see
 * policies/shared/serverStart.ts). The same on both platforms.
 */
export function sentinelServerCommand(family: ServerFamily, o: SentinelServerCommand): string[] {
    const file = (name: string) => `${CONFIG_DIR}/${name}`;
    const options: ServerStartOptions = {
        rendered: file("redis.conf"),
        dataDir: DATA_DIR,
        masterName: o.sentinel.masterName,
        quorum: o.sentinel.quorum,
        self: o.self,
        port: o.port,
        firstPrimary: o.firstPrimary,
        sentinels: o.sentinels,
        user: REPLICATION_USER,
        family,
        tls: o.tls && {
            caFile: file(TLS_FILES.caCertificate),
            ...(o.tls.clientCertificate && { certFile: file(TLS_FILES.certificate), keyFile: file(TLS_FILES.privateKey) }),
        },
    };
    return ["sh", "-c", serverStartScript(options)];
}
