// A lock's holder must learn that the lock is gone no later than its TTL, measured locally from
// the acquire, whatever holds the extensions up (issue #27). A paused server holds them all.
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock, LockLostError, withLock } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

describe("a lock's local deadline, on a real redis-server from the rendered config", () => {
    let server: LocalRedis;
    let app: Redis;
    let admin: Redis;
    beforeAll(async () => {
        server = await startLocalRedis();
        app = new Redis(server.connectionString, { maxRetriesPerRequest: null });
        admin = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0 });
    });
    afterAll(async () => {
        await admin?.call("CLIENT", "UNPAUSE").catch(() => undefined);
        app?.disconnect();
        admin?.disconnect();
        await server?.stop();
    });

    it("starts at the acquire's send time plus the TTL, and moves with each extension that succeeds", async () => {
        const before = performance.now();
        const lock = await acquireLock(app, "lease:moves", { ttlMs: 5_000 });
        expect(lock.validUntil).toBeGreaterThanOrEqual(before + 5_000);
        expect(lock.validUntil).toBeLessThanOrEqual(performance.now() + 5_000);
        const extendSent = performance.now();
        expect(await lock.extend(60_000)).toBe(true);
        expect(lock.validUntil).toBeGreaterThanOrEqual(extendSent + 60_000);
        expect(await lock.release()).toBe(true);
    });

    it("aborts the holder at the deadline while every extension is held up, long before they could settle", async () => {
        const pausedMs = 3_000;
        let pausedAt = 0;
        let abortedAt = 0;
        let reason: unknown;
        await withLock(
            app,
            "lease:paused",
            async ({ signal }) => {
                // Scripts may write, so CLIENT PAUSE WRITE holds every extension (and the release) until it ends.
                await admin.call("CLIENT", "PAUSE", String(pausedMs), "WRITE");
                pausedAt = performance.now();
                await new Promise<void>((resolve) =>
                    signal.addEventListener(
                        "abort",
                        () => {
                            abortedAt = performance.now();
                            reason = signal.reason;
                            resolve();
                        },
                        { once: true },
                    ),
                );
            },
            { ttlMs: 400 },
        );
        expect(reason).toBeInstanceOf(LockLostError);
        // At the 400 ms deadline; an extension could only have answered once the pause ended, 3 s in.
        expect(abortedAt - pausedAt).toBeLessThan(pausedMs - 1_000);
    }, 20_000);
});
