// An ioredis client that says why it cannot connect. ioredis treats every connection failure alike:
// it reconnects, and the commands waiting meanwhile reject with a generic error ("Reached the max
// retries per request limit", "Connection is closed.", "Command timed out") that hides the reason.
// A certificate it cannot verify or a URL scheme the server does not speak never heals by
// retrying, so this client diagnoses each lost connection, stops reconnecting when the cause is
// final, and makes the waiting commands reject with a RedisTlsError naming the cause and the fix.
//
// The hooks, and why these:
// - Deciding: the retryStrategy option. ioredis calls it synchronously when a connection closes,
//   before it rejects the commands waiting (it rejects them when the strategy returns no delay, or
//   after maxRetriesPerRequest attempts), and `this.stream` is then still the socket that closed:
//   Node's own record of the failure (`errored`, `authorizationError`, `bytesRead`) is there to read.
//   Returning null is ioredis's documented way to stop reconnecting.
// - Explaining: ioredis has no public hook for the error it rejects commands with. Every command
//   passes through `sendCommand` (typed public; pipelines and transactions use it too), so the
//   override wraps each command's public `reject` once: a generic connection error becomes the
//   diagnosis, when there is one; every other error (server replies included) passes unchanged.
//   The override never settles a command itself: ioredis still decides when (and whether) a
//   command fails, and removes it from its queues, so no rejected command runs later.
// - Probing: a scheme mismatch looks like other failures (a TLS handshake nobody answers, a
//   connection closed without a reply). One probe connection on the other protocol tells them apart
//   for certain, and only a proven mismatch stops the client.
import { connect as netConnect } from "node:net";
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from "node:tls";
import Redis, { type Command, type RedisOptions } from "ioredis";
import { certificateFailure, serverIsPlaintext, serverRequiresTls, type Endpoint, type Failure } from "./tlsErrors";

/** How ioredis words a rejection that says nothing about the cause. */
function isGenericConnectionError(error: Error): boolean {
    return error.message === "Connection is closed." || error.message === "Command timed out" || error.name === "MaxRetriesPerRequestError";
}

/** Commands whose `reject` is already wrapped: ioredis sends a queued command through sendCommand again after a reconnect. */
const explained = new WeakSet<Command>();

/**
 * A TLS handshake with Redis takes a round trip or two; one still unanswered after this long is
 * worth a plaintext probe (at most half the connectTimeout, so the answer comes before it).
 */
const HANDSHAKE_PROBE_AFTER_MS = 500;
/** How long a probe waits for an answer before concluding nothing. */
const PROBE_TIMEOUT_MS = 2_000;

/** Whether the server answers a plaintext PING as Redis does (`+PONG`, `-NOAUTH …`): a RESP reply, which a TLS listener never sends. */
function answersPlaintextRedis(endpoint: Endpoint, family: number | undefined): Promise<boolean> {
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
        socket.once("error", () => done(false));
        socket.once("close", () => done(false));
    });
}

/**
 * Whether the server speaks TLS: it completes a handshake, or presents a certificate Node refuses
 * (a TLS answer all the same). The probe verifies as the client would and sends no data.
 */
function speaksTls(endpoint: Endpoint, tls: ConnectionOptions): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = tlsConnect({ ...tls, host: endpoint.host, port: endpoint.port, servername: endpoint.servername });
        const done = (answer: boolean) => {
            clearTimeout(timer);
            socket.destroy();
            resolve(answer);
        };
        const timer = setTimeout(() => done(false), PROBE_TIMEOUT_MS).unref();
        socket.once("secureConnect", () => done(true));
        socket.once("error", () => done(Boolean(socket.authorizationError)));
        socket.once("close", () => done(false));
    });
}

/**
 * The client `connect()` returns: an ioredis `Redis` that stops reconnecting on a final
 * failure and rejects commands with a RedisTlsError saying why (see the top of this file).
 */
export class DiagnosingRedis extends Redis {
    /** The retryStrategy the caller chose, consulted whenever the failure is not final. */
    #retryStrategy: RedisOptions["retryStrategy"];
    /** The last lost connection's diagnosis; cleared once a connection is ready. */
    #failure: Failure | undefined;
    /** What a probe proved about the server (final), given the error of the connection that closed. */
    #proven: ((socketError: Error | undefined) => Failure) | undefined;
    #probing = false;
    /** The socket that completed its TCP connect and is in the Redis handshake (plaintext clients). */
    #handshaking: unknown;
    /** Counts connection attempts, so a late probe answer is not applied to a later attempt. */
    #attempt = 0;

    /** `(url, options)` from connect(), or `(options)` from duplicate(). */
    constructor(target: string | RedisOptions, options: RedisOptions = {}) {
        // ioredis accepts a URL or an options object in either position and merges them (the first
        // one wins); its typings list only the usual orders. (ioredis 6 types its client by reply
        // mapping; connect() has always returned the default one.)
        super(target as string, options as RedisOptions & { replyMapping?: "legacy" });
        // Set after super(): the first connection only closes after I/O, so this is in time. Per
        // instance, so duplicate() hands the caller's own strategy to the new client.
        this.#retryStrategy = this.options.retryStrategy;
        this.options.retryStrategy = (attempts) => this.#connectionLost(attempts);
        this.on("connecting", () => this.#watchTlsHandshake());
        // Emitted once the TCP connection is up (for TLS: once the handshake is done) and the
        // Redis handshake (HELLO/AUTH) is sent.
        this.on("connect", () => (this.#handshaking = this.stream));
        // A working connection outdates any diagnosis, proven ones included (the server may have changed).
        this.on("ready", () => {
            this.#failure = undefined;
            this.#proven = undefined;
            this.#handshaking = undefined;
        });
    }

    override duplicate(override?: Partial<RedisOptions>): Redis {
        return new DiagnosingRedis({ ...this.options, retryStrategy: this.#retryStrategy, ...override });
    }

    override sendCommand(command: Command, stream?: Parameters<Redis["sendCommand"]>[1]): unknown {
        if (!explained.has(command)) {
            explained.add(command);
            const reject = command.reject;
            command.reject = (error: Error) => reject(this.#explain(error));
        }
        return super.sendCommand(command, stream);
    }

    #explain(error: Error): Error {
        return this.#failure && isGenericConnectionError(error) ? this.#failure.error() : error;
    }

    get #endpoint(): Endpoint {
        const tls = this.#tls;
        return {
            host: tls?.host ?? this.options.host ?? "localhost",
            port: tls?.port ?? this.options.port ?? 6379,
            servername: tls?.servername,
        };
    }

    /** The options ioredis hands to `tls.connect`, or undefined for a plaintext client. */
    get #tls(): ConnectionOptions | undefined {
        const tls = this.options.tls as ConnectionOptions | boolean | undefined;
        return tls ? (typeof tls === "object" ? tls : {}) : undefined;
    }

    /** Called by ioredis, through retryStrategy, each time a connection closes (not after disconnect()). */
    #connectionLost(attempts: number): number | void | null {
        this.#failure = this.#diagnose(this.stream as (TLSSocket & { errored: Error | null }) | undefined);
        this.#handshaking = undefined;
        if (this.#failure?.final) return null;
        return typeof this.#retryStrategy === "function" ? this.#retryStrategy(attempts) : null;
    }

    #diagnose(socket: (TLSSocket & { errored: Error | null }) | undefined): Failure | undefined {
        if (this.#proven) return this.#proven(socket?.errored ?? undefined);
        if (!socket) return undefined;
        const tls = this.#tls;
        if (tls) {
            // Set by Node when it refused the certificate (the chain, the name, or the caller's checkServerIdentity).
            if (!socket.authorizationError) return undefined;
            const cause = socket.errored ?? new Error(String(socket.authorizationError));
            return certificateFailure(this.#endpoint, cause, tls.ca !== undefined);
        }
        // Connected, sent the Redis handshake, got not one byte back: what a TLS-only server does.
        if (socket !== this.#handshaking || socket.bytesRead !== 0) return undefined;
        this.#probeForTls();
        return serverRequiresTls(this.#endpoint, socket.errored ?? undefined, false);
    }

    #probeForTls(): void {
        if (this.#probing || this.options.path) return;
        this.#probing = true;
        const endpoint = this.#endpoint;
        void speaksTls(endpoint, {}).then((tls) => {
            this.#probing = false;
            // The next attempt, closed the same way, then ends the client.
            if (tls) this.#proven = (socketError) => serverRequiresTls(endpoint, socketError, true);
        });
    }

    /** For TLS clients: a plaintext probe if the handshake is still unanswered after a while. */
    #watchTlsHandshake(): void {
        if (!this.#tls || this.options.path) return;
        const attempt = ++this.#attempt;
        const stillHandshaking = () => attempt === this.#attempt && this.status === "connecting";
        // With a mismatch already proven, end the new attempt at once (timers run after ioredis has
        // created its socket, which happens before any I/O).
        const delay = this.#proven ? 0 : Math.min(HANDSHAKE_PROBE_AFTER_MS, (this.options.connectTimeout ?? 10_000) / 2);
        setTimeout(() => {
            if (!stillHandshaking()) return;
            if (this.#proven) return void this.stream?.destroy();
            if (this.#probing) return;
            this.#probing = true;
            void answersPlaintextRedis(this.#endpoint, this.options.family).then((plaintext) => {
                this.#probing = false;
                if (!plaintext) return;
                const endpoint = this.#endpoint;
                this.#proven = () => serverIsPlaintext(endpoint);
                // Closing the stalled socket hands the decision to #connectionLost, which ends the client.
                if (stillHandshaking()) this.stream?.destroy();
            });
        }, delay).unref();
    }
}
