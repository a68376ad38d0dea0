import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { exportedMetricNames } from "../../harness/local/localExporter";
import { requireBinary } from "../../harness/local/localRedis";

// examples/grafana/redis-dashboard.json: every query parses (promtool, as recording rules) and
// names only metrics the real redis_exporter exports; panels do not overlap.
interface Panel {
    id: number;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    targets: Array<{ expr: string }>;
}
const DASHBOARD = resolve(__dirname, "../../examples/grafana/redis-dashboard.json");

describe("examples/grafana/redis-dashboard.json", () => {
    let panels: Panel[];
    let queries: string[];
    beforeAll(async () => {
        panels = (JSON.parse(await readFile(DASHBOARD, "utf8")) as { panels: Panel[] }).panels;
        // The dashboard's $instance variable, as Grafana substitutes it for "All".
        queries = panels.flatMap((p) => p.targets.map((t) => t.expr.replaceAll("$instance", ".*")));
    });

    it("has queries that promtool parses", async () => {
        requireBinary("promtool", "install it with `apt-get install -y prometheus` (.ci/run does)");
        const work = await mkdtemp(join(tmpdir(), "dashboard-"));
        try {
            const groups = [{ name: "dashboard", rules: queries.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }];
            await writeFile(join(work, "queries.yml"), stringify({ groups }));
            expect(execFileSync("promtool", ["check", "rules", join(work, "queries.yml")], { encoding: "utf8" })).toMatch(
                new RegExp(`SUCCESS: ${queries.length} rules found`),
            );
        } finally {
            await rm(work, { recursive: true, force: true });
        }
    });

    it("names only metrics the real exporter exports", async () => {
        const exported = await exportedMetricNames();
        const used = new Set(queries.flatMap((q) => q.match(/\bredis_[a-z_]+/g) ?? []));
        expect(used.size).toBeGreaterThan(10);
        expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    });

    it("lays the panels out without overlap, on Grafana's 24-column grid", () => {
        const cells = new Set<string>();
        for (const { title, gridPos } of panels) {
            expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
            for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
                for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
                    expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
                    cells.add(`${x},${y}`);
                }
        }
        expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    });
});
