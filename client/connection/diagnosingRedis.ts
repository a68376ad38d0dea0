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
//   override wraps each command's public `reject` once (the commands of this client's own
//   pipelines: once per pipeline, on its results): a generic connection error becomes the
//   diagnosis, when there is one; every other error (server replies included) passes unchanged.
//   The only command this client settles itself is one past its commandTimeout, as ioredis's own
//   timer would (commandTimeouts.ts); otherwise ioredis decides when (and whether) a command
//   fails, and removes it from its queues, so no rejected command runs later.
// - Probing: a scheme mismatch looks like other failures (a TLS handshake nobody answers, a
//   connection closed without a reply). One probe connection on the other protocol (probes.ts)
//   tells them apart for certain, and only a proven mismatch stops the client.
//
// With Sentinels (options.sentinels, from a redis+sentinel:// string) a connection starts by asking
// them where the primary is, and ioredis retries that on its own, with `sentinelRetryStrategy`,
// which the client takes over the same way. After each round in which no Sentinel named a primary
// (ioredis reports each Sentinel's answer as a "sentinelError" event) it decides: every Sentinel
// knowing no primary of that name is final; a Sentinel that closed the connection gets one probe
// that tells a certificate it cannot verify or a scheme mismatch from a Sentinel that is down
// (final once proven); anything else is retried, and waiting commands that time out meanwhile say
// what each Sentinel answered. The primary itself is only diagnosed for its certificate: its address
// changes with every failover, and the Sentinels' probes already tell a scheme mismatch (the
// components give Sentinels and servers the same one). And the client watches the Sentinels for a
// promotion (see watchFailovers in sentinel.ts), dropping a connection to a primary that was
// replaced, which a frozen or cut-off primary would otherwise hold open.
import { REDIS_PORT } from "../../policies/shared/ports";
import { type Socket } from "node:net";
import { type ConnectionOptions, type TLSSocket } from "node:tls";
import Redis, { type Command, type RedisOptions } from "ioredis";
import {
    connectedTo,
    isErrorReply,
    isUnknownMaster,
    noSentinelAnswered,
    sentinelAnswer,
    unknownMaster,
    watchFailovers,
    type SentinelAnswer,
} from "./sentinel";
import { WriteCoalescer } from "./coalescedWrites";
import { Turn } from "./turn";
import { CommandTimeouts } from "./commandTimeouts";
import { ConnectionMeter } from "./telemetry";
import { certificateFailure, serverIsPlaintext, serverRequiresTls, type Endpoint, type Failure } from "./tlsErrors";
import { diagnoseSentinel, speaksTls, HANDSHAKE_PROBE_AFTER_MS, answersPlaintextRedis } from "./probes";

/** How ioredis words a rejection that says nothing about the cause (the last: Sentinels it was told to stop asking). */
function isGenericConnectionError(error: Error): boolean {
    return (
        error.message === "Connection is closed." ||
        error.message === "Command timed out" ||
        error.name === "MaxRetriesPerRequestError" ||
        error.message.startsWith("All sentinels are unreachable and retry is disabled.")
    );
}

/**
 * The name of the one function this client wraps each command's `reject` in. ioredis sends a queued
 * command through sendCommand again after a reconnect; the name tells a command already wrapped
 * without adding a field to every command (a new field would change the shape of ioredis's
 * command objects on its hottest path).
 */
const WRAPPED_REJECT = "hardenedRedisReject";

/** What a pipeline's exec() resolves to. */
type PipelineResults = Array<[error: Error | null, result: unknown]> | null;

/**
 * The client `connect()` returns: an ioredis `Redis` that stops reconnecting on a final
 * failure and rejects commands with a RedisTlsError saying why (see the top of this file).
 */
/** The parts of ioredis's client this one reaches past its typings for (the same in ioredis 5 and 6). */
interface IoredisInternals {
    reconnectTimeout?: ReturnType<typeof setTimeout> | null;
    prevCommandQueue?: { command: Command }[] | null;
    manuallyClosing: boolean;
    setStatus(status: string): void;
    flushQueue(error: Error): void;
}

/** ioredis's options and this client's own (ioredis keeps options it does not know in `this.options`, so duplicate() carries them). */
export interface DiagnosingOptions extends RedisOptions {
    /**
     * Whether the commands issued after the first in one turn of the event loop leave together, in
     * one socket write at the turn's end (see coalescedWrites.ts). `connect()` turns it on; `false`
     * writes each command as it is issued, as ioredis does.
     */
    coalesceWrites?: boolean;
}

export class DiagnosingRedis extends Redis {
    /** Commands in flight, reconnects and the last error, for connectionTelemetry(). */
    readonly meter = new ConnectionMeter(this);
    /** The caller's commandTimeout, kept by this client (one timer for all its commands) instead of ioredis (one per command). */
    readonly #commandTimeout: number | undefined;
    readonly #timeouts: CommandTimeouts | undefined;
    readonly #coalescer: WriteCoalescer | undefined;
    /** The turn of the event loop this client's commands are being issued in (see turn.ts). */
    readonly #turn = new Turn(() => this.#coalescer?.turnEnded());
    /** While one of this client's own pipelines sends its commands: those it sent, in order. */
    #pipelineCommands: Command[] | undefined;
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
    /** Whether the client finds its primary through Sentinels (`options.sentinels`). */
    readonly #sentinel: boolean;
    /** The sentinelRetryStrategy the caller chose (connect() passes its retryStrategy). */
    #sentinelRetryStrategy: RedisOptions["sentinelRetryStrategy"];
    /** What each Sentinel said in the current round of asking them. */
    #answers: SentinelAnswer[] = [];
    /** The Sentinels (`host:port`) that said they know no primary of this name, since the client was last ready. */
    #unknownTo = new Set<string>();
    /** What a probe proved about a Sentinel (final). */
    #sentinelProven: Failure | undefined;
    #sentinelProbing = false;
    /** The subscribers watching the Sentinels for a promotion, while the client is in use. */
    #failoverWatch: { close(): void } | undefined;
    /** The socket this client dropped because its server was no longer the primary (not a failure to diagnose). */
    #replaced: unknown;
    /** The primary (`host:port`) an announcement made this client reconnect to, until it is ready. */
    #movingTo: string | undefined;

    /** `(url, options)` from connect(), or `(options)` from duplicate(). */
    constructor(target: string | DiagnosingOptions, options: DiagnosingOptions = {}) {
        // ioredis accepts a URL or an options object in either position and merges them (the first
        // one wins); its typings list only the usual orders. (ioredis 6 types its client by reply
        // mapping; connect() has always returned the default one.)
        super(target as string, options as RedisOptions & { replyMapping?: "legacy" });
        // Taken from ioredis before the first command: it arms a timer per command while the option is set.
        this.#commandTimeout = this.options.commandTimeout;
        this.options.commandTimeout = undefined;
        if (typeof this.#commandTimeout === "number") this.#timeouts = new CommandTimeouts(this.#commandTimeout, () => this.#turn.now());
        if ((this.options as DiagnosingOptions).coalesceWrites) this.#coalescer = new WriteCoalescer();
        this.on("end", () => {
            this.#settleSetAside();
            this.#timeouts?.clear();
        });
        // Set after super(): the first connection only closes after I/O, so this is in time. Per
        // instance, so duplicate() hands the caller's own strategy to the new client.
        this.#retryStrategy = this.options.retryStrategy;
        this.options.retryStrategy = (attempts) => this.#connectionLost(attempts);
        this.#sentinel = Boolean(this.options.sentinels?.length);
        if (this.#sentinel) {
            // ioredis's SentinelConnector reads its options from this same object when a round ends.
            this.#sentinelRetryStrategy = this.options.sentinelRetryStrategy;
            this.options.sentinelRetryStrategy = (attempts) => this.#sentinelsFailed(attempts);
            // Emitted synchronously by the connector, before the round ends.
            this.on("sentinelError", (error: Error) => {
                const answer = sentinelAnswer(error);
                if (answer) this.#answers.push(answer);
            });
            this.on("connecting", () => {
                this.#failoverWatch ??= watchFailovers(this.options, (host, port) => void this.#primaryReplaced(host, port));
            });
            this.on("end", () => {
                this.#failoverWatch?.close();
                this.#failoverWatch = undefined;
            });
        }
        this.on("connecting", () => this.#watchTlsHandshake());
        // Emitted once the TCP connection is up (for TLS: once the handshake is done) and the
        // Redis handshake (HELLO/AUTH) is sent.
        this.on("connect", () => (this.#handshaking = this.stream));
        // A working connection outdates any diagnosis, proven ones included (the server may have changed).
        this.on("ready", () => {
            this.#failure = undefined;
            this.#proven = undefined;
            this.#handshaking = undefined;
            this.#sentinelProven = undefined;
            this.#answers = [];
            this.#unknownTo.clear();
            this.#movingTo = undefined;
        });
    }

    /**
     * ioredis keeps what a lost connection had in flight (`prevCommandQueue`) to send again once a
     * new connection is ready, and sets it aside when a reconnect gets a socket but not ready. When
     * the client then ends, ioredis rejects its other queues but not that one: those commands would
     * never settle. Rejected here as ioredis rejects the rest, once "end" is emitted (after its flush).
     */
    #settleSetAside(): void {
        const aside = (this as unknown as IoredisInternals).prevCommandQueue;
        for (const { command } of aside?.splice(0) ?? []) command.reject(new Error("Connection is closed."));
    }

    /**
     * ioredis 5 does not end a client disconnected while it waits to reconnect: its socket has
     * already closed, so nothing emits "end" or rejects a queued command, and they never settle.
     * Ended here as ioredis 6 does it.
     */
    override disconnect(reconnect = false): void {
        super.disconnect(reconnect);
        if (reconnect || this.status !== "reconnecting") return;
        const internals = this as unknown as IoredisInternals;
        internals.manuallyClosing = false;
        internals.setStatus("end");
        internals.flushQueue(new Error("Connection is closed."));
    }

    override duplicate(override?: Partial<RedisOptions>): Redis {
        // The caller's strategies, not this client's wrappers of them; the Sentinel options come along.
        const strategies = this.#sentinel
            ? { retryStrategy: this.#retryStrategy, sentinelRetryStrategy: this.#sentinelRetryStrategy }
            : { retryStrategy: this.#retryStrategy };
        return new DiagnosingRedis({ ...this.options, commandTimeout: this.#commandTimeout, ...strategies, ...override });
    }

    /**
     * One wrapper per command, the first time ioredis sends it: counted, timed (see
     * CommandTimeouts), its failure explained. Commands of this client's own pipelines are only
     * collected here: counted, timed and explained once per pipeline (see pipeline()).
     */
    override sendCommand(command: Command, stream?: Parameters<Redis["sendCommand"]>[1]): unknown {
        const first = this.#turn.enter();
        // A pipeline's commands (`stream` set) leave in one write of ioredis's own.
        if (stream === undefined && this.#coalescer !== undefined && this.status === "ready" && this.stream !== undefined)
            this.#coalescer.beforeWrite(this.stream, first);
        if (this.#pipelineCommands !== undefined && stream !== undefined) this.#pipelineCommands.push(command);
        else if (command.reject.name !== WRAPPED_REJECT) {
            this.meter.issued();
            this.#timeouts?.add(command);
            const reject = command.reject;
            const hardenedRedisReject = (error: Error) => {
                this.meter.failed();
                this.#timeouts?.rejected(command);
                reject(this.#explain(error));
            };
            command.reject = hardenedRedisReject;
        }
        return super.sendCommand(command, stream);
    }

    /**
     * A pipeline whose `exec` explains its results' failures, one wrapper for the whole batch
     * instead of one per command (the pipeline's commands are what its results report). ioredis
     * sends them synchronously from exec(); when it cannot (a pipeline of defineCommand scripts
     * first checks they are loaded), they go through sendCommand one by one and are wrapped there.
     */
    override pipeline(...args: Parameters<Redis["pipeline"]>): ReturnType<Redis["pipeline"]> {
        const pipeline = super.pipeline(...args);
        const exec = pipeline.exec.bind(pipeline);
        pipeline.exec = (callback?: (error?: Error | null, results?: PipelineResults) => void) => {
            // With a callback (ioredis's node-style form) the pipeline's commands take the per-command path.
            if (callback) return exec(callback);
            const commands: Command[] = (this.#pipelineCommands = []);
            let sent: Promise<PipelineResults>;
            try {
                sent = exec();
            } finally {
                this.#pipelineCommands = undefined;
            }
            if (commands.length === 0) return sent;
            this.meter.issued(commands.length);
            this.#timeouts?.addBatch(commands);
            return this.#explained(sent);
        };
        return pipeline;
    }

    /** A pipeline's results with each failure counted and explained. */
    #explained(sent: Promise<PipelineResults>): Promise<PipelineResults> {
        return sent.then(
            (results) => {
                this.#timeouts?.dropSettled();
                // Most batches have no failure: they are handed on as ioredis made them, not copied.
                if (!results?.some(([error]) => error !== null)) return results;
                return results.map((result): [Error | null, unknown] => {
                    if (result[0] === null) return result;
                    this.meter.failed();
                    return [this.#explain(result[0]), result[1]];
                });
            },
            (error: Error) => {
                this.meter.failed();
                throw this.#explain(error);
            },
        );
    }

    #explain(error: Error): Error {
        return this.#failure && isGenericConnectionError(error) ? this.#failure.error() : error;
    }

    get #endpoint(): Endpoint {
        const tls = this.#tls;
        return {
            host: tls?.host ?? this.options.host ?? "localhost",
            port: tls?.port ?? this.options.port ?? REDIS_PORT,
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
        const socket = this.stream as (TLSSocket & { errored: Error | null }) | undefined;
        this.#failure = this.#sentinel ? this.#diagnosePrimary(socket) : this.#diagnose(socket);
        this.#handshaking = undefined;
        if (this.#failure?.final) return null;
        return typeof this.#retryStrategy === "function" ? this.#retryStrategy(attempts) : null;
    }

    /** With Sentinels: a certificate the primary presented and Node refused. */
    #diagnosePrimary(socket: (TLSSocket & { errored: Error | null }) | undefined): Failure | undefined {
        const tls = this.#tls;
        if (!socket || socket === this.#replaced || !tls || !socket.authorizationError) return undefined;
        // Its address is only known once read while connected, which a refused handshake never is.
        const endpoint: Endpoint =
            socket.remoteAddress !== undefined && socket.remotePort !== undefined
                ? { host: socket.remoteAddress, port: socket.remotePort }
                : { host: "", port: 0, label: `The Redis the Sentinels named as primary "${this.options.name}"` };
        return certificateFailure(endpoint, socket.errored ?? new Error(String(socket.authorizationError)), tls.ca !== undefined);
    }

    /**
     * Called by ioredis's SentinelConnector, through sentinelRetryStrategy, after a round in which no
     * Sentinel named the primary: the answers are in; null ends the client with the diagnosis.
     */
    #sentinelsFailed(attempts: number): number | void | null {
        const answers = this.#answers;
        this.#answers = [];
        const name = this.options.name ?? "";
        for (const a of answers) if (isUnknownMaster(a)) this.#unknownTo.add(`${a.host}:${a.port}`);
        // ioredis's rounds may start mid-list (it resumes where the last success left off): final only
        // once every Sentinel in the string has said it knows no such primary, and none said otherwise.
        const everySentinel = (this.options.sentinels ?? []).every((s) => this.#unknownTo.has(`${s.host}:${s.port}`));
        if (this.#sentinelProven) {
            this.#failure = this.#sentinelProven;
        } else if (answers.length > 0 && answers.every(isUnknownMaster) && everySentinel) {
            this.#failure = unknownMaster(name, answers);
        } else {
            this.#failure = noSentinelAnswered(name, answers);
            // A Sentinel that closed the connection (rather than answering an error) may be refusing it for good.
            const closed = answers.find((a) => !isErrorReply(a));
            if (closed) this.#probeSentinel({ host: closed.host, port: closed.port, sentinel: true });
        }
        if (this.#failure.final) return null;
        return typeof this.#sentinelRetryStrategy === "function" ? this.#sentinelRetryStrategy(attempts) : null;
    }

    #probeSentinel(endpoint: Endpoint): void {
        if (this.#sentinelProbing) return;
        this.#sentinelProbing = true;
        const tls = this.options.sentinelTLS;
        void diagnoseSentinel(endpoint, tls, this.options.family).then((failure) => {
            this.#sentinelProbing = false;
            // The next round that fails ends the client with it.
            if (failure) this.#sentinelProven = failure;
        });
    }

    /**
     * A Sentinel announced that `host:port` is the primary now. Unless this client is connected
     * there already, its socket leads to the old primary (or nowhere): dropping it makes ioredis
     * reconnect through the Sentinels, as after any lost connection. Without this, a primary that
     * froze or was cut off keeps the socket open, and the client waits on it indefinitely. A client
     * waiting to retry reconnects at once.
     */
    async #primaryReplaced(host: string, port: number): Promise<void> {
        // Every Sentinel announces the promotion once it knows, the others up to a couple of seconds
        // after the first, and until then they still name the old primary if asked. So each
        // announcement restarts a client waiting between attempts, but none cuts short an attempt an
        // earlier announcement of the same promotion started.
        const primary = `${host}:${port}`;
        if (this.status === "reconnecting") {
            this.#movingTo = primary;
            return this.#reconnectNow();
        }
        if (this.#movingTo === primary && (this.status === "connecting" || this.status === "connect")) return;
        const socket = this.stream as Socket | undefined;
        if (!socket || socket.destroyed || (await connectedTo(socket, host, port))) return;
        if (socket !== this.stream || socket.destroyed) return;
        this.#movingTo = primary;
        this.#replaced = socket;
        socket.destroy();
    }

    /**
     * Between attempts (the old primary refused the last one) the next attempt waits for its
     * backoff, up to 2 s by default; the Sentinels name the new primary now, so it starts now. It does
     * what ioredis's pending timer would (clear it, connect), only earlier; `reconnectTimeout` is
     * ioredis's (5 and 6) and not typed public: without it, the timer is simply left to run.
     */
    #reconnectNow(): void {
        const internals = this as unknown as IoredisInternals;
        if (!internals.reconnectTimeout) return;
        clearTimeout(internals.reconnectTimeout);
        internals.reconnectTimeout = null;
        this.connect().catch(() => {});
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
        // With Sentinels, "connecting" includes asking them, and the server's address is theirs to say.
        if (!this.#tls || this.options.path || this.#sentinel) return;
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
