import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedClients, connect, connectionTelemetry } from "../../client";
import { freeLoopbackPort, startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

// connectionTelemetry() on clients connect() makes, against a real redis-server, on ioredis 5 and 6.
describe("connectionTelemetry", () => {
    let server: LocalRedis;
    let admin: Redis;
    const clients: Redis[] = [];
    const client = (url: string, options = {}) => {
        const made = connect(url, { shared: false, ...options });
        made.on("error", () => {}); // read through the telemetry instead
        clients.push(made);
        return made;
    };

    beforeAll(async () => {
        server = await startLocalRedis();
        admin = connect(server.adminConnectionString, { shared: false });
    });
    afterAll(async () => {
        for (const c of clients) c.disconnect();
        admin?.disconnect();
        await closeSharedClients();
        await server?.stop();
    });

    it("counts commands in flight under a bounded load, and sees them all answered", async () => {
        const redis = client(server.connectionString);
        await redis.ping();
        const idle = connectionTelemetry(redis);
        expect(idle).toMatchObject({ status: "ready", inFlight: 0, offlineQueued: 0, reconnects: 0, lastError: undefined });
        // 5,000 commands issued at once: all on the wire, none answered yet.
        const replies = Array.from({ length: 5_000 }, (_, i) => redis.set(`telemetry:${i}`, "1", "EX", 60));
        const busy = connectionTelemetry(redis);
        expect(busy.inFlight).toBe(5_000);
        expect(busy.offlineQueued).toBe(0);
        await Promise.all(replies);
        const done = connectionTelemetry(redis);
        expect(done.inFlight).toBe(0);
        expect(done.commandsSent - idle.commandsSent).toBe(5_000);
        expect(done.commandsFailed).toBe(idle.commandsFailed);
        // An error reply is a failed command, not a lost connection.
        await expect(redis.call("FLUSHALL")).rejects.toThrow();
        expect(connectionTelemetry(redis)).toMatchObject({ inFlight: 0, commandsFailed: idle.commandsFailed + 1, reconnects: 0 });
    });

    it("counts a reconnect when the server drops the connection, and carries on", async () => {
        const redis = client(server.connectionString);
        await redis.call("CLIENT", "SETNAME", "telemetry-victim");
        const id = String(await redis.call("CLIENT", "ID"));
        await admin.call("CLIENT", "KILL", "ID", id);
        await expect.poll(() => connectionTelemetry(redis).reconnects).toBe(1);
        expect(await redis.ping()).toBe("PONG");
        expect(connectionTelemetry(redis)).toMatchObject({ status: "ready", inFlight: 0 });
    });

    it("shows commands waiting for a server that is not there, the connection error, and no credential", async () => {
        const url = new URL(server.connectionString);
        url.port = String(await freeLoopbackPort()); // nothing listens there
        // Far more attempts per command than the two reconnects awaited below: no race with the failing.
        const redis = client(url.toString(), { retryStrategy: () => 50, maxRetriesPerRequest: 20 });
        const waiting = Array.from({ length: 3 }, () => redis.ping().catch((e: unknown) => e));
        await expect.poll(() => connectionTelemetry(redis).reconnects).toBeGreaterThanOrEqual(2);
        const down = connectionTelemetry(redis);
        expect(down.status).not.toBe("ready");
        expect(down).toMatchObject({ inFlight: 3, offlineQueued: 3 });
        expect(down.lastError?.message).toMatch(/ECONNREFUSED/);
        expect(down.lastError?.message.includes(server.password)).toBe(false);
        // After maxRetriesPerRequest failed attempts, ioredis fails them. (Not disconnect(): while
        // ioredis waits to reconnect, it leaves the offline queue unsettled.)
        const failures = (await Promise.all(waiting)) as Error[];
        expect(failures.map((e) => e.name)).toEqual([
            "MaxRetriesPerRequestError",
            "MaxRetriesPerRequestError",
            "MaxRetriesPerRequestError",
        ]);
        expect(connectionTelemetry(redis)).toMatchObject({ inFlight: 0, offlineQueued: 0, commandsFailed: 3 });
    });

    it("meters only clients connect() made", () => {
        expect(() => connectionTelemetry({} as Redis)).toThrow(/only clients made by connect\(\)/);
    });
});
