// What a client is told when TLS stands between it and Redis: a certificate it cannot verify, or a
// URL scheme the server does not speak. Messages name the host and port, never the URL (its
// userinfo holds the password).

/**
 * Why a connection failed:
 * - `certificate`: the server's certificate could not be verified (untrusted issuer, a name it
 *   does not list, outside its validity period); the client stops reconnecting.
 * - `server-requires-tls`: a plaintext (`redis://`) client met a server that closed the connection
 *   without replying, as a TLS-only Redis does. The client stops reconnecting once a probe
 *   connection has shown that the server speaks TLS; until then it keeps retrying, since a proxy
 *   whose backend is down closes connections the same way.
 * - `server-is-plaintext`: a TLS (`rediss://`) client met a server that answers in plaintext; the
 *   client stops reconnecting.
 */
export type RedisTlsFailure = "certificate" | "server-requires-tls" | "server-is-plaintext";

/** A connection failure whose cause and fix can be named; commands reject with it. */
export class RedisTlsError extends Error {
    constructor(
        message: string,
        readonly reason: RedisTlsFailure,
        /** Node's error code for the underlying failure, e.g. `SELF_SIGNED_CERT_IN_CHAIN`, `ERR_TLS_CERT_ALTNAME_INVALID`, `ECONNRESET`. */
        readonly code: string | undefined,
        options?: { cause?: unknown },
    ) {
        super(message, options);
        this.name = "RedisTlsError";
    }
}

/** Where a client connects, for messages: host and port, and the name its certificate is checked against. */
export interface Endpoint {
    host: string;
    port: number;
    servername?: string;
    /** A Sentinel (named so in messages, and fixed with the rediss+sentinel:// or redis+sentinel:// string). */
    sentinel?: boolean;
    /** What to call it when its address is unknown (a primary a Sentinel named, whose connection failed before it was up). */
    label?: string;
}

/** A diagnosed connection failure: `final` ones stop the client from reconnecting. */
export interface Failure {
    final: boolean;
    /** A fresh error each time: every rejected command gets its own, with its own stack. */
    error(): Error;
}

const NOT_RECONNECTING = "The client does not reconnect; create a new one once this is fixed.";

function describe(endpoint: Endpoint): string {
    const at = endpoint.label ?? `${endpoint.sentinel ? "Sentinel" : "Redis"} at ${endpoint.host}:${endpoint.port}`;
    return endpoint.servername ? `${at} (certificate checked for ${endpoint.servername})` : at;
}

/** Node's code for an error (`ECONNRESET`, `SELF_SIGNED_CERT_IN_CHAIN`, …), if it has one. */
function codeOf(error: Error | undefined): string | undefined {
    return error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

function failure(final: boolean, reason: RedisTlsFailure, message: string, cause?: Error): Failure {
    const code = codeOf(cause);
    return { final, error: () => new RedisTlsError(message, reason, code, { cause }) };
}

/** Codes Node gives certificates outside their validity period: the CA options cannot fix those. */
const VALIDITY = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);

/** Node refused the server's certificate (`tlsSocket.authorizationError`): retrying cannot fix it. */
export function certificateFailure(endpoint: Endpoint, cause: Error, trustsOwnCa: boolean): Failure {
    const code = codeOf(cause);
    let fix: string;
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
        fix =
            "The certificate does not name the host this client checks it against: connect with a name it lists, " +
            "or pass that name as tls.servername (e.g. when connecting to an IP address); the certificate is still verified, against that name.";
    } else if (code && VALIDITY.has(code)) {
        fix = "The certificate is outside its validity period: renew it on the server, or check this machine's clock.";
    } else {
        fix =
            `${trustsOwnCa ? "The CA this client was given did not issue it" : "This client trusts only Node's default CAs"}: ` +
            "pass the CA that issued the server's certificate (the components' caCertificate output) as caCertificate, or its path as caFile.";
    }
    const message = `${describe(endpoint)}: the server's certificate could not be verified (${code ?? "no code"}: ${cause.message}). ${fix} ${NOT_RECONNECTING}`;
    return failure(true, "certificate", message, cause);
}

/**
 * A plaintext connection the server closed before replying to anything, as a TLS-only Redis
 * closes one. `proven` once a TLS probe got a TLS answer from the same address.
 */
export function serverRequiresTls(endpoint: Endpoint, cause: Error | undefined, proven: boolean): Failure {
    const fix = `use its ${endpoint.sentinel ? "rediss+sentinel://" : "rediss://"} connection string, with caCertificate or caFile.`;
    const closed = `closed the connection without replying (${codeOf(cause) ?? "closed"})`;
    const message = proven
        ? `${describe(endpoint)} accepts TLS connections only (it ${closed}, and answered a TLS probe), ` +
          `and this client connects in plaintext (a ${endpoint.sentinel ? "redis+sentinel://" : "redis://"} URL): ${fix} ${NOT_RECONNECTING}`
        : `${describe(endpoint)} ${closed}. The server may accept TLS connections only: ${fix}`;
    return failure(proven, "server-requires-tls", message, cause);
}

/** A TLS handshake the server never answered, while a plaintext probe got a Redis reply from the same address. */
export function serverIsPlaintext(endpoint: Endpoint): Failure {
    const message =
        `${describe(endpoint)} answers in plaintext and did not answer the TLS handshake: this client connects with TLS (a ${endpoint.sentinel ? "rediss+sentinel://" : "rediss://"} URL) ` +
        `and the server does not accept it. Use its ${endpoint.sentinel ? "redis+sentinel://" : "redis://"} connection string, or turn TLS on in the server. ${NOT_RECONNECTING}`;
    return failure(true, "server-is-plaintext", message);
}

/**
 * The certificates in a PEM text, each as its base64 body without whitespace: two texts holding the
 * same certificates compare equal whatever their line endings, wrapping or surrounding text.
 */
export function certificatesIn(pem: string): string[] {
    return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => m[1].replace(/\s+/g, ""));
}
