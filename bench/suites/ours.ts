// 3. Ours: the client helpers against raw ioredis doing the same, on our config.
import Redis from "ioredis";
import { acquireLock, cacheAside, connect, localCache, pipelineBatches, withLock, type Command } from "../../client";
import type { LocalRedis } from "../../harness/local/localRedis";
import { figuresOf, OURS } from "../figures";
import { invalidationDelays } from "../localCache";
import { HOT_PATH_ROUNDS, measure, measureInterleaved, opsPerSecond, REPS } from "../measure";
import { keyListings, scriptRuns } from "../patterns";
import { announce, record, recordPercentiles } from "../record";
import type { Suite } from "../suite";

export const ours: Suite = {
    id: "ours",
    figures: OURS,
    async run(bench) {
        const { ours, defaults } = await bench.servers();
        const { raw, client } = await bench.clients();
        await bulkLoad(raw, client);
        await cacheHits(raw, client);
        await locks(client, ours);
        await patterns(raw, defaults);
    },
};

async function bulkLoad(raw: Redis, client: Redis): Promise<void> {
    const bulk: Command[] = Array.from({ length: 50_000 }, (_, i) => ["set", `pipe:${i % 100}`, "value-0123456789"]);
    // Raw pipelines and ours in alternation, so the ratio between them is not machine drift.
    await measureInterleaved(HOT_PATH_ROUNDS, [
        [
            OURS.rawPipelines,
            () =>
                opsPerSecond(50_000, async () => {
                    for (let b = 0; b < 500; b++) {
                        const p = raw.pipeline();
                        for (let i = 0; i < 100; i++) p.set(`pipe:${i}`, "value-0123456789");
                        await p.exec();
                    }
                }),
        ],
        // Streamed, as the raw side: it keeps no replies either (pipelineInBatches would also build a 50,000-reply array).
        [
            OURS.bulkLoad,
            () =>
                opsPerSecond(50_000, async () => {
                    for await (const replies of pipelineBatches(client, bulk, 100)) void replies;
                }),
        ],
    ]);
}

async function cacheHits(raw: Redis, client: Redis): Promise<void> {
    await client.set("hit:key", JSON.stringify({ v: 1 }), "EX", 600);
    await cacheAside(raw, "cache:hit", () => Promise.resolve({ v: 1 }), { ttlSeconds: 600 });
    const hits = (get: () => Promise<unknown>) => {
        let next = 0;
        return opsPerSecond(50_000, () =>
            Promise.all(
                Array.from({ length: 100 }, async () => {
                    while (next++ < 50_000) await get();
                }),
            ),
        );
    };
    // The helper's own cost: cacheAside and the raw GET on the same plain ioredis connection.
    // connect()'s client, with its commandTimeout (5 s), measured apart.
    await measureInterleaved(HOT_PATH_ROUNDS, [
        [OURS.rawGet, () => hits(() => raw.get("hit:key"))],
        [OURS.cacheAsideHit, () => hits(() => cacheAside(raw, "cache:hit", () => Promise.resolve({ v: 1 }), { ttlSeconds: 600, beta: 0 }))],
        [OURS.connectGet, () => hits(() => client.get("hit:key"))],
    ]);
    // A hot key through the process's own copy, kept correct by CLIENT TRACKING, beside raw GETs.
    const hot = await localCache(client);
    await hot.get("hit:key");
    await measureInterleaved(REPS, [
        [OURS.rawGetBesideLocalCache, () => hits(() => raw.get("hit:key"))],
        [OURS.localCacheHit, () => hits(() => hot.get("hit:key"))],
    ]);
    await hot.close();
    recordPercentiles(OURS.invalidation, await invalidationDelays(client, raw, 1_000));
}

async function locks(client: Redis, ours: LocalRedis): Promise<void> {
    await measure(OURS.lockOneConnection, REPS, () =>
        opsPerSecond(2_000, async () => {
            for (let i = 0; i < 2_000; i++) await (await acquireLock(client, "bench:lock", { ttlMs: 5_000 })).release();
        }),
    );
    const contenders = Array.from({ length: 50 }, () => connect(ours.connectionString, { shared: false }));
    await measure(OURS.lockContended, REPS, async () => {
        let done = 0;
        const deadline = Date.now() + 1_000;
        const t0 = process.hrtime.bigint();
        await Promise.all(
            contenders.map(async (c) => {
                while (Date.now() < deadline) {
                    await withLock(c, "bench:contended", () => Promise.resolve(done++), {
                        ttlMs: 5_000,
                        waitMs: 10_000,
                        retryDelayMs: 1,
                        autoExtend: false,
                    });
                }
            }),
        );
        return done / (Number(process.hrtime.bigint() - t0) / 1e9);
    });
    contenders.forEach((c) => c.disconnect());
}

async function patterns(raw: Redis, defaults: LocalRedis): Promise<void> {
    // EVALSHA against the source sent with every call, in alternation on one connection.
    const scripts = scriptRuns(raw, 20_000);
    await measureInterleaved(REPS, [
        [OURS.evalsha, scripts.evalsha],
        [OURS.eval, scripts.eval],
    ]);
    // KEYS against SCAN on 200,000 keys, as the server times them (KEYS is disabled on ours: the defaults server).
    announce("KEYS against scanKeys on 200,000 keys", figuresOf({ keys: OURS.keys, scan: OURS.scan }));
    const lister = new Redis(defaults.adminConnectionString);
    const listings: Array<Awaited<ReturnType<typeof keyListings>>> = [];
    for (let i = 0; i < REPS; i++) listings.push(await keyListings(lister, defaults.configCommandName, 200_000));
    lister.disconnect();
    for (const command of ["keys", "scan"] as const) {
        record(
            OURS[command].blockedMs,
            listings.map((l) => l[command].blockedMs),
        );
        record(
            OURS[command].tookMs,
            listings.map((l) => l[command].tookMs),
        );
    }
}
