// ioredis's `commandTimeout` arms a timer for every command and clears it at the reply: on a busy
// client that is a setTimeout and a clearTimeout per GET, about a tenth of a pipelined bulk load's
// throughput (measured). Every command of a client gets the same timeout, so deadlines come in the
// order commands are issued: one queue and one timer, armed for the oldest unsettled command, do
// the same job. A pipeline's commands are one entry of that queue: they share a deadline. The failure is the one ioredis gives, `Command timed out`, through the command's own
// reject, which (as ioredis's timer does) leaves the command in ioredis's queues: a reply that
// comes later settles nothing.
import type { Command } from "ioredis";

/** What this module reads of a command: settled (ioredis 6), or resolved (ioredis 5, which does not mark a rejection). */
type Tracked = Command & { isSettled?: boolean };

/** What the queue holds: one command, or a pipeline's commands (sent together, in order, with one deadline). */
type Entry = Tracked | readonly Tracked[];

const isBatch = (entry: Entry): entry is readonly Tracked[] => Array.isArray(entry);

export class CommandTimeouts {
    readonly #ms: number;
    #entries: Entry[] = [];
    #deadlines: number[] = [];
    /** Index of the oldest entry still tracked. */
    #head = 0;
    #timer: NodeJS.Timeout | undefined;
    /** Commands that failed, for ioredis 5, whose commands do not say so. Only failures land here: they are rare. */
    readonly #rejected = new WeakSet<Command>();

    /** The time now, read once per turn of the event loop (see turn.ts): a clock read per command costs throughput, and timeouts are seconds. */
    readonly #clock: () => number;

    constructor(ms: number, clock: () => number) {
        this.#ms = ms;
        this.#clock = clock;
    }

    /** The deadline of a command sent now. */
    deadline(): number {
        return this.#clock() + this.#ms;
    }

    /** Starts the timeout of a command sent for the first time. */
    add(command: Command): void {
        this.#push(command);
    }

    /**
     * Starts the timeout of a pipeline's commands, sent just now: one entry for the batch, where
     * one per command would cost a bulk load a few percent of its throughput (measured).
     */
    addBatch(commands: readonly Command[]): void {
        if (commands.length > 0) this.#push(commands);
    }

    #push(entry: Entry): void {
        this.dropSettled();
        this.#entries.push(entry);
        this.#deadlines.push(this.deadline());
        if (this.#timer === undefined) this.#timer = this.#arm();
    }

    /** Forgets every command and stops the timer: the client has ended, and ioredis has failed what it held. */
    clear(): void {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#entries = [];
        this.#deadlines = [];
        this.#head = 0;
    }

    /** Records a command's failure (see #rejected). */
    rejected(command: Command): void {
        this.#rejected.add(command);
    }

    #settled(command: Tracked): boolean {
        return command.isSettled ?? (command.isResolved || this.#rejected.has(command));
    }

    /** Whether every command of an entry is settled; a batch's last command is checked first, as replies come in order. */
    #entrySettled(entry: Entry): boolean {
        if (!isBatch(entry)) return this.#settled(entry);
        for (let i = entry.length - 1; i >= 0; i--) if (!this.#settled(entry[i])) return false;
        return true;
    }

    /**
     * Forgets the settled entries at the head; replies come in order, so the head is where they
     * are. Also called when a pipeline's replies are in: a batch held until the next command would
     * survive the garbage collections its successor's allocations trigger, and cost them.
     */
    dropSettled(): void {
        while (this.#head < this.#entries.length && this.#entrySettled(this.#entries[this.#head])) this.#head += 1;
        if (this.#head === this.#entries.length) {
            this.#entries = [];
            this.#deadlines = [];
            this.#head = 0;
        } else if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
            this.#entries = this.#entries.slice(this.#head);
            this.#deadlines = this.#deadlines.slice(this.#head);
            this.#head = 0;
        }
    }

    /** A timer for the oldest entry's deadline. Unreferenced: a pending command keeps the process alive by its socket or reconnect timer, not by this. */
    #arm(): NodeJS.Timeout {
        const timer = setTimeout(() => this.#expire(), Math.max(0, this.#deadlines[this.#head] - performance.now()));
        timer.unref();
        return timer;
    }

    #expire(): void {
        this.#timer = undefined;
        const now = performance.now();
        this.dropSettled();
        while (this.#head < this.#entries.length && this.#deadlines[this.#head] <= now) {
            const entry = this.#entries[this.#head];
            this.#head += 1;
            for (const command of isBatch(entry) ? entry : [entry])
                if (!this.#settled(command)) command.reject(new Error("Command timed out"));
        }
        this.dropSettled();
        if (this.#head < this.#entries.length) this.#timer = this.#arm();
    }
}
