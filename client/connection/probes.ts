// Probe connections that tell apart what a failed connection alone cannot: a server that speaks
// the other protocol (TLS or plaintext), a certificate the client cannot verify, or a server merely
// down. Each opens one connection of its own, sends nothing secret and is bounded in time.
import { connect as netConnect } from "node:net";
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { certificateFailure, serverIsPlaintext, serverRequiresTls, type Endpoint, type Failure } from "./tlsErrors";

/**
 * A TLS handshake with Redis takes a round trip or two; one still unanswered after this long is
 * worth a plaintext probe (at most half the connectTimeout, so the answer comes before it).
 */
export const HANDSHAKE_PROBE_AFTER_MS = 500;
/** How long a probe waits for an answer before concluding nothing. */
const PROBE_TIMEOUT_MS = 2_000;

/** Whether the server answers a plaintext PING as Redis does (`+PONG`, `-NOAUTH …`): a RESP reply, which a TLS listener never sends. */
export function answersPlaintextRedis(endpoint: Endpoint, family: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = netConnect({ host: endpoint.host, port: endpoint.port, family });
        const done = (answer: boolean) => {
            clearTimeout(timer);
            socket.destroy();
            resolve(answer);
        };
        const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS).unref();
        socket.unref();
        socket.once("connect", () => socket.write("PING\r\n"));
        socket.once("data", (chunk: Buffer) => done(chunk[0] === 0x2b || chunk[0] === 0x2d)); // "+" or "-"
        socket.on("error", () => done(false)); // every error, not only the first: one after destroy() would be uncaught
        socket.once("close", () => done(false));
    });
}

/**
 * A TLS handshake that sends no data: `verified`, `refused` (Node refused the certificate: `cause`
 * says why; a TLS answer all the same) or `none` (no TLS answer: refused, closed, timed out).
 */
function tlsHandshake(endpoint: Endpoint, tls: ConnectionOptions): Promise<{ outcome: "verified" | "refused" | "none"; cause?: Error }> {
    return new Promise((resolve) => {
        const socket = tlsConnect({ ...tls, host: endpoint.host, port: endpoint.port, servername: endpoint.servername });
        const done = (outcome: "verified" | "refused" | "none", cause?: Error) => {
            clearTimeout(timer);
            socket.destroy();
            resolve({ outcome, cause });
        };
        const timer = setTimeout(() => done("none"), PROBE_TIMEOUT_MS).unref();
        socket.once("secureConnect", () => done("verified"));
        socket.on("error", (e: Error) => done(socket.authorizationError ? "refused" : "none", e));
        socket.once("close", () => done("none"));
    });
}

/** Whether the server speaks TLS: it completes a handshake, or presents a certificate Node refuses. The probe verifies as the client would. */
export async function speaksTls(endpoint: Endpoint, tls: ConnectionOptions): Promise<boolean> {
    return (await tlsHandshake(endpoint, tls)).outcome !== "none";
}

/**
 * What a Sentinel that closed the client's connection has against it, if retrying cannot fix it: a
 * certificate the client cannot verify, or the other scheme. Undefined when it looks merely down.
 */
export async function diagnoseSentinel(
    endpoint: Endpoint,
    tls: ConnectionOptions | undefined,
    family: number | undefined,
): Promise<Failure | undefined> {
    if (!tls) return (await speaksTls(endpoint, {})) ? serverRequiresTls(endpoint, undefined, true) : undefined;
    const handshake = await tlsHandshake(endpoint, tls);
    if (handshake.outcome === "refused" && handshake.cause) return certificateFailure(endpoint, handshake.cause, tls.ca !== undefined);
    if (handshake.outcome === "verified") return undefined;
    return (await answersPlaintextRedis(endpoint, family)) ? serverIsPlaintext(endpoint) : undefined;
}
