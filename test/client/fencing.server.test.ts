// Fencing tokens must only go up for as long as a lock's name is in use. A plain counter does not:
// under an allkeys-* eviction policy a rarely read counter is among the first keys evicted, and a
// failover or a restart that loses the last INCR loses it too; each restarted the sequence at 1
// (issue #27, measured). On a real redis-server from the rendered config, as the app user.
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/localRedis";

const LOCK = "lock:nightly";

/** Three grants of the lock, one after the other; their fences. */
async function grants(client: Redis, n = 3): Promise<number[]> {
    const fences: number[] = [];
    for (let i = 0; i < n; i++) {
        const lock = await acquireLock(client, LOCK, { ttlMs: 5_000 });
        fences.push(lock.fence);
        await lock.release();
    }
    return fences;
}

const increasing = (fences: number[]) => fences.every((f, i) => i === 0 || f > fences[i - 1]);

describe.each(["allkeys-lru", "allkeys-random"])("fencing tokens on a server evicting by %s", (policy) => {
    let server: LocalRedis;
    let app: Redis;
    let admin: Redis;
    beforeAll(async () => {
        server = await startLocalRedis({ maxmemory: "4mb", maxmemoryPolicy: policy });
        app = new Redis(server.connectionString, { maxRetriesPerRequest: 0 });
        admin = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0 });
    });
    afterAll(async () => {
        app?.disconnect();
        admin?.disconnect();
        await server?.stop();
    });

    it("keep rising when the counter is evicted by a flood of other keys", async () => {
        const before = await grants(app);
        expect(increasing(before)).toBe(true);
        // Flood until the counter is gone (bounded: 40 MiB through a 4 MiB server).
        const value = "x".repeat(10_000);
        for (let i = 0; (await admin.exists(`${LOCK}:fence`)) === 1; i++) {
            if (i >= 4_000) throw new Error("the counter was never evicted");
            await app.set(`flood:${i}`, value);
        }
        expect(Number((await admin.info("stats")).match(/evicted_keys:(\d+)/)?.[1])).toBeGreaterThan(0);
        const after = await grants(app);
        expect(after[0], `after eviction: ${after[0]} must exceed ${before[2]}`).toBeGreaterThan(before[2]);
        expect(increasing(after)).toBe(true);
    }, 60_000);
});

describe("fencing tokens when the counter's last writes are lost", () => {
    let server: LocalRedis;
    let app: Redis;
    let admin: Redis;
    beforeAll(async () => {
        server = await startLocalRedis();
        app = new Redis(server.connectionString, { maxRetriesPerRequest: 0 });
        admin = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0 });
    });
    afterAll(async () => {
        app?.disconnect();
        admin?.disconnect();
        await server?.stop();
    });

    it("keep rising when the counter goes back to an older value or is gone, as after a failover or an AOF that lost its last second", async () => {
        const early = await grants(app, 1);
        const later = await grants(app, 3);
        // A promoted replica that missed the last acquires holds an older counter; one that missed its creation, none.
        await admin.set(`${LOCK}:fence`, String(early[0]));
        const afterRollback = await grants(app, 1);
        expect(afterRollback[0]).toBeGreaterThan(later[2]);
        await admin.del(`${LOCK}:fence`);
        const afterLoss = await grants(app, 1);
        expect(afterLoss[0]).toBeGreaterThan(afterRollback[0]);
        expect([...early, ...later, ...afterRollback, ...afterLoss].every(Number.isSafeInteger)).toBe(true);
    });
});
