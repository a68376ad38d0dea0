// connect()'s client writes the commands issued after the first in one turn of the event loop
// together, at the turn's end (client/connection/coalescedWrites.ts), and the first at once. What
// the socket is handed is counted at Node's own hooks (`_write` for one chunk, `_writev` for
// several): what reaches the kernel, one system call each. On a real redis-server, ioredis 5 and 6.
import type { Socket } from "node:net";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

type Hooks = Socket & {
    _write(chunk: unknown, encoding: string, callback: () => void): void;
    _writev(chunks: unknown[], callback: () => void): void;
};

/** The chunks in each write the client's current socket is handed from now on. */
function countWrites(client: Redis): number[] {
    const socket = client.stream as Hooks;
    const writes: number[] = [];
    const write = socket._write.bind(socket);
    const writev = socket._writev.bind(socket);
    socket._write = (chunk, encoding, callback) => {
        writes.push(1);
        write(chunk, encoding, callback);
    };
    socket._writev = (chunks, callback) => {
        writes.push(chunks.length);
        writev(chunks, callback);
    };
    return writes;
}

const KEYS = Array.from({ length: 50 }, (_, i) => `coalesced:${i}`);

describe("connect()'s client coalesces a turn's writes", () => {
    let server: LocalRedis;
    let client: Redis;
    beforeAll(async () => {
        server = await startLocalRedis();
        client = connect(server.connectionString, { shared: false });
        await client.mset(Object.fromEntries(KEYS.map((k) => [k, `value of ${k}`])));
    });
    afterAll(async () => {
        client?.disconnect();
        await server?.stop();
    });

    it("writes the first command of a turn at once, and the rest of the turn in one write", async () => {
        const writes = countWrites(client);
        const replies = Promise.all(KEYS.map((k) => client.get(k)));
        // Still in the turn that issued them: only the first has been handed to the socket.
        expect(writes).toEqual([1]);
        expect(await replies).toEqual(KEYS.map((k) => `value of ${k}`));
        expect(writes).toEqual([1, KEYS.length - 1]);
    });

    it("holds nothing back from a command issued alone", async () => {
        const writes = countWrites(client);
        for (const k of KEYS.slice(0, 3)) {
            const reply = client.get(k);
            expect(writes.length).toBeGreaterThan(0);
            expect(await reply).toBe(`value of ${k}`);
        }
        expect(writes).toEqual([1, 1, 1]);
    });

    it("coalesces commands issued by promise continuations in the same turn", async () => {
        // As 100 callers awaiting their previous reply do: each continuation issues the next command.
        const writes = countWrites(client);
        const ready = Promise.resolve();
        const replies = Promise.all(KEYS.map((k) => ready.then(() => client.get(k))));
        expect(await replies).toEqual(KEYS.map((k) => `value of ${k}`));
        expect(writes).toEqual([1, KEYS.length - 1]);
    });

    it("still sends what it held when the client quits in the same turn", async () => {
        const quitting = connect(server.connectionString, { shared: false });
        await quitting.ping();
        const replies = Promise.all(KEYS.map((k) => quitting.get(k)));
        const quit = quitting.quit();
        expect(await replies).toEqual(KEYS.map((k) => `value of ${k}`));
        expect(await quit).toBe("OK");
    });

    it("writes each command as it is issued with coalesceWrites: false, as ioredis does", async () => {
        const plain = connect(server.connectionString, { shared: false, coalesceWrites: false });
        try {
            await plain.ping();
            const writes = countWrites(plain);
            const replies = Promise.all(KEYS.map((k) => plain.get(k)));
            expect(await replies).toEqual(KEYS.map((k) => `value of ${k}`));
            // Each handed to the socket when issued; Node may gather those it could not write at once.
            expect(writes.reduce((a, b) => a + b, 0)).toBe(KEYS.length);
            expect(writes.length).toBeGreaterThan(2);
        } finally {
            plain.disconnect();
        }
    });
});
