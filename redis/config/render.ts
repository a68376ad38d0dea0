// Renders redis.conf (and replica.conf) from settings checked by settings.ts.
import { aclUserLine, REPLICATION_USER, SERVER_DEFAULT_USER_OFF } from "../acl/users";
import { tlsListenerLines } from "../tls/tlsLines";
import { REDIS_PORT } from "../../policies/shared/ports";
import { replicationPassword, resolveRedisConfig, type RedisConfigSettings, type ResolvedRedisConfig } from "./settings";

/** Redis's own bounds on `proto-max-bulk-len`: at least 1mb, and 512mb by default. */
const BULK_MIN = 1024 ** 2;
const BULK_DEFAULT = 512 * 1024 ** 2;

/**
 * The largest string or bulk argument a server with `maxmemory` bytes (0: unlimited) accepts: a
 * quarter of `maxmemory`, between Redis's minimum of 1mb and its default of 512mb, so that no single
 * command allocates more than the memory budget can spare.
 */
export function protoMaxBulkLen(maxmemory: number): number {
    if (maxmemory === 0) return BULK_DEFAULT;
    return Math.min(BULK_DEFAULT, Math.max(BULK_MIN, Math.floor(maxmemory / 4)));
}

/** The listener and replication over TLS only; the files come from `configDir`. */
function tlsLines(c: ResolvedRedisConfig): string[] {
    return [
        "# TLS only: no plaintext listener, and replicas reach their primary over TLS too.",
        ...tlsListenerLines(c.port, c.configDir, c.tlsAuthClients),
    ];
}

/**
 * Renders the files for the config directory, keyed by file name (always
 * `redis.conf`). Writing them into `settings.configDir` and running
 * `redis-server <configDir>/redis.conf` starts Redis exactly as configured.
 * Throws {@link RedisConfigError} for bad settings.
 */
export function renderRedisConfig(settings: RedisConfigSettings): Record<string, string> {
    const c = resolveRedisConfig(settings);
    const lfu = c.maxmemoryPolicy.endsWith("-lfu");
    const save = c.savePoints.map((p) => `${p.seconds} ${p.changes}`).join(" ");
    const lines = [
        "# Rendered by hardened-redis from typed settings. Do not edit: change the settings instead.",
        "",
        "# Network: reachable only on the private network the container is attached to.",
        `bind ${c.bind.join(" ")}`,
        ...(c.tls ? tlsLines(c) : [`port ${c.port}`]),
        "protected-mode yes",
        "tcp-keepalive 300",
        "timeout 0",
        "",
        "# Process: foreground, logs to stdout for the container runtime to rotate.",
        "daemonize no",
        "loglevel notice",
        'logfile ""',
        "",
        "# Auth: ACL users with least privilege, passwords stored as SHA-256 only; the default user is off.",
        SERVER_DEFAULT_USER_OFF,
        ...c.users.map(aclUserLine),
        "",
        "# Commands: CONFIG can rewrite dir/dbfilename to plant files (cron, authorized_keys), so it",
        "# gets a random name; commands that wipe or stall the whole server are disabled.",
        "enable-protected-configs no",
        "enable-debug-command no",
        "enable-module-command no",
        `rename-command CONFIG ${c.configCommandName}`,
        ...c.disabledCommands.map((name) => `rename-command ${name.toUpperCase()} ""`),
        "",
        "# Persistence",
        `dir ${c.dataDir}`,
        `appendonly ${c.appendonly ? "yes" : "no"}`,
        'appenddirname "appendonlydir"',
        `appendfsync ${c.appendfsync}`,
        `no-appendfsync-on-rewrite ${c.noAppendfsyncOnRewrite ? "yes" : "no"}`,
        `auto-aof-rewrite-percentage ${c.autoAofRewritePercentage}`,
        `auto-aof-rewrite-min-size ${c.autoAofRewriteMinSize}`,
        "aof-use-rdb-preamble yes",
        "dbfilename dump.rdb",
        // Without a save line Redis falls back to its built-in snapshot rules.
        `save ${save || '""'}`,
        "",
        "# Memory: Redis does not read the container's cgroup limit, so maxmemory must sit below it.",
        `maxmemory ${c.maxmemory}`,
        `maxmemory-policy ${c.maxmemoryPolicy}`,
        // One SETRANGE/SETBIT/APPEND (or one bulk argument) may allocate up to this much at once: the
        // default 512mb is twice a 256 MiB container. A quarter of maxmemory bounds any single command.
        `proto-max-bulk-len ${protoMaxBulkLen(c.maxmemory)}`,
        ...(lfu ? [`lfu-log-factor ${c.lfuLogFactor ?? 10}`, `lfu-decay-time ${c.lfuDecayTime ?? 1}`] : []),
        "",
        ...(c.minReplicasToWrite > 0
            ? [
                  "# Split brain: a primary that has lost its replicas stops taking writes it would lose.",
                  `min-replicas-to-write ${c.minReplicasToWrite}`,
                  `min-replicas-max-lag ${c.minReplicasMaxLagSeconds}`,
                  "",
              ]
            : []),
        ...(c.replicaOfHost !== undefined
            ? [
                  "# Replication: every server can be a replica (Sentinel demotes a primary), so every one can",
                  "# authenticate to its primary. As a client of the primary, this holds the password in plain",
                  "# text: the file must be delivered as a secret, like the rest. The previous generation's",
                  "# password once rotated: while a rotation rolls the servers, the primary accepts it whether",
                  "# it runs the previous config or already the new one.",
                  `masteruser ${REPLICATION_USER}`,
                  `masterauth ${replicationPassword(c.users)}`,
                  "replica-read-only yes",
                  "# Until its link is up and the primary's data loaded, a replica answers MASTERDOWN to every",
                  "# command of a client (PING included; Sentinel takes it as alive). So the readiness probe's",
                  "# authenticated PING holds a replica unready until it is in sync: a roll waits for it before",
                  "# taking the next server down, and the primary's handover finds a replica with its data.",
                  "replica-serve-stale-data no",
                  "",
              ]
            : []),
        "# Observability",
        `slowlog-log-slower-than ${c.slowlogLogSlowerThanMicros}`,
        `slowlog-max-len ${c.slowlogMaxLen}`,
        `latency-monitor-threshold ${c.latencyMonitorThresholdMs}`,
        "",
    ];
    const files: Record<string, string> = { "redis.conf": lines.join("\n") };
    if (c.replicaOfHost !== undefined) {
        files["replica.conf"] = [
            "# Rendered by hardened-redis: a read-only replica of the primary, otherwise configured as redis.conf.",
            `include ${c.configDir}/redis.conf`,
            `replicaof ${c.replicaOfHost} ${c.replicaOfPort ?? REDIS_PORT}`,
            "",
        ].join("\n");
    }
    return files;
}
