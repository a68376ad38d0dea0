// How figures are measured: repetitions of one run, or several runs in alternation, each recorded
// with its raw values; and the small timing loops the suites share.
import type Redis from "ioredis";
import type { Figure } from "./figures";
import { announce, median, record } from "./record";

/** Repetitions of a figure unless a suite says otherwise. */
export const REPS = 5;
/**
 * The hot-path comparisons (connect()'s client against raw ioredis), whose goals ask for a ratio
 * steady to about a percent. One run swings by ±10% on this shared 2-vCPU VM (other tenants, the
 * garbage collector), so many short runs in alternation: in A/A runs (two identical raw clients,
 * three runs each) the median of 200 per-round ratios of 10,000 commands gave 0.987–1.003, and
 * 40 rounds of 50,000 gave 0.982–1.010.
 */
export const HOT_PATH = { rounds: 201, operations: 10_000 };

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
    const figures = runs.map(([figure]) => figure);
    await measuredElsewhere(figures, () =>
        interleave(
            reps,
            runs.map(([, run]) => run),
        ),
    );
}

/** Figures measured in alternation by `measure` (here, or in another process): `raw[j]` are `figures[j]`'s rounds. */
export async function measuredElsewhere(figures: Array<Figure<"interleaved">>, measure: () => Promise<number[][]>): Promise<void> {
    for (const figure of figures) announce(figure.name, [figure]);
    const raw = await measure();
    figures.forEach((figure, j) => record(figure, raw[j]));
}

/** The raw values of {@link measureInterleaved}, recorded by the caller (or by another process's). */
export async function interleave(reps: number, runs: Array<() => Promise<number>>): Promise<number[][]> {
    const raw = runs.map(() => [] as number[]);
    // One round unrecorded: the first to run would otherwise pay for compiling the code both share.
    for (const run of runs) await run();
    // Every other round runs them in the opposite order: whatever one run leaves behind (garbage,
    // a warmed cache, a busier neighbour) falls on each side alike.
    for (let i = 0; i < reps; i++) {
        const order = runs.map((_, j) => j);
        if (i % 2 === 1) order.reverse();
        for (const j of order) raw[j].push(await runs[j]());
    }
    return raw;
}

/** Operations per second of `n` operations issued by `run`. */
export async function opsPerSecond(n: number, run: () => Promise<unknown>): Promise<number> {
    const t0 = process.hrtime.bigint();
    await run();
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** Operations per second of `n` calls of `op`, 100 outstanding at any time (a GET, a cache hit). */
export function opsInFlight(n: number, op: () => Promise<unknown>): Promise<number> {
    let next = 0;
    return opsPerSecond(n, () =>
        Promise.all(
            Array.from({ length: 100 }, async () => {
                while (next++ < n) await op();
            }),
        ),
    );
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
