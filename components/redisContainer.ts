// Facts about the Redis container that both components (and the rendered config) rely on.
// One place, so Docker and Kubernetes cannot drift apart on a path, a uid or a probe.
import { createHash } from "node:crypto";

/** Where the rendered files are mounted, read-only. */
export const CONFIG_DIR = "/usr/local/etc/redis";
/** Where Redis writes the AOF and RDB files: the official image's volume. */
export const DATA_DIR = "/data";
/** The official image's `redis` user and group. */
export const REDIS_UID = 999;
export const REDIS_GID = 1000;

/**
 * Open files Redis needs: its default `maxclients` (10000) plus the 32 descriptors it keeps for
 * itself. Below that, Redis lowers maxclients at startup; the engine's default is far above it.
 */
export const NOFILE_LIMIT = 10_000 + 32;

/** A DNS label (RFC 1123), as Docker aliases and Kubernetes names require. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_ALLOWED = "a DNS label: 1-63 lowercase letters, digits or '-', not starting or ending with '-'";

/** `redis-server` started on one of the rendered files. */
export function serverCommand(file = "redis.conf"): string[] {
    return ["redis-server", `${CONFIG_DIR}/${file}`];
}

/**
 * A shell command that pings Redis and succeeds when the reply starts with one of `accepted`.
 * Without `auth` it needs no credentials: an unauthenticated client gets NOAUTH, which proves the
 * server is up. With it, redis-cli authenticates as `auth.user` and reads the password on stdin
 * (`--askpass`), so it never appears in argv or the environment.
 */
export function pingCommand(port: number, accepted: readonly string[], auth?: { user: string; passwordFile: string }): string {
    const ping =
        auth === undefined ? `redis-cli -p ${port} ping` : `redis-cli -p ${port} --user ${auth.user} --askpass ping < ${auth.passwordFile}`;
    return `${ping} 2>&1 | grep -Eq '^(${accepted.join("|")})'`;
}

/**
 * SHA-256 over the files a Redis is started from. They are made of 32-character random secrets
 * and hashes of them, so the digest cannot be reversed and may be shown in plain text (a label,
 * an annotation); it changes with any file and so replaces the container or rolls the pods.
 */
export function configHash(files: Readonly<Record<string, string>>): string {
    const entries = Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return createHash("sha256").update(JSON.stringify(entries)).digest("hex");
}
