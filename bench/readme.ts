// Writes the last full run's tables into the README, between its bench markers, from
// bench/results.json: `npm run docs:bench` (a full `npm run bench` does it too). A test compares
// the README with results.json, so a hand-edited figure fails `npm test`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Relation } from "./figures";
import { figuresTable, ratiosTable, type FigureRow, type RatioRow } from "./tables";

/** What bench/results.json holds (written by report.ts). */
export interface BenchResults {
    date: string;
    seconds: number;
    machine: { cpus: number; cpuModel?: string; memoryGiB: number; platform: string; kernel: string };
    versions: { node: string; redisServer: string; ioredis: string };
    figures: Record<string, FigureRow>;
    ratios: Record<string, { value?: number; spread?: [number, number]; goal?: number; relation: Relation }>;
}

const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

/** The README block for one run: where and when it ran, then its figures and ratios. */
export function benchBlock(results: BenchResults): string {
    const { machine: m, versions: v } = results;
    const redis = /v=(\S+)/.exec(v.redisServer)?.[1] ?? v.redisServer;
    const ratios: RatioRow[] = Object.entries(results.ratios).map(([name, r]) => ({
        name,
        value: r.value,
        spread: r.spread,
        goal: r.goal,
        relation: r.relation,
    }));
    return [
        START,
        "",
        `From \`bench/results.json\`: one full \`npm run bench\` on ${results.date.slice(0, 10)} (${Math.round(results.seconds)} s), ${m.cpus} vCPUs (${m.cpuModel ?? "unknown CPU"}), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${v.node}, redis-server ${redis}, ioredis ${v.ioredis}.`,
        "",
        figuresTable(Object.values(results.figures)),
        "",
        ratiosTable(ratios),
        "",
        END,
    ].join("\n");
}

/** `readme` with its bench block replaced by the one for `results`. */
export function withBenchBlock(readme: string, results: BenchResults): string {
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
    return readme.slice(0, start) + benchBlock(results) + readme.slice(end + END.length);
}

/** The repository's README and results.json, from dist-bench/bench/ or from bench/. */
export function updateReadme(root: string): void {
    const results = JSON.parse(readFileSync(join(root, "bench", "results.json"), "utf8")) as BenchResults;
    const file = join(root, "README.md");
    writeFileSync(file, withBenchBlock(readFileSync(file, "utf8"), results));
}

if (require.main === module) updateReadme(join(__dirname, "..", ".."));
