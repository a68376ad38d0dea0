import type Redis from "ioredis";
import type { Command } from "ioredis";

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

/** The offline queue lives in an ioredis field its typings call private (the same in 5 and 6; the client suites run on both). */
function offlineQueueLength(client: Redis): number {
    const queue = (client as unknown as { offlineQueue?: { length: number } }).offlineQueue;
    if (typeof queue?.length !== "number") throw new Error("connectionTelemetry: this ioredis has no offline queue where 5 and 6 keep it");
    return queue.length;
}

/** Counts a client's commands and connection events; connect() gives every client one. */
export class ConnectionMeter {
    #inFlight = 0;
    #sent = 0;
    #failed = 0;
    #reconnects = 0;
    #lastError: ConnectionTelemetry["lastError"];

    constructor(private readonly client: Redis) {
        client.on("reconnecting", () => (this.#reconnects += 1));
        client.on("error", (error: Error) => (this.#lastError = { message: error.message, at: new Date() }));
    }

    /**
     * Called once per command, however often ioredis resends it. Wraps the command's own settle
     * functions rather than its promise, so a rejection nobody handles is still reported as such.
     */
    issued(command: Command): void {
        this.#sent += 1;
        this.#inFlight += 1;
        const { resolve, reject } = command;
        command.resolve = (value) => {
            this.#inFlight -= 1;
            resolve(value);
        };
        command.reject = (error) => {
            this.#inFlight -= 1;
            this.#failed += 1;
            reject(error);
        };
    }

    snapshot(): ConnectionTelemetry {
        return {
            status: this.client.status,
            inFlight: this.#inFlight,
            offlineQueued: offlineQueueLength(this.client),
            commandsSent: this.#sent,
            commandsFailed: this.#failed,
            reconnects: this.#reconnects,
            lastError: this.#lastError,
        };
    }
}
