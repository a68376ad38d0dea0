// Fencing tokens must only go up for as long as a lock's name is in use. A plain counter does not:
// under an allkeys-* eviction policy a rarely read counter is among the first keys evicted, and a
// failover or a restart that loses the last INCR loses it too; each restarted the sequence at 1
// (issue #27, measured). On a real redis-server from the rendered config, as the app user.
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

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

/** A server from the rendered config with `settings` for the tests of one describe, and its app and admin clients. */
function serverPerDescribe(settings: Parameters<typeof startLocalRedis>[0] = {}) {
    const t = {} as { server: LocalRedis; app: Redis; admin: Redis };
    beforeAll(async () => {
        t.server = await startLocalRedis(settings);
        t.app = new Redis(t.server.connectionString, { maxRetriesPerRequest: 0 });
        t.admin = new Redis(t.server.adminConnectionString, { maxRetriesPerRequest: 0 });
    });
    afterAll(async () => {
        t.app?.disconnect();
        t.admin?.disconnect();
        await t.server?.stop();
    });
    return t;
}

describe.each(["allkeys-lru", "allkeys-random"])("fencing tokens on a server evicting by %s", (policy) => {
    const t = serverPerDescribe({ maxmemory: "4mb", maxmemoryPolicy: policy });

    it("keep rising when the counter is evicted by a flood of other keys", async () => {
        const before = await grants(t.app);
        expect(increasing(before)).toBe(true);
        // Flood until the counter is gone (bounded: 40 MiB through a 4 MiB server).
        const value = "x".repeat(10_000);
        for (let i = 0; (await t.admin.exists(`${LOCK}:fence`)) === 1; i++) {
            if (i >= 4_000) throw new Error("the counter was never evicted");
            await t.app.set(`flood:${i}`, value);
        }
        expect(Number((await t.admin.info("stats")).match(/evicted_keys:(\d+)/)?.[1])).toBeGreaterThan(0);
        const after = await grants(t.app);
        expect(after[0], `after eviction: ${after[0]} must exceed ${before[2]}`).toBeGreaterThan(before[2]);
        expect(increasing(after)).toBe(true);
    }, 60_000);
});

describe("fencing tokens when the counter's last writes are lost", () => {
    const t = serverPerDescribe();

    it("keep rising when the counter goes back to an older value or is gone, as after a failover or an AOF that lost its last second", async () => {
        const early = await grants(t.app, 1);
        const later = await grants(t.app, 3);
        // A promoted replica that missed the last acquires holds an older counter; one that missed its creation, none.
        await t.admin.set(`${LOCK}:fence`, String(early[0]));
        const afterRollback = await grants(t.app, 1);
        expect(afterRollback[0]).toBeGreaterThan(later[2]);
        await t.admin.del(`${LOCK}:fence`);
        const afterLoss = await grants(t.app, 1);
        expect(afterLoss[0]).toBeGreaterThan(afterRollback[0]);
        expect([...early, ...later, ...afterRollback, ...afterLoss].every(Number.isSafeInteger)).toBe(true);
    });
});
