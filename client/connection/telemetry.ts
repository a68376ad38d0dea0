import type Redis from "ioredis";

/** A client's connection health at one moment: what an app exports as metrics or checks before it saturates. */
export interface ConnectionTelemetry {
    /** ioredis's connection state: `ready` when commands go straight out; `connecting`, `reconnecting`, `end`, … otherwise. */
    status: string;
    /** Commands issued and not yet answered, those waiting for a connection included. Growing without bound: the server or the network cannot keep up. */
    inFlight: number;
    /** Of those, the ones waiting for a connection (ioredis's offline queue); they fail after the command timeout. */
    offlineQueued: number;
    /** Commands issued since the client was made, the connection handshakes (HELLO or AUTH, the ready check) included. */
    commandsSent: number;
    /** Commands that failed (an error reply, a timeout, a lost connection). */
    commandsFailed: number;
    /** Times the connection was lost and retried. */
    reconnects: number;
    /** The latest connection error (ioredis's `error` event), if any: its message names the server's address, never the credentials. */
    lastError: { message: string; at: Date } | undefined;
}

/** ioredis's queues live in fields its typings call private (the same in 5 and 6; the client suites run on both). */
interface Queues {
    offlineQueue?: { length: number };
    commandQueue?: { length: number };
    /** Sent and unanswered when the connection closed; resent or failed once it reconnects. */
    prevCommandQueue?: { length: number } | null;
}

function offlineQueueLength(client: Redis): number {
    const queue = (client as unknown as Queues).offlineQueue;
    if (typeof queue?.length !== "number") throw new Error("connectionTelemetry: this ioredis has no offline queue where 5 and 6 keep it");
    return queue.length;
}

/** Commands issued and unanswered: waiting for a connection, sent, or sent before a reconnect. */
function unansweredLength(client: Redis): number {
    const { commandQueue, prevCommandQueue } = client as unknown as Queues;
    if (typeof commandQueue?.length !== "number")
        throw new Error("connectionTelemetry: this ioredis has no command queue where 5 and 6 keep it");
    // Right after a close, prevCommandQueue is the very queue commandQueue still points to: count it once.
    return (
        offlineQueueLength(client) +
        commandQueue.length +
        (prevCommandQueue && prevCommandQueue !== commandQueue ? prevCommandQueue.length : 0)
    );
}

/**
 * Counts a client's commands and connection events; connect() gives every client one. It adds
 * nothing to a command: what is in flight is what ioredis's own queues hold, read when asked.
 */
export class ConnectionMeter {
    #sent = 0;
    #failed = 0;
    #reconnects = 0;
    #lastError: ConnectionTelemetry["lastError"];

    constructor(private readonly client: Redis) {
        client.on("reconnecting", () => (this.#reconnects += 1));
        client.on("error", (error: Error) => (this.#lastError = { message: error.message, at: new Date() }));
    }

    /** Called once per command (or once for a pipeline's `count`), however often ioredis resends them. */
    issued(count = 1): void {
        this.#sent += count;
    }

    /** Called once per failed command. */
    failed(): void {
        this.#failed += 1;
    }

    snapshot(): ConnectionTelemetry {
        return {
            status: this.client.status,
            inFlight: unansweredLength(this.client),
            offlineQueued: offlineQueueLength(this.client),
            commandsSent: this.#sent,
            commandsFailed: this.#failed,
            reconnects: this.#reconnects,
            lastError: this.#lastError,
        };
    }
}
