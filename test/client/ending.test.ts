// A client that ends settles every command it was given. ioredis keeps the commands a lost
// connection had in flight (`prevCommandQueue`) to send again once a new connection is ready; when
// a reconnect gets a socket but never gets ready (a server restarting, a proxy with no backend)
// that queue is set aside, and when the client then ends, ioredis rejects its other queues but not
// that one: those commands never settle. ioredis 5 also leaves a client disconnected while it waits
// to reconnect unended, every queue unsettled. connect()'s client rejects them as ioredis rejects
// the rest (`Connection is closed.`), with or without a commandTimeout.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

/** Until `ready()` holds, checked every 10 ms, at most `ms`. */
async function until(ready: () => boolean, ms = 5_000): Promise<void> {
    const deadline = performance.now() + ms;
    while (!ready()) {
        if (performance.now() > deadline) throw new Error("condition not reached in time");
        await new Promise((r) => setTimeout(r, 10));
    }
}

describe("a client that ends", () => {
    let server: LocalRedis;
    beforeAll(async () => {
        server = await startLocalRedis();
    });
    afterAll(async () => {
        await server?.stop();
    });

    for (const commandTimeout of [undefined, 30_000]) {
        it(`settles a command its lost connection had in flight (commandTimeout ${commandTimeout ?? "unset"})`, async () => {
            const client = connect(server.connectionString, { shared: false, commandTimeout });
            // Its own per case: the stand-in below turns away its reconnects too.
            const admin = connect(server.adminConnectionString, { shared: false });
            try {
                await client.ping();
                // Held by the server until the connection is lost: it is in flight when the server dies.
                await admin.call("CLIENT", "PAUSE", "10000", "ALL");
                const pending = client.get("k").then(
                    () => "answered",
                    (e: Error) => e.message,
                );
                await until(() => client.commandQueue.length === 1);
                let handshakes = 0;
                client.on("connect", () => (handshakes += 1));
                let outcome: unknown;
                await server.restart({
                    // While Redis is down, its port accepts connections and closes them before any
                    // reply: the client reconnects (its handshake sent), never gets ready, and is
                    // ended there.
                    whileDown: async () => {
                        const stand = createServer((socket) => socket.destroy());
                        await new Promise<void>((resolve) => stand.listen(server.port, "127.0.0.1", resolve));
                        try {
                            await until(() => handshakes > 0 && client.status === "reconnecting");
                            client.disconnect();
                            outcome = await Promise.race([
                                pending,
                                new Promise((r) => setTimeout(() => r("still pending 1 s after the client ended"), 1_000)),
                            ]);
                        } finally {
                            await new Promise((resolve) => stand.close(resolve));
                        }
                    },
                });
                // ioredis's words, or the client's explanation of them (the stand-in closed the connection).
                expect(outcome).toMatch(/^Connection is closed\.$|closed the connection/);
            } finally {
                client.disconnect();
                admin.disconnect();
            }
        });
    }
});
