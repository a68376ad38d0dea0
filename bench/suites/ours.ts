// 3. Ours: the client helpers against raw ioredis doing the same, on our config.
import Redis from "ioredis";
import { acquireLock, connect, localCache, withLock } from "../../client";
import type { LocalRedis } from "../../harness/local/localRedis";
import { figuresOf, OURS } from "../figures";
import { invalidationDelays } from "../localCache";
import { hotPathInOwnProcess } from "../hotPath";
import { measure, measuredElsewhere, measureInterleaved, opsInFlight, opsPerSecond, REPS } from "../measure";
import { keyListings, scriptRuns } from "../patterns";
import { announce, record, recordPercentiles } from "../record";
import type { Suite } from "../suite";

export const ours: Suite = {
    id: "ours",
    figures: OURS,
    async run(bench) {
        const { ours, defaults } = await bench.servers();
        const { raw, client } = await bench.clients();
        await hotPath(ours);
        await localCacheHits(raw, client);
        await locks(client, ours);
        await patterns(raw, defaults);
    },
};

/**
 * The hot-path comparisons, in a process that loads what an application does (see
 * bench/hotPath.ts), then the bulk load again in one that has also loaded @pulumi/pulumi, as the
 * bench's own process has.
 */
async function hotPath(ours: LocalRedis): Promise<void> {
    const application = hotPathInOwnProcess(ours.connectionString, { gets: true });
    await measuredElsewhere([OURS.rawPipelines, OURS.bulkLoad], async () => (await application).bulk);
    await measuredElsewhere(
        [OURS.rawGet, OURS.cacheAsideHit, OURS.connectGet, OURS.connectGetUncoalesced],
        async () => (await application).gets!,
    );
    await measuredElsewhere([OURS.rawGetOneAtATime, OURS.connectGetOneAtATime], async () => (await application).oneAtATime!);
    await measuredElsewhere([OURS.rawPipelinesBesidePulumi, OURS.bulkLoadBesidePulumi], async () => {
        const besidePulumi = await hotPathInOwnProcess(ours.connectionString, { gets: false, preload: ["@pulumi/pulumi"] });
        return besidePulumi.bulk;
    });
}

async function localCacheHits(raw: Redis, client: Redis): Promise<void> {
    await client.set("hit:key", JSON.stringify({ v: 1 }), "EX", 600);
    // A hot key through the process's own copy, kept correct by CLIENT TRACKING, beside raw GETs.
    const hot = await localCache(client);
    await hot.get("hit:key");
    await measureInterleaved(REPS, [
        [OURS.rawGetBesideLocalCache, () => opsInFlight(50_000, () => raw.get("hit:key"))],
        [OURS.localCacheHit, () => opsInFlight(50_000, () => hot.get("hit:key"))],
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
