// What a client must be told, besides the connection string, to reach a Redis under test: nothing
// for a plaintext one; for a TLS one its CA and, when the string's host is an address its
// certificate does not name, the name to verify the certificate against instead.
import type { RedisOptions } from "ioredis";
import type { ConnectOptions } from "../../client";
import type { RedisUnderTest } from "../local/localRedis";

/** For `connect()`: the CA as the components output it, and `tls.servername` when set. Plain JSON, so it can cross to a worker process. */
export function connectOptionsFor(server: RedisUnderTest): ConnectOptions {
    if (!server.tls) return {};
    const { caCertificate, servername } = server.tls;
    return servername === undefined ? { caCertificate } : { caCertificate, tls: { servername } };
}

/** The same for a bare ioredis client (the suites' observers). */
export function redisOptionsFor(server: RedisUnderTest): RedisOptions {
    if (!server.tls) return {};
    const { caCertificate, servername } = server.tls;
    return { tls: servername === undefined ? { ca: caCertificate } : { ca: caCertificate, servername } };
}
