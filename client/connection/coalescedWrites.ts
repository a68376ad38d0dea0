// The commands a client issues in one turn of the event loop leave in one socket write.
//
// ioredis writes each command to its socket the moment it is issued: one write system call per
// command, which is most of what a busy client spends (a CPU profile of 100 GETs in flight on
// loopback: about 70 % of the client's time in the socket write). node-redis coalesces a turn's
// writes by default; ioredis's enableAutoPipelining does it by building pipelines, which adds its
// own work per command. Corking the socket is the cheapest form: Node buffers the writes and hands
// them to the kernel together (one writev) on uncork.
//
// The first command of a turn is written at once, so a command issued alone (one at a time, the
// latency case) waits for nothing; only the commands after it in the same turn are held, until the
// turn's end (process.nextTick, which runs once the promise continuations that issued them have
// run). Node's `end()` uncorks, so a client that quits or disconnects in the same turn still sends
// what it held; a socket destroyed meanwhile loses it as it would lose any unanswered write, and
// ioredis handles those commands as it handles every command in flight on a lost connection.
import type { Writable } from "node:stream";

export class WriteCoalescer {
    /** Commands written in this turn so far, counted up to 2 (from the second on, the socket is corked). */
    #written = 0;
    #corked: Writable | undefined;
    readonly #turnEnded = () => {
        this.#written = 0;
        const socket = this.#corked;
        this.#corked = undefined;
        socket?.uncork();
    };

    /** Called before a single command (not a pipeline's: those leave in one write already) is written to `socket`. */
    beforeWrite(socket: Writable): void {
        if (this.#written === 0) {
            this.#written = 1;
            process.nextTick(this.#turnEnded);
        } else if (this.#written === 1) {
            this.#written = 2;
            this.#corked = socket;
            socket.cork();
        }
    }
}
