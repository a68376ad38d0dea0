// How figures are measured: repetitions of one run, or several runs in alternation, each recorded
// with its raw values; and the small timing loops the suites share.
import type Redis from "ioredis";
import type { Figure } from "./figures";
import { announce, median, record } from "./record";

/** Repetitions of a figure unless a suite says otherwise. */
export const REPS = 5;

export async function measure(figure: Figure<"repeated">, reps: number, run: () => Promise<number>): Promise<number> {
    announce(figure.name, [figure]);
    const raw: number[] = [];
    for (let i = 0; i < reps; i++) raw.push(await run());
    return record(figure, raw);
}

/**
 * Runs several measurements in alternation (A B C A B C …), so drift on a shared machine
 * (other tenants, background fsync) falls on all of them alike: for ratios between them.
 */
export async function measureInterleaved(reps: number, runs: Array<[Figure<"interleaved">, () => Promise<number>]>): Promise<void> {
    for (const [figure] of runs) announce(figure.name, [figure]);
    const raw = runs.map(() => [] as number[]);
    for (let i = 0; i < reps; i++) {
        for (const [j, [, run]] of runs.entries()) raw[j].push(await run());
    }
    runs.forEach(([figure], j) => record(figure, raw[j]));
}

/** Operations per second of `n` operations issued by `run`. */
export async function opsPerSecond(n: number, run: () => Promise<unknown>): Promise<number> {
    const t0 = process.hrtime.bigint();
    await run();
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** `total` SETs with `inFlight` outstanding at any time on one connection. */
export async function setsInFlight(redis: Redis, prefix: string, total: number, inFlight: number): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: inFlight }, async () => {
            while (next < total) {
                const i = next++;
                await redis.set(`${prefix}${i % 10_000}`, "value-0123456789");
            }
        }),
    );
}

/** Round trip of a PING, in microseconds, as the median of `n` sequential PINGs. */
export async function pingRttUs(redis: Redis, n: number): Promise<number> {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        await redis.ping();
        samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    return median(samples);
}
