// Facts about the Redis container that both components (and the rendered config) rely on.
// One place, so Docker and Kubernetes cannot drift apart on a path, a uid or a probe.
import { createHash } from "node:crypto";
import { SERVER_PROGRAMS, type ServerFamily } from "../policies/shared/programs";

/** Where the rendered files are mounted, read-only. */
export const CONFIG_DIR = "/usr/local/etc/redis";
/**
 * The TLS files Redis reads, by role, as names inside CONFIG_DIR. They are the keys of a
 * `kubernetes.io/tls` Secret (as cert-manager writes it), so one can be projected there as is.
 */
export const TLS_FILES = { certificate: "tls.crt", privateKey: "tls.key", caCertificate: "ca.crt" } as const;

/** Where Redis writes the AOF and RDB files: the official image's volume. */
export const DATA_DIR = "/data";
/**
 * Where a Sentinel keeps the config it rewrites: a small volume of its own, at the image's data
 * directory, because a fresh volume takes that directory's owner (uid 999) and stays writable.
 */
export const SENTINEL_DIR = DATA_DIR;
/** Memory limit of a Sentinel container, in MiB: it keeps a few connections and no data. */
export const SENTINEL_MEMORY_MB = 64;
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

/** The server (`redis-server`, `valkey-server`) started on one of the rendered files. */
export function serverCommand(family: ServerFamily, file = "redis.conf"): string[] {
    return [SERVER_PROGRAMS[family].server, `${CONFIG_DIR}/${file}`];
}

/** How a probe reaches Redis: as which user, if any, and over TLS or not. */
export interface PingOptions {
    /** Authenticate as `user`, reading the password from `passwordFile` on stdin. */
    auth?: { user: string; passwordFile: string };
    /** Speak TLS, trusting the CA in CONFIG_DIR; with `clientCertificate`, present the server's own certificate (mutual TLS). */
    tls?: { clientCertificate: boolean };
}

/**
 * A shell command that pings Redis with the server's client (`redis-cli`, `valkey-cli`) and
 * succeeds when the reply starts with one of `accepted`.
 * Without `auth` it needs no credentials: an unauthenticated client gets NOAUTH, which proves the
 * server is up. With it, redis-cli authenticates as `auth.user` and reads the password on stdin
 * (`--askpass`), so it never appears in argv or the environment. redis-cli checks the server's
 * chain against the CA but not its name, so 127.0.0.1 needs no SAN of its own.
 */
export function pingCommand(family: ServerFamily, port: number, accepted: readonly string[], options: PingOptions = {}): string {
    const file = (name: string) => `${CONFIG_DIR}/${name}`;
    const tls = options.tls
        ? [
              `--tls --cacert ${file(TLS_FILES.caCertificate)}`,
              ...(options.tls.clientCertificate ? [`--cert ${file(TLS_FILES.certificate)} --key ${file(TLS_FILES.privateKey)}`] : []),
          ]
        : [];
    const auth = options.auth ? [`--user ${options.auth.user} --askpass`] : [];
    const stdin = options.auth ? ` < ${options.auth.passwordFile}` : "";
    return `${[SERVER_PROGRAMS[family].cli, ...tls, `-p ${port}`, ...auth, "ping"].join(" ")}${stdin} 2>&1 | grep -Eq '^(${accepted.join("|")})'`;
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
