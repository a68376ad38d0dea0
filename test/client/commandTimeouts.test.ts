// connect()'s commandTimeout, kept by the client with one timer for all its commands instead of
// ioredis's timer per command (client/connection/commandTimeouts.ts): every command still fails
// with ioredis's `Command timed out` once its own deadline passes, whatever came before it, and
// a reply that arrives later settles nothing. On a real redis-server, on ioredis 5 and 6.
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, connectionTelemetry } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

describe("connect()'s commandTimeout", () => {
    let server: LocalRedis;
    let admin: Redis;
    let client: Redis;
    beforeAll(async () => {
        server = await startLocalRedis();
        admin = connect(server.adminConnectionString, { shared: false });
        client = connect(server.connectionString, { shared: false, commandTimeout: 300 });
        await client.ping();
    });
    afterAll(async () => {
        client?.disconnect();
        admin?.disconnect();
        await server?.stop();
    });

    it("fails each command at its own deadline while the server does not answer, and none after an answer", async () => {
        const before = connectionTelemetry(client).commandsFailed;
        // Paused longer than any command here waits (UNPAUSE would wait out the pause too: it is a command).
        await admin.call("CLIENT", "PAUSE", "800", "ALL");
        const started = performance.now();
        const early = Array.from({ length: 500 }, () =>
            client.get("k").then(
                () => undefined,
                (e: Error) => ({ message: e.message, at: performance.now() - started }),
            ),
        );
        // Issued 150 ms later: each of these must live its own 300 ms, not the first batch's.
        await new Promise((r) => setTimeout(r, 150));
        const late = client.get("k").then(
            () => undefined,
            (e: Error) => ({ message: e.message, at: performance.now() - started }),
        );
        const failures = await Promise.all(early);
        const lateFailure = await late;
        expect(new Set(failures.map((f) => f?.message))).toEqual(new Set(["Command timed out"]));
        for (const f of failures) expect(f!.at).toBeGreaterThanOrEqual(295);
        expect(Math.max(...failures.map((f) => f!.at))).toBeLessThan(1_000);
        expect(lateFailure?.message).toBe("Command timed out");
        expect(lateFailure!.at).toBeGreaterThanOrEqual(445);
        expect(connectionTelemetry(client).commandsFailed - before).toBe(501);
        // Once the pause ends, the late replies settle nothing; the connection goes on.
        await new Promise((r) => setTimeout(r, Math.max(0, 850 - (performance.now() - started))));
        expect(await client.set("k", "v")).toBe("OK");
        expect(await client.get("k")).toBe("v");
        expect(connectionTelemetry(client).commandsFailed - before).toBe(501);
    });

    it("fails a pipeline's commands at the pipeline's deadline, each counted, and a later pipeline at its own", async () => {
        const before = connectionTelemetry(client);
        await admin.call("CLIENT", "PAUSE", "800", "ALL");
        const started = performance.now();
        const settled = (sent: Promise<[Error | null, unknown][] | null>) =>
            sent.then((results) => ({ messages: results?.map(([error]) => error?.message), at: performance.now() - started }));
        const first = settled(client.pipeline().get("k").set("k", "v").get("k").exec());
        // A single command and a second pipeline 150 ms later: each lives its own 300 ms, not the first pipeline's.
        await new Promise((r) => setTimeout(r, 150));
        const single = client.get("k").then(
            () => undefined,
            (e: Error) => ({ message: e.message, at: performance.now() - started }),
        );
        const second = settled(
            client
                .pipeline([
                    ["get", "k"],
                    ["get", "k"],
                ])
                .exec(),
        );
        const [a, b, c] = await Promise.all([first, single, second]);
        expect(a.messages).toEqual(Array(3).fill("Command timed out"));
        expect(a.at).toBeGreaterThanOrEqual(295);
        // At its own deadline, not the later pipeline's.
        expect(a.at).toBeLessThan(c.at);
        expect(b?.message).toBe("Command timed out");
        expect(c.messages).toEqual(Array(2).fill("Command timed out"));
        expect(c.at).toBeGreaterThanOrEqual(445);
        const after = connectionTelemetry(client);
        expect(after.commandsSent - before.commandsSent).toBe(6);
        expect(after.commandsFailed - before.commandsFailed).toBe(6);
        await new Promise((r) => setTimeout(r, Math.max(0, 850 - (performance.now() - started))));
        expect(await client.pipeline().set("k", "w").get("k").exec()).toEqual([
            [null, "OK"],
            [null, "w"],
        ]);
    });

    it("does not fail commands answered in time, however many", async () => {
        const before = connectionTelemetry(client).commandsFailed;
        for (let round = 0; round < 5; round++) {
            await Promise.all(Array.from({ length: 2_000 }, (_, i) => client.set(`bulk:${i}`, "x")));
        }
        await new Promise((r) => setTimeout(r, 400));
        expect(connectionTelemetry(client).commandsFailed).toBe(before);
    });
});
