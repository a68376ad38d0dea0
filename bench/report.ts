// The report: the figures and the ratio table on stdout, the notes of suites on stderr, and
// bench/results.json (every raw number, min and max, the machine and versions), all read from the
// figures recorded through bench/figures.ts.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { RATIOS, type Figure, type Reading } from "./figures";
import { updateReadme } from "./readme";
import { allRecorded, median, recordedOf } from "./record";
import { figuresTable, ratiosTable, type RatioRow } from "./tables";

/** The repository, from dist-bench/bench/. */
const ROOT = join(__dirname, "..", "..");
const RESULTS_FILE = join(ROOT, "bench", "results.json");

/** A ratio as read from the recorded figures, and for figures measured in alternation the middle half of the per-round ratios. */
type RatioValue = Pick<RatioRow, "value" | "spread">;

/**
 * a / b. For figures measured in alternation, the median of the per-round ratios, which
 * cancels drift that hits both alike, with their middle half; otherwise the ratio of the medians.
 */
function ratio(a: Figure, b: Figure): RatioValue {
    const x = recordedOf(a);
    const y = recordedOf(b);
    if (!x || !y) return { value: undefined };
    if (!(x.interleaved && y.interleaved && x.raw.length === y.raw.length)) return { value: x.median / y.median };
    const perRound = x.raw.map((v, i) => v / y.raw[i]).sort((p, q) => p - q);
    const quartile = (q: number) => perRound[Math.floor((perRound.length - 1) * q)];
    return { value: median(perRound), spread: [quartile(0.25), quartile(0.75)] };
}

function read(reading: Reading): RatioValue {
    if ("ratio" in reading) return ratio(...reading.ratio);
    if ("median" in reading) return { value: recordedOf(reading.median)?.median };
    if ("max" in reading) return { value: recordedOf(reading.max)?.max };
    return { value: recordedOf(reading.total)?.raw.reduce((a, b) => a + b, 0) };
}

function tables(ratios: RatioRow[]): string {
    return ["", figuresTable(allRecorded()), "", ratiosTable(ratios)].join("\n");
}

function writeResults(started: number, ratios: RatioRow[]): void {
    const versions = {
        node: process.version,
        redisServer: execFileSync("redis-server", ["--version"], { encoding: "utf8" }).trim(),
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        ioredis: (require("ioredis/package.json") as { version: string }).version,
    };
    const machine = {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGiB: Math.round(totalmem() / 1024 ** 3),
        platform: platform(),
        kernel: release(),
    };
    const figures = Object.fromEntries(allRecorded().map((f) => [f.name, f]));
    const ratioValues = Object.fromEntries(
        ratios.map(({ name, value, spread, goal, relation }) => [name, { value, spread, goal, relation }]),
    );
    writeFileSync(
        RESULTS_FILE,
        `${JSON.stringify({ date: new Date().toISOString(), seconds: (Date.now() - started) / 1000, machine, versions, figures, ratios: ratioValues }, null, 2)}\n`,
    );
}

/**
 * Prints the notes and the tables, and writes results.json. A run of some suites (`complete` false)
 * leaves results.json alone, and its ratio table has only the rows it has figures for.
 */
export function report(started: number, notes: string[], complete: boolean): void {
    const ratios = RATIOS.map(({ name, reading, goal, relation }) => ({ name, ...read(reading), goal, relation }));
    process.stderr.write(`\n${notes.map((note) => `${note}\n`).join("")}`);
    console.log(tables(complete ? ratios : ratios.filter((r) => r.value !== undefined)));
    if (complete) {
        writeResults(started, ratios);
        updateReadme(ROOT);
    }
}
