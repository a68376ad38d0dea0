import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisUnderTest } from "../local/localRedis";
import { buildPackage } from "../build/packedPackage";
import type { ConnectOptions } from "../../client";
import { expectedResp } from "../client/ioredisMajor";
import { connectOptionsFor, redisOptionsFor } from "../client/serverTls";

type Outcome = { value?: string; error?: string; message?: string };

/**
 * Starts `count` worker processes, releases them at once, and returns every caller's outcome.
 * Each worker connects with `connectOptions` (what the server's TLS needs).
 */
async function stampede(
    { built, connectionString, connectOptions }: { built: string; connectionString: string; connectOptions: ConnectOptions },
    count: number,
    job: { key: string; counterKey: string; concurrency: number; loaderFails?: boolean },
): Promise<Outcome[][]> {
    const workers: ChildProcess[] = Array.from({ length: count }, () =>
        fork(join(__dirname, "../client/stampedeWorker.cjs"), [built], { stdio: "inherit" }),
    );
    try {
        const next = (w: ChildProcess, type: string) =>
            new Promise<{ outcomes: Outcome[]; resp?: number }>((resolve, reject) => {
                w.once("error", reject);
                // A worker that dies fails the test at once instead of leaving it to time out.
                w.once("exit", (code) => reject(new Error(`worker exited (${code}) before "${type}"`)));
                w.on("message", (m: { type: string; outcomes: Outcome[]; resp?: number }) => m.type === type && resolve(m));
            });
        const ready = workers.map((w) => next(w, "ready"));
        workers.forEach((w) => w.send({ type: "prepare", connectionString, connectOptions, ...job }));
        // Each worker runs the built package on the ioredis major under test.
        for (const { resp } of await Promise.all(ready)) expect(resp).toBe(expectedResp());
        const done = workers.map((w) => next(w, "done"));
        workers.forEach((w) => w.send({ type: "go" }));
        return (await Promise.all(done)).map((d) => d.outcomes);
    } finally {
        for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill();
    }
}

/** cacheAside across processes, against any Redis the project deploys. */
export function clientProcessesSuite(target: string, start: () => Promise<RedisUnderTest>): void {
    describe(`cacheAside across processes against ${target}`, () => {
        let server: RedisUnderTest;
        let observer: Redis;
        let built: ReturnType<typeof buildPackage> | undefined;
        const target = () => ({ built: built!.dir, connectionString: server.connectionString, connectOptions: connectOptionsFor(server) });

        beforeAll(async () => {
            // The workers run the built package, as a consumer would.
            built = buildPackage();
            server = await start();
            observer = new Redis(server.adminConnectionString, { ...redisOptionsFor(server), maxRetriesPerRequest: 0 });
        }, 300_000);

        afterAll(async () => {
            observer?.disconnect();
            await server?.stop();
            built?.remove();
        }, 120_000);

        it("loads once for 4 processes × 50 concurrent misses, and every caller gets the value", async () => {
            const results = await stampede(target(), 4, {
                key: "cache:shared",
                counterKey: "backend:shared:loads",
                concurrency: 50,
            });
            expect(await observer.get("backend:shared:loads")).toBe("1");
            expect(results.flat()).toHaveLength(200);
            expect(results.flat().every((o) => o.value === "loaded-value")).toBe(true);
        }, 60_000);

        it("hands one failed load's error to the callers of every process, and loads again afterwards", async () => {
            const results = await stampede(target(), 4, {
                key: "cache:failing",
                counterKey: "backend:failing:loads",
                concurrency: 50,
                loaderFails: true,
            });
            expect(await observer.get("backend:failing:loads")).toBe("1");
            const outcomes = results.flat();
            expect(outcomes.every((o) => o.error !== undefined && /backend down/.test(o.message ?? ""))).toBe(true);
            // The loading process sees the loader's own error; the others are told by the error marker.
            expect(results.filter((r) => r.every((o) => o.error === "Error")).length).toBe(1);
            expect(results.filter((r) => r.every((o) => o.error === "CacheLoadError")).length).toBe(3);
            const again = await stampede(target(), 1, {
                key: "cache:failing",
                counterKey: "backend:failing:loads",
                concurrency: 1,
            });
            expect(again.flat()).toEqual([{ value: "loaded-value" }]);
            expect(await observer.get("backend:failing:loads")).toBe("2");
        }, 60_000);
    });
}
