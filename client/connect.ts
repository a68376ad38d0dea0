import { readFileSync } from "node:fs";
import { checkServerIdentity, type ConnectionOptions } from "node:tls";
import { isDeepStrictEqual } from "node:util";
import Redis, { type RedisOptions } from "ioredis";
import { DiagnosingRedis } from "./diagnosingRedis";
import { certificatesIn } from "./tlsErrors";

export interface ConnectOptions extends RedisOptions {
    /** Reuse one client per connection string in this process (default true). */
    shared?: boolean;
    /**
     * The CA certificate (PEM) that issued the server's certificate, e.g. the components'
     * `caCertificate` output: the client then trusts it, besides any `tls.ca`, and no other CA
     * (Node's default CAs do not issue a private Redis's certificate). Only with a `rediss://` URL;
     * not with `caFile`. The server's certificate is always verified, and so is its name: against
     * the URL's host, or `tls.servername` when given.
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
export const CLIENT_DEFAULTS: Readonly<RedisOptions> = {
    connectTimeout: 5_000,
    // Bounds how long any command, queued offline or sent, keeps its caller waiting. Not for
    // blocking commands: connections made for those (shared: false, dedicatedConnection) drop it.
    commandTimeout: 5_000,
    // Pending commands are also rejected after this many reconnect attempts.
    maxRetriesPerRequest: 3,
    keepAlive: 30_000,
    retryStrategy: (attempt) => jitteredBackoff(attempt),
};

/** Exponential backoff from 50 ms, capped at 2 s, with full jitter. */
export function jitteredBackoff(attempt: number, baseMs = 50, capMs = 2_000): number {
    return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16)));
}

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
 * A client that cannot verify the server's certificate, or whose URL scheme the server does not
 * speak, stops reconnecting and rejects its commands with a RedisTlsError naming the cause and the
 * option that fixes it (see diagnosingRedis.ts).
 */
export function connect(connectionString: string, options: ConnectOptions = {}): Redis {
    const { shared: reuse = true, caCertificate, caFile, ...redisOptions } = options;
    checkTlsOptions(connectionString, options);
    if (!reuse) return create(connectionString, { ...CLIENT_DEFAULTS, commandTimeout: undefined, ...redisOptions }, trustedCa(options));
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
    const client = create(connectionString, given, ca);
    shared.set(connectionString, { client, given, ca });
    return client;
}

/** Refuses, before connecting, what would weaken verification or cannot work. */
function checkTlsOptions(connectionString: string, options: ConnectOptions): void {
    if (options.caCertificate !== undefined && options.caFile !== undefined) {
        throw new Error("connect: pass the CA as caCertificate or as caFile, not both");
    }
    // ioredis itself switches to TLS on this exact prefix.
    if ((options.caCertificate !== undefined || options.caFile !== undefined) && !connectionString.startsWith("rediss://")) {
        throw new Error(
            "connect: caCertificate and caFile are for TLS (rediss://) URLs, and this URL is not one; with TLS on, use the rediss:// connection string the components output",
        );
    }
    // Node verifies the chain and the name unless told not to; a client that accepts any
    // certificate can be handed to anyone who can intercept the connection.
    if (options.tls?.rejectUnauthorized === false) {
        throw new Error(
            "connect: tls.rejectUnauthorized: false would accept any certificate, and is refused; pass the CA that issued the server's certificate as caCertificate or caFile",
        );
    }
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

/** The client, with the CA merged into `tls.ca` and the server's name verified whatever `tls` says. */
function create(connectionString: string, options: RedisOptions, ca: TrustedCa | undefined): Redis {
    const { tls, ...rest } = options;
    const merged: ConnectionOptions | undefined = tls || ca ? { ...tls } : undefined;
    if (merged && ca) merged.ca = [...(tls?.ca === undefined ? [] : Array.isArray(tls.ca) ? tls.ca : [tls.ca]), ca.pem];
    // A caller's own check runs after Node's, so it can add to the name check but not replace it.
    const own = tls?.checkServerIdentity;
    if (merged && own) merged.checkServerIdentity = (host, cert) => checkServerIdentity(host, cert) ?? own(host, cert);
    return new DiagnosingRedis(connectionString, merged ? { ...rest, tls: merged } : rest);
}

/** A dedicated connection with the same settings, for BLPOP/SUBSCRIBE-style work (no command timeout). */
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
