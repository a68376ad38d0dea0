// How figures are measured: repetitions of one run, or several runs in alternation, each recorded
// with its raw values; and the small timing loops the suites share.
import type Redis from "ioredis";
import type { Figure } from "./figures";
import { announce, median, record } from "./record";

/** Repetitions of a figure unless a suite says otherwise. */
export const REPS = 5;
/** Rounds of the hot-path comparisons (connect()'s client against raw ioredis): single rounds swing by ±20% here, so more, alternated. */
export const HOT_PATH_ROUNDS = 11;

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
    // Every other round runs them in the opposite order: whatever one run leaves behind (garbage,
    // a warmed cache, a busier neighbour) falls on each side alike.
    for (let i = 0; i < reps; i++) {
        const order = runs.map((_, j) => j);
        if (i % 2 === 1) order.reverse();
        for (const j of order) raw[j].push(await runs[j][1]());
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
