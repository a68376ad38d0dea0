import { readFileSync } from "node:fs";
import { checkServerIdentity, type ConnectionOptions } from "node:tls";
import { isDeepStrictEqual } from "node:util";
import Redis, { type RedisOptions } from "ioredis";
import { jitteredBackoff } from "./backoff";
import { DiagnosingRedis, type DiagnosingOptions } from "./diagnosingRedis";
import type { ConnectionTelemetry } from "./telemetry";
import { isSentinelUrl, parseSentinelUrl, SCHEMES, schemeOf, SENTINEL_DEFAULTS, type SentinelUrl } from "./sentinel";
import { certificatesIn } from "./tlsErrors";

export interface ConnectOptions extends DiagnosingOptions {
    /** Reuse one client per connection string in this process (default true). */
    shared?: boolean;
    /**
     * The CA certificate (PEM) that issued the server's certificate, e.g. the components'
     * `caCertificate` output: the client then trusts it, besides any `tls.ca`, and no other CA
     * (Node's default CAs do not issue a private Redis's certificate). Only with a `rediss://` or
     * `rediss+sentinel://` URL (then for the Sentinels and the servers alike); not with `caFile`.
     * The server's certificate is always verified, and so is its name: against the URL's host (with
     * Sentinels: each Sentinel's host, and the host the Sentinels name for the primary), or
     * `tls.servername` when given.
     */
    caCertificate?: string;
    /**
     * A file holding that CA certificate (PEM), e.g. one the orchestrator mounts next to the
     * connection string; read when `connect()` creates the client. Otherwise as `caCertificate`
     * (and not together with it).
     */
    caFile?: string;
}

/**
 * Defaults for a long-lived client on a container network: fail fast instead of
 * queueing forever, reconnect with jittered backoff so a restarted Redis is not
 * hit by every client at the same instant, and detect dead peers.
 */
export const CLIENT_DEFAULTS: Readonly<DiagnosingOptions> = {
    connectTimeout: 5_000,
    // Bounds how long any command, queued offline or sent, keeps its caller waiting. Not for
    // blocking commands: connections made for those (shared: false, dedicatedConnection) drop it.
    commandTimeout: 5_000,
    // Pending commands are also rejected after this many reconnect attempts.
    maxRetriesPerRequest: 3,
    keepAlive: 30_000,
    retryStrategy: (attempt) => jitteredBackoff(attempt),
    coalesceWrites: true,
};

export { jitteredBackoff };

/** A shared client, with the options it was created from as given (its own hold `tls` and `retryStrategy` wrapped). */
interface SharedClient {
    client: Redis;
    given: RedisOptions;
    ca: TrustedCa | undefined;
}

/** The CA a caller passed: its PEM, the certificates in it (for comparisons), and the file it came from. */
interface TrustedCa {
    pem: string;
    certificates: string[];
    file?: string;
}

const shared = new Map<string, SharedClient>();

/**
 * One multiplexed client per connection string (`redis://` or `rediss://` for TLS):
 * Node clients pipeline every concurrent command over one socket, so a pool only adds
 * connections. Pass `{ shared: false }` for a connection of its own, e.g. for
 * blocking commands or subscriptions, which would stall everything else on the socket.
 *
 * A Sentinel connection string (`redis+sentinel://user:password@sentinel:port,…/masterName/db`,
 * `rediss+sentinel://` for TLS; see parseSentinelUrl) gives a client that asks the Sentinels for
 * the primary, with the same user and password on the Sentinels and on Redis, and follows a
 * failover by itself: ioredis's Sentinel options (see sentinelOptions below), plus a watch on the
 * Sentinels' promotion announcements that drops a connection to a replaced primary.
 *
 * A client that cannot verify the server's certificate, or whose URL scheme the server does not
 * speak, stops reconnecting and rejects its commands with a RedisTlsError naming the cause and the
 * option that fixes it (see diagnosingRedis.ts); so does a Sentinel client whose Sentinels know no
 * primary of that name (a RedisSentinelError).
 */
export function connect(connectionString: string, options: ConnectOptions = {}): Redis {
    const { shared: reuse = true, caCertificate, caFile, ...redisOptions } = options;
    checkScheme(connectionString);
    // Parsed on every call, shared or not: a malformed string fails the same way each time.
    const sentinel = isSentinelUrl(connectionString) ? parseSentinelUrl(connectionString) : undefined;
    checkTlsOptions(connectionString, options);
    if (!reuse)
        return create(connectionString, sentinel, { ...CLIENT_DEFAULTS, commandTimeout: undefined, ...redisOptions }, trustedCa(options));
    const existing = shared.get(connectionString);
    if (existing && existing.client.status !== "end") {
        // Only what this caller passes is compared (as given, or as ioredis parsed it from the URL), by value.
        const differing = Object.keys(redisOptions).filter((key) => {
            const k = key as keyof RedisOptions;
            return !isDeepStrictEqual(redisOptions[k], k in existing.given ? existing.given[k] : existing.client.options[k]);
        });
        if ((caCertificate !== undefined || caFile !== undefined) && !sameCa(existing.ca, options)) {
            differing.push(caFile !== undefined ? "caFile" : "caCertificate");
        }
        if (differing.length > 0) {
            throw new Error(
                `connect: the shared client for this URL was created with other options (${differing.join(", ")}); pass { shared: false } for a client of its own`,
            );
        }
        return existing.client;
    }
    const ca = trustedCa(options);
    const given = { ...CLIENT_DEFAULTS, ...redisOptions };
    const client = create(connectionString, sentinel, given, ca);
    shared.set(connectionString, { client, given, ca });
    return client;
}

/**
 * Refuses a scheme connect() does not know: ioredis would not, and a typo (`redis-sentinel://`,
 * `sentinel://`) would connect somewhere else than meant. The scheme is all it names: the rest of
 * the string may hold a password.
 */
function checkScheme(connectionString: string): void {
    const scheme = schemeOf(connectionString);
    if (scheme !== undefined && !(SCHEMES as readonly string[]).includes(scheme)) {
        throw new Error(
            `connect: unsupported scheme "${scheme}://"; connection strings start with ${SCHEMES.map((s) => `${s}://`).join(", ")}`,
        );
    }
}

/** Refuses, before connecting, what would weaken verification or cannot work. */
function checkTlsOptions(connectionString: string, options: ConnectOptions): void {
    if (options.caCertificate !== undefined && options.caFile !== undefined) {
        throw new Error("connect: pass the CA as caCertificate or as caFile, not both");
    }
    // ioredis itself switches to TLS on the rediss:// prefix; rediss+sentinel:// is read here.
    const scheme = isSentinelUrl(connectionString) ? "rediss+sentinel://" : "rediss://";
    const tls = connectionString.startsWith("rediss://") || schemeOf(connectionString) === "rediss+sentinel";
    if ((options.caCertificate !== undefined || options.caFile !== undefined) && !tls) {
        throw new Error(
            `connect: caCertificate and caFile are for TLS (${scheme}) URLs, and this URL is not one; with TLS on, use the ${scheme} connection string the components output`,
        );
    }
    // Node verifies the chain and the name unless told not to; a client that accepts any
    // certificate can be handed to anyone who can intercept the connection.
    for (const key of ["tls", "sentinelTLS"] as const) {
        if (tlsOptions(key, options[key])?.rejectUnauthorized === false) {
            throw new Error(
                `connect: ${key}.rejectUnauthorized: false would accept any certificate, and is refused; pass the CA that issued the server's certificate as caCertificate or caFile`,
            );
        }
    }
}

/**
 * A caller's `tls`/`sentinelTLS` as Node's TLS options. ioredis 6.1 also takes the name of a TLS
 * profile there (alone, or as `profile` beside other options), which it swaps for the CAs of Redis
 * Cloud; a hardened-redis server's certificate comes from its own CA, so a profile could only make
 * every connection fail, and is refused with the option that works.
 */
function tlsOptions(key: "tls" | "sentinelTLS", value: RedisOptions["tls"]): ConnectionOptions | undefined {
    if (value === undefined) return undefined;
    const profile = typeof value === "string" ? value : (value as { profile?: string }).profile;
    if (profile !== undefined) {
        throw new Error(
            `connect: ${key} names the TLS profile ${JSON.stringify(profile)}, which trusts Redis Cloud's CAs; pass the CA that issued the server's certificate as caCertificate or caFile`,
        );
    }
    return value as ConnectionOptions;
}

/** Reads and checks the CA option, if any. */
function trustedCa(options: ConnectOptions): TrustedCa | undefined {
    let pem: string;
    if (options.caFile !== undefined) {
        try {
            pem = readFileSync(options.caFile, "utf8");
        } catch (e) {
            throw new Error(`connect: caFile ${options.caFile} could not be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        }
    } else if (options.caCertificate !== undefined) {
        pem = options.caCertificate;
    } else {
        return undefined;
    }
    const certificates = certificatesIn(pem);
    // Never echo the text: a private key pasted by mistake must not reach a log.
    if (certificates.length === 0) {
        throw new Error(
            options.caFile !== undefined
                ? `connect: caFile ${options.caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`
                : "connect: caCertificate holds no PEM certificate (-----BEGIN CERTIFICATE-----); to pass a file's path, use caFile",
        );
    }
    return { pem, certificates, file: options.caFile };
}

/**
 * Whether a caller's CA option names the shared client's CA: the same file path, or the same
 * certificates, however the PEM is wrapped or ended and whether it came as text or as a file.
 */
function sameCa(existing: TrustedCa | undefined, options: ConnectOptions): boolean {
    if (!existing) return false;
    if (options.caFile !== undefined && options.caFile === existing.file) return true;
    return isDeepStrictEqual(trustedCa(options)?.certificates, existing.certificates);
}

/** TLS options with the CA merged into `ca` and the name verified whatever `tls` says (undefined: no TLS). */
function verifying(tls: ConnectionOptions | undefined, ca: TrustedCa | undefined, on = false): ConnectionOptions | undefined {
    const merged: ConnectionOptions | undefined = tls || ca || on ? { ...tls } : undefined;
    if (merged && ca) merged.ca = [...(tls?.ca === undefined ? [] : Array.isArray(tls.ca) ? tls.ca : [tls.ca]), ca.pem];
    // A caller's own check runs after Node's, so it can add to the name check but not replace it.
    const own = tls?.checkServerIdentity;
    if (merged && own) merged.checkServerIdentity = (host, cert) => checkServerIdentity(host, cert) ?? own(host, cert);
    return merged;
}

/** The client, with the CA merged into `tls.ca` and the server's name verified whatever `tls` says. */
function create(connectionString: string, sentinel: SentinelUrl | undefined, options: RedisOptions, ca: TrustedCa | undefined): Redis {
    if (sentinel) return new DiagnosingRedis(sentinelOptions(sentinel, options, ca));
    const { tls, ...rest } = options;
    const merged = verifying(tlsOptions("tls", tls), ca);
    return new DiagnosingRedis(connectionString, merged ? { ...rest, tls: merged } : rest);
}

/**
 * ioredis's own Sentinel options for a parsed Sentinel string. What the string says wins over the
 * options passed (as ioredis lets a URL's parts win); the Sentinels get the servers' credential
 * unless `sentinelUsername`/`sentinelPassword` are passed. Asking the Sentinels again after a round
 * in which none answered follows `retryStrategy` (a refused connection does in standalone mode),
 * unless `sentinelRetryStrategy` is passed. With TLS (`rediss+sentinel://`): `tls` for the servers
 * and `sentinelTLS` for the Sentinels (ioredis keeps them apart; `sentinelTLS` defaults to `tls`),
 * each trusting the CA, and `enableTLSForSentinelMode`, without which ioredis speaks plaintext to
 * the servers whatever `tls` says.
 */
function sentinelOptions(url: SentinelUrl, options: RedisOptions, ca: TrustedCa | undefined): RedisOptions {
    const { tls, sentinelTLS, ...rest } = options;
    const serverTls = verifying(tlsOptions("tls", tls), ca, url.tls);
    const sentinelsTls = verifying(tlsOptions("sentinelTLS", sentinelTLS) ?? tlsOptions("tls", tls), ca, url.tls);
    return {
        ...SENTINEL_DEFAULTS,
        sentinelRetryStrategy: typeof options.retryStrategy === "function" ? options.retryStrategy : () => null,
        ...rest,
        sentinelUsername: options.sentinelUsername ?? url.username,
        sentinelPassword: options.sentinelPassword ?? url.password,
        sentinels: url.sentinels,
        name: url.masterName,
        username: url.username,
        password: url.password,
        db: url.db,
        ...(url.tls ? { enableTLSForSentinelMode: true } : {}),
        ...(serverTls ? { tls: serverTls } : {}),
        ...(sentinelsTls ? { sentinelTLS: sentinelsTls } : {}),
    };
}

/** Commands in flight, the offline queue, reconnects and the last error of a client connect() made. */
export function connectionTelemetry(client: Redis): ConnectionTelemetry {
    if (!(client instanceof DiagnosingRedis))
        throw new Error("connectionTelemetry: only clients made by connect() (or duplicated from one) are metered");
    return client.meter.snapshot();
}

/** A dedicated connection with the same settings (a Sentinel client's included), for BLPOP/SUBSCRIBE-style work (no command timeout). */
export function dedicatedConnection(client: Redis): Redis {
    return client.duplicate({ commandTimeout: undefined });
}

/** Closes every shared client (e.g. on shutdown or between tests). */
export async function closeSharedClients(): Promise<void> {
    const clients = [...shared.values()].map((s) => s.client);
    shared.clear();
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
}

/**
 * Connections a pool needs for a client library that cannot multiplex (Little's law):
 * requests per second × average duration in seconds is how many are busy at once; 50%
 * headroom on top (at least 1).
 */
export function recommendedPoolSize(concurrentRequests: number, avgDurationMs: number): number {
    if (!(concurrentRequests >= 0) || !(avgDurationMs >= 0) || !Number.isFinite(concurrentRequests * avgDurationMs)) {
        throw new RangeError("recommendedPoolSize: concurrentRequests and avgDurationMs must be finite numbers >= 0");
    }
    return Math.max(1, Math.ceil(((concurrentRequests * avgDurationMs) / 1000) * 1.5));
}
