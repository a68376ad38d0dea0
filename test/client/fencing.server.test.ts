// Fencing tokens must only go up for as long as a lock's name is in use. A plain counter does not:
// under an allkeys-* eviction policy a rarely read counter is among the first keys evicted, and a
// failover or a restart that loses the last INCR loses it too; each restarted the sequence at 1
// (issue #27, measured). On real redis-servers from the rendered config, as the app user: eviction
// by every allkeys-* policy, a restart from an AOF that lost its tail, and a Sentinel failover to a
// replica that missed the last grants.
import { readFile, truncate, stat } from "node:fs/promises";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";
import { startLocalSentinelTopology, type LocalSentinelTopology } from "../../harness/local/localSentinel";

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
        // Commands wait for a restarted server (restart()) rather than fail while it is down.
        const options = { maxRetriesPerRequest: 50, retryStrategy: () => 50 };
        t.app = new Redis(t.server.connectionString, options);
        t.admin = new Redis(t.server.adminConnectionString, options);
        for (const c of [t.app, t.admin]) c.on("error", () => undefined);
    });
    afterAll(async () => {
        t.app?.disconnect();
        t.admin?.disconnect();
        await t.server?.stop();
    });
    return t;
}

describe.each(["allkeys-lfu", "allkeys-lru", "allkeys-random"])("fencing tokens on a server evicting by %s", (policy) => {
    const t = serverPerDescribe({ maxmemory: "4mb", maxmemoryPolicy: policy });

    it("keep rising when the counter is evicted by a flood of other keys", async () => {
        const before = await grants(t.app);
        expect(increasing(before)).toBe(true);
        if (policy === "allkeys-lfu") {
            // The case: a counter left unread for an LFU decay period (a minute by default)
            // has a frequency of 0, below every key a busy cache reads. RESTORE ... FREQ sets it as
            // the decay would, without the wait.
            const dump = await t.admin.dumpBuffer(`${LOCK}:fence`);
            await t.admin.call("RESTORE", `${LOCK}:fence`, "0", dump, "REPLACE", "FREQ", "0");
            expect(await t.admin.call("OBJECT", "FREQ", `${LOCK}:fence`)).toBe(0);
        }
        // Flood until the counter is gone (bounded: 40 MiB through a 4 MiB server).
        const value = "x".repeat(10_000);
        for (let i = 0; (await t.admin.exists(`${LOCK}:fence`)) === 1; i++) {
            if (i >= 4_000) throw new Error("the counter was never evicted");
            await t.app.set(`flood:${i}`, value);
            // Read once or twice, as a cache's keys are: under LFU each is then worth more than the counter.
            if (policy === "allkeys-lfu") await t.app.get(`flood:${i}`);
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

/** The AOF file Redis appends to now (the manifest's `type i` entry), in `dataDir`. */
async function appendedAof(dataDir: string): Promise<string> {
    const dir = join(dataDir, "appendonlydir");
    const manifest = await readFile(join(dir, "appendonly.aof.manifest"), "utf8");
    const file = /^file (\S+) seq \d+ type i$/m.exec(manifest)?.[1];
    if (file === undefined) throw new Error(`no incremental AOF in the manifest:\n${manifest}`);
    return join(dir, file);
}

describe("fencing tokens across a restart from an AOF that lost its tail", () => {
    // appendfsync always: each write is in the AOF before its reply, so the file's size after the
    // early grants marks exactly what they wrote. Under everysec Redis may acknowledge a write
    // before the AOF holds it (while an fsync is slow), and the cut would fall mid-grant.
    const t = serverPerDescribe({ appendfsync: "always" });

    it("keep rising when the restarted server replays an AOF without the last grants", async () => {
        const aof = await appendedAof(t.server.dataDir);
        const early = await grants(t.app, 1);
        // What the disk holds after a crash that lost the last second (everysec): the AOF as it was then.
        const durable = (await stat(aof)).size;
        const later = await grants(t.app, 3);
        await t.server.restart({
            whileDown: async () => {
                expect((await stat(aof)).size).toBeGreaterThan(durable);
                await truncate(aof, durable);
            },
        });
        // The restart lost the later grants: the counter is the early one again.
        expect(Number(await t.admin.get(`${LOCK}:fence`))).toBe(early[0]);
        const after = await grants(t.app, 1);
        expect(after[0], `after the restart: ${after[0]} must exceed ${later[2]}`).toBeGreaterThan(later[2]);
    });
});

/** The port of the server the Sentinels name as primary, once every Sentinel names one other than `old`. */
async function promotedPort(t: LocalSentinelTopology, old: number): Promise<number> {
    const deadline = Date.now() + 30_000;
    let last: unknown[] = [];
    for (;;) {
        last = await Promise.all(
            t.sentinels.map(async ({ port }) => {
                const s = new Redis({
                    port,
                    host: "127.0.0.1",
                    username: "admin",
                    password: t.servers[0].passwords.admin[0],
                    maxRetriesPerRequest: 0,
                });
                s.on("error", () => undefined);
                try {
                    return Number(((await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)) as string[])[1]);
                } catch {
                    return undefined;
                } finally {
                    s.disconnect();
                }
            }),
        );
        if (last.every((p) => p !== undefined && p !== old && p === last[0])) return last[0] as number;
        if (Date.now() > deadline) throw new Error(`the Sentinels did not agree on a new primary within 30 s: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

describe("fencing tokens across a Sentinel failover that lost the last grants", () => {
    let t: LocalSentinelTopology | undefined;
    const stopped: number[] = [];
    afterAll(async () => {
        for (const pid of stopped) process.kill(pid, "SIGCONT");
        await t?.stop();
    });

    it("keep rising on a promoted replica that never received the last grants", async () => {
        // Without min-replicas-to-write, as a replicated deployment without Sentinel's guard runs: the
        // primary keeps granting while no replica is connected (with the components' 1, it does so
        // for up to min-replicas-max-lag after a partition), and the failover loses those grants.
        t = await startLocalSentinelTopology({ replicas: 2, sentinels: 3, downAfterMilliseconds: 1_000, minReplicasToWrite: 0 });
        const [primary, ...replicas] = t.servers;
        const app = new Redis(t.appOptions);
        app.on("error", () => undefined); // the old primary's refusals while the Sentinels fail over
        try {
            const early = await grants(app, 1);
            // The replicas are cut off (frozen, so they cannot reconnect, and dropped by the primary):
            // what the primary grants now reaches no replica.
            for (const replica of replicas) {
                const admin = new Redis(replica.adminConnectionString, { maxRetriesPerRequest: 0 });
                const pid = Number(/^process_id:(\d+)/m.exec(await admin.info("server"))?.[1]);
                admin.disconnect();
                process.kill(pid, "SIGSTOP");
                stopped.push(pid);
            }
            const primaryAdmin = new Redis(primary.adminConnectionString, { maxRetriesPerRequest: 0 });
            await primaryAdmin.call("CLIENT", "KILL", "TYPE", "replica");
            primaryAdmin.disconnect();
            const later = await grants(app, 3);
            await primary.kill();
            for (const pid of stopped.splice(0)) process.kill(pid, "SIGCONT");
            const port = await promotedPort(t, primary.port);
            const promoted = t.servers.find((s) => s.port === port);
            if (promoted === undefined) throw new Error(`the Sentinels promoted an unknown server on ${port}`);
            const admin = new Redis(promoted.adminConnectionString, { maxRetriesPerRequest: 0 });
            try {
                // The failover lost the later grants: the new primary holds the early counter.
                expect(Number(await admin.get(`${LOCK}:fence`))).toBe(early[0]);
            } finally {
                admin.disconnect();
            }
            const after = await grants(app, 1);
            expect(after[0], `after the failover: ${after[0]} must exceed ${later[2]}`).toBeGreaterThan(later[2]);
        } finally {
            app.disconnect();
        }
    }, 60_000);
});
