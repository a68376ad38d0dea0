import Redis, { type RedisOptions } from "ioredis";

export interface ConnectOptions extends RedisOptions {
    /** Reuse one client per connection string in this process (default true). */
    shared?: boolean;
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

const shared = new Map<string, Redis>();

/**
 * One multiplexed client per connection string (`redis://` or `rediss://` for TLS):
 * Node clients pipeline every concurrent command over one socket, so a pool only adds
 * connections. Pass `{ shared: false }` for a connection of its own, e.g. for
 * blocking commands or subscriptions, which would stall everything else on the socket.
 */
export function connect(connectionString: string, options: ConnectOptions = {}): Redis {
    const { shared: reuse = true, ...redisOptions } = options;
    if (!reuse) return new Redis(connectionString, { ...CLIENT_DEFAULTS, commandTimeout: undefined, ...redisOptions });
    const existing = shared.get(connectionString);
    if (existing && existing.status !== "end") {
        const differing = Object.keys(redisOptions).filter(
            (k) => redisOptions[k as keyof RedisOptions] !== existing.options[k as keyof RedisOptions],
        );
        if (differing.length > 0) {
            throw new Error(
                `connect: the shared client for this URL was created with other options (${differing.join(", ")}); pass { shared: false } for a client of its own`,
            );
        }
        return existing;
    }
    const client = new Redis(connectionString, { ...CLIENT_DEFAULTS, ...redisOptions });
    shared.set(connectionString, client);
    return client;
}

/** A dedicated connection with the same settings, for BLPOP/SUBSCRIBE-style work (no command timeout). */
export function dedicatedConnection(client: Redis): Redis {
    return client.duplicate({ commandTimeout: undefined });
}

/** Closes every shared client (e.g. on shutdown or between tests). */
export async function closeSharedClients(): Promise<void> {
    const clients = [...shared.values()];
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
