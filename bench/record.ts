// The figures a run has recorded, in the order it recorded them (results.json keeps that order), and
// the progress line. A suite records only the figures it declares: each is one step of progress, so
// the run's total is counted from the declarations (bench/figures.ts), never by hand.
import type { Figure, Percentiles } from "./figures";

/** A figure as results.json holds it. */
export interface Recorded {
    name: string;
    unit: string;
    /** Measured in alternation with others: raw[i] pairs with their raw[i]. */
    interleaved?: boolean;
    raw: number[];
    median: number;
    min: number;
    max: number;
}

const recorded = new Map<Figure, Recorded>();

export const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const progress = { started: Date.now(), step: 0, total: 0, declared: new Set<Figure>() };

/** The run started at `started` and has `total` steps. */
export function startProgress(started: number, total: number): void {
    Object.assign(progress, { started, total, step: 0 });
}

/** A suite starts: it may record `figures`, which are its steps. */
export function enterSuite(figures: Figure[]): void {
    progress.declared = new Set(figures);
}

/** A suite ended: the steps of figures it skipped (Docker not running, say) count as done. */
export function leaveSuite(stepsSoFar: number): void {
    progress.step = stepsSoFar;
    progress.declared = new Set();
}

function declaredHere(figure: Figure): void {
    if (!progress.declared.has(figure)) throw new Error(`bench figure "${figure.name}" is not declared by the suite recording it`);
    if (recorded.has(figure)) throw new Error(`bench figure "${figure.name}" is recorded twice`);
}

/** The progress line: `label` is about to be measured, and yields `figures`, one step each. */
export function announce(label: string, figures: Figure[]): void {
    figures.forEach(declaredHere);
    progress.step += figures.length;
    const seconds = ((Date.now() - progress.started) / 1000).toFixed(0);
    process.stderr.write(`\r[${String(progress.step).padStart(2)}/${progress.total}] ${seconds.padStart(3)} s  ${label.padEnd(60)}`);
}

/** Records a figure from its raw values: median, min and max of them. */
export function record(figure: Figure<"repeated" | "interleaved">, raw: number[]): number {
    declaredHere(figure);
    const interleaved = figure.kind === "interleaved" ? true : undefined;
    const r = { name: figure.name, unit: figure.unit, interleaved, raw, median: median(raw), min: Math.min(...raw), max: Math.max(...raw) };
    recorded.set(figure, r);
    return r.median;
}

/** p50 and p99 of many samples: the percentile stands in the median column; min and max are of all samples. */
export function recordPercentiles(figures: Percentiles, samples: number[]): void {
    const sorted = [...samples].sort((a, b) => a - b);
    for (const [figure, q] of [
        [figures.p50, 0.5],
        [figures.p99, 0.99],
    ] as const) {
        announce(figure.name, [figure]);
        recorded.set(figure, {
            name: figure.name,
            unit: figure.unit,
            raw: [],
            median: sorted[Math.floor(sorted.length * q)],
            min: sorted[0],
            max: sorted.at(-1)!,
        });
    }
}

export function recordedOf(figure: Figure): Recorded | undefined {
    return recorded.get(figure);
}

/** Every recorded figure, in the order recorded. */
export function allRecorded(): Recorded[] {
    return [...recorded.values()];
}
