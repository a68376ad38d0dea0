// The README's performance tables are the last full run's bench/results.json, rendered by
// bench/readme.ts: a figure edited by hand, or a run whose README was not rewritten, fails here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { benchBlock, withBenchBlock, type BenchResults } from "../../bench/readme";

const ROOT = join(__dirname, "..", "..");

describe("README performance tables", () => {
    it("are bench/results.json as bench/readme.ts renders it", () => {
        const results = JSON.parse(readFileSync(join(ROOT, "bench", "results.json"), "utf8")) as BenchResults;
        const readme = readFileSync(join(ROOT, "README.md"), "utf8");
        expect(readme).toContain(benchBlock(results));
        expect(withBenchBlock(readme, results)).toBe(readme);
    });
});
