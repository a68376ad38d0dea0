// cacheAside's promises under the races a cache meets (issue #27): a write that invalidates the key
// while a load is in flight must win over the value that load read before it; a loader slower than
// the load lock must still get its value cached; and a local cache in front must serve hits
// without Redis while Redis's invalidations keep it correct. On a real redis-server from the
// rendered config, as the app user.
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cacheAside, localCache, type LocalCache } from "../../client";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

let server: LocalRedis;
let app: Redis;
let writer: Redis;
let admin: Redis;
/** Stands for another process: it does not share app's in-process flights. */
let other: Redis;
beforeAll(async () => {
    server = await startLocalRedis();
    app = new Redis(server.connectionString, { maxRetriesPerRequest: 0 });
    writer = new Redis(server.connectionString, { maxRetriesPerRequest: 0 });
    admin = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0 });
    other = new Redis(server.connectionString, { maxRetriesPerRequest: 0 });
});
afterAll(async () => {
    for (const c of [app, writer, admin, other]) c?.disconnect();
    await server?.stop();
});

/** A backing store the loader reads, how many times it was read, and a loader that reads it after `ms`. */
function store<T>(initial: T) {
    const db = {
        value: initial,
        loads: 0,
        loader:
            (ms = 0) =>
            async (): Promise<T> => {
                db.loads += 1;
                if (ms > 0) await sleep(ms);
                return db.value;
            },
    };
    return db;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls to GET the server has answered so far (INFO commandstats). */
async function getCalls(): Promise<number> {
    return Number(/^cmdstat_get:calls=(\d+)/m.exec(await admin.info("commandstats"))?.[1] ?? 0);
}

describe("cacheAside and a write during a load", () => {
    it.each([
        ["deletes the key (cache invalidation)", (key: string) => writer.del(key)],
        ["overwrites the key", (key: string) => writer.set(key, "written-by-another-client")],
    ])("does not write back what the load read when another client %s meanwhile", async (_, invalidate) => {
        const key = `race:${Math.random()}`;
        const db = store("v1");
        const first = await cacheAside(
            app,
            key,
            async () => {
                db.loads += 1;
                const read = db.value;
                // The update lands while this load is in flight: the database, then the cache.
                db.value = "v2";
                await invalidate(key);
                return read;
            },
            { ttlSeconds: 60 },
        );
        // The caller that started before the write may see the old value; the cache must not keep it.
        expect(first).toBe("v1");
        const stored = await admin.get(key);
        expect(stored === null || !stored.endsWith(':"v1"')).toBe(true);
        if (stored === null) {
            const next = await cacheAside(app, key, db.loader(), { ttlSeconds: 60 });
            expect(next).toBe("v2");
        }
    });

    it("still caches a load nothing invalidated, and leaves no placeholder behind after a failed one", async () => {
        const key = `race:quiet:${Math.random()}`;
        await cacheAside(app, key, () => Promise.resolve("v1"), { ttlSeconds: 60 });
        expect(await admin.get(key)).toMatch(/:"v1"$/);
        const failing = `race:failing:${Math.random()}`;
        await expect(cacheAside(app, failing, () => Promise.reject(new Error("backend down")), { ttlSeconds: 60 })).rejects.toThrow(
            "backend down",
        );
        expect(await admin.exists(failing, `${failing}:lock`)).toBe(0);
    });
});

describe("cacheAside and a loader slower than its lock", () => {
    it("keeps the lock for as long as the loader runs: one load, its value cached, and a waiter gets it", async () => {
        const key = `slow:${Math.random()}`;
        const db = store("slow-value");
        const loader = db.loader(900);
        const options = { ttlSeconds: 60, lockTtlMs: 300, waitMs: 3_000 };
        const [a, b] = await Promise.all([
            cacheAside(app, key, loader, options),
            sleep(100).then(() => cacheAside(other, key, loader, options)),
        ]);
        expect([a, b]).toEqual(["slow-value", "slow-value"]);
        expect(db.loads).toBe(1);
        expect(await cacheAside(app, key, loader, options)).toBe("slow-value");
        expect(db.loads).toBe(1);
    });
});

describe("cacheAside and a loader that never returns, or a refresh that outlives the value", () => {
    it("keeps the lock only up to maxLoadMs, so another process loads instead", async () => {
        const key = `hung:${Math.random()}`;
        void cacheAside(app, key, () => new Promise<string>(() => undefined), { ttlSeconds: 60, lockTtlMs: 200, maxLoadMs: 300 });
        await sleep(700);
        expect(await cacheAside(other, key, () => Promise.resolve("loaded elsewhere"), { ttlSeconds: 60, waitMs: 1_000 })).toBe(
            "loaded elsewhere",
        );
    });

    it("writes an early refresh that finishes after the old value's expiry", async () => {
        const key = `refresh:${Math.random()}`;
        const db = store("v1");
        const loader = db.loader(300);
        // beta this high refreshes on every hit; the value lives 1 s and the refresh takes 300 ms.
        const options = { ttlSeconds: 1, ttlJitter: 0, beta: 1e9 };
        // A load that took 50 ms: XFetch weighs the time left against the load's own duration.
        await cacheAside(app, key, () => sleep(50).then(() => "v1"), { ...options, beta: 0 });
        await sleep(800);
        db.value = "v2";
        expect(await cacheAside(app, key, loader, options)).toBe("v1");
        await sleep(600);
        expect(db.loads).toBe(1);
        expect(await admin.get(key)).toMatch(/:"v2"$/);
    });
});

describe("cacheAside behind a local cache", () => {
    let local: LocalCache;
    beforeAll(async () => {
        local = await localCache(app);
    });
    afterAll(async () => {
        await local?.close();
    });

    it("serves hits from the process, and loads again once another client invalidates the key", async () => {
        const key = `local:${Math.random()}`;
        const db = store({ n: 1 });
        const loader = db.loader();
        const options = { ttlSeconds: 60, localCache: local };
        expect(await cacheAside(app, key, loader, options)).toEqual({ n: 1 });
        expect(await cacheAside(app, key, loader, options)).toEqual({ n: 1 });
        const before = await getCalls();
        for (let i = 0; i < 20; i++) expect(await cacheAside(app, key, loader, options)).toEqual({ n: 1 });
        expect((await getCalls()) - before, "GETs that reached Redis for 20 local hits").toBe(0);
        expect(db.loads).toBe(1);

        db.value = { n: 2 };
        await writer.del(key);
        // The invalidation travels on the local cache's own connection: wait until it has dropped the value.
        for (let i = 0; i < 100 && local.size > 0; i++) await sleep(10);
        expect(await cacheAside(app, key, loader, options)).toEqual({ n: 2 });
        expect(db.loads).toBe(2);
    });

    it("does not serve a local copy past the expiry the value carries, even before Redis has expired the key", async () => {
        const key = `local:expiring:${Math.random()}`;
        const db = store("fresh");
        const loader = db.loader();
        // An entry that says it expires in 200 ms on a key that lives a minute (a writer whose clock
        // runs behind): Redis sends no invalidation when the value's own expiry passes.
        await writer.set(key, `${Date.now() + 200}:0:"old"`, "PX", 60_000);
        const options = { ttlSeconds: 60, beta: 0, localCache: local };
        expect(await cacheAside(app, key, loader, options)).toBe("old");
        expect(await cacheAside(app, key, loader, options)).toBe("old");
        await sleep(300);
        expect(await cacheAside(app, key, loader, options)).toBe("fresh");
        expect(db.loads).toBe(1);
    });
});
