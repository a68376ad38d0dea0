// The commands a client issues after the first in one turn of the event loop leave together, in one socket write.
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
// turn's end (see turn.ts). Node's `end()` uncorks, so a client that quits or disconnects in the same turn still sends
// what it held; a socket destroyed meanwhile loses it as it would lose any unanswered write, and
// ioredis handles those commands as it handles every command in flight on a lost connection.
import type { Writable } from "node:stream";

export class WriteCoalescer {
    #corked: Writable | undefined;

    /**
     * Called before a single command (not a pipeline's: those leave in one write already) is
     * written to `socket`; `first`: the first command of its turn (see turn.ts), which goes out at once.
     */
    beforeWrite(socket: Writable, first: boolean): void {
        if (first || this.#corked !== undefined) return;
        this.#corked = socket;
        socket.cork();
    }

    /** At the end of the turn: what was held leaves, in one write. */
    turnEnded(): void {
        const socket = this.#corked;
        this.#corked = undefined;
        socket?.uncork();
    }
}
