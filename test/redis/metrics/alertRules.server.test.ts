import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { redisAlertRules, type AlertRule } from "../../../redis/metrics/alertRules";
import { exportedMetricNames } from "../../../harness/local/localExporter";
import { requireBinary } from "../../../harness/local/localRedis";

// The alert rules against real tools: Debian's promtool checks them and runs a unit test per
// alert, and every exporter metric they name is checked against what the real redis_exporter
// exports for a real primary and replica started from our rendered config.
const RULES_FILE = resolve(__dirname, "../../../examples/prometheus/redis-alerts.yml");
const rules = redisAlertRules({ replicas: true });
const rule = (name: string): AlertRule => {
    const found = rules[0].rules.find((r) => r.alert === name);
    if (!found) throw new Error(`no alert ${name}`);
    return found;
};

/** The annotations Prometheus renders for an alert, for the few template forms the rules use. */
function rendered(name: string, labels: Record<string, string>, value: number): Record<string, string> {
    const render = (template: string) =>
        template
            .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => labels[label] ?? "")
            .replace(/\{\{ \$value \| humanizePercentage \}\}/g, `${Number((value * 100).toPrecision(4))}%`)
            .replace(/\{\{ \$value \}\}/g, String(value));
    const { summary, description } = rule(name).annotations;
    return { summary: render(summary), description: render(description) };
}

describe("alert rules", () => {
    let work: string;

    beforeAll(async () => {
        requireBinary("promtool", "install it with `apt-get install -y prometheus` (.ci/run does)");
        work = await mkdtemp(join(tmpdir(), "alert-rules-"));
    });
    afterAll(async () => {
        if (work) await rm(work, { recursive: true, force: true });
    });

    it("examples/prometheus/redis-alerts.yml is what redisAlertRules renders, and promtool accepts it", async () => {
        expect(parse(await readFile(RULES_FILE, "utf8"))).toEqual({ groups: rules });
        const out = execFileSync("promtool", ["check", "rules", RULES_FILE], { encoding: "utf8" });
        expect(out).toMatch(/SUCCESS: 9 rules found/);
        // Without replicas, the replication rules are left out.
        expect(redisAlertRules()[0].rules.map((r) => r.alert)).not.toContain("RedisReplicationBroken");
    });

    it("fires each alert on its failing instance only (promtool test rules)", async () => {
        // Two instances per alert: a healthy one with values as the real exporter reports them
        // (redis_up 1, our 192 MiB maxmemory, a ratio near 1), and a failing one.
        const max = 192 * 1024 * 1024;
        const series = (name: string, labels: Record<string, string>, values: string) => ({
            series: `${name}{${Object.entries(labels)
                .map(([k, v]) => `${k}="${v}"`)
                .join(",")}}`,
            values,
        });
        const ok = { instance: "healthy:9121" };
        const bad = { instance: "failing:9121" };
        const cases: Array<{
            alert: string;
            input: ReturnType<typeof series>[];
            at: string;
            labels: Record<string, string>;
            value: number;
        }> = [
            {
                alert: "RedisExporterDown",
                input: [series("up", { job: "redis", ...ok }, "1x10"), series("up", { job: "redis", ...bad }, "0x10")],
                at: "5m",
                labels: { job: "redis", ...bad },
                value: 0,
            },
            {
                alert: "RedisDown",
                input: [series("redis_up", ok, "1x10"), series("redis_up", bad, "0x10")],
                at: "5m",
                labels: bad,
                value: 0,
            },
            {
                alert: "RedisMemoryHigh",
                input: [
                    series("redis_memory_max_bytes", ok, `${max}x10`),
                    series("redis_memory_used_bytes", ok, `${max / 2}x10`),
                    series("redis_memory_max_bytes", bad, `${max}x10`),
                    series("redis_memory_used_bytes", bad, `${max * 0.9}x10`),
                    // No maxmemory (0): never fires, however much is used.
                    series("redis_memory_max_bytes", { instance: "unlimited:9121" }, "0x10"),
                    series("redis_memory_used_bytes", { instance: "unlimited:9121" }, `${max}x10`),
                ],
                at: "10m",
                labels: bad,
                value: 0.9,
            },
            {
                alert: "RedisMemoryFragmented",
                input: [
                    series("redis_mem_fragmentation_ratio", ok, "1.1x20"),
                    series("redis_memory_used_rss_bytes", ok, `${110 * 2 ** 20}x20`),
                    series("redis_memory_used_bytes", ok, `${100 * 2 ** 20}x20`),
                    series("redis_mem_fragmentation_ratio", bad, "2x20"),
                    series("redis_memory_used_rss_bytes", bad, `${200 * 2 ** 20}x20`),
                    series("redis_memory_used_bytes", bad, `${100 * 2 ** 20}x20`),
                    // A high ratio on a tiny dataset (the process's own overhead): not worth an alert.
                    series("redis_mem_fragmentation_ratio", { instance: "tiny:9121" }, "7x20"),
                    series("redis_memory_used_rss_bytes", { instance: "tiny:9121" }, `${7 * 2 ** 20}x20`),
                    series("redis_memory_used_bytes", { instance: "tiny:9121" }, `${2 ** 20}x20`),
                ],
                at: "20m",
                labels: bad,
                value: 2,
            },
            {
                alert: "RedisEvictingKeys",
                input: [series("redis_evicted_keys_total", ok, "0x10"), series("redis_evicted_keys_total", bad, "0+10x10")],
                at: "10m",
                labels: bad,
                value: 50,
            },
            {
                alert: "RedisRejectingConnections",
                input: [series("redis_rejected_connections_total", ok, "0x10"), series("redis_rejected_connections_total", bad, "0+10x10")],
                at: "10m",
                labels: bad,
                value: 50,
            },
            {
                alert: "RedisPersistenceFailing",
                input: [
                    series("redis_aof_last_write_status", ok, "1x10"),
                    series("redis_rdb_last_bgsave_status", ok, "1x10"),
                    series("redis_aof_last_write_status", bad, "0x10"),
                    series("redis_rdb_last_bgsave_status", bad, "1x10"),
                ],
                at: "5m",
                labels: bad,
                value: 0,
            },
            {
                alert: "RedisReplicationBroken",
                input: [series("redis_master_link_up", ok, "1x10"), series("redis_master_link_up", bad, "0x10")],
                at: "5m",
                labels: bad,
                value: 0,
            },
            {
                alert: "RedisReplicaLagging",
                input: [
                    series("redis_connected_slave_lag_seconds", { ...ok, slave_ip: "10.0.0.2" }, "1x10"),
                    series("redis_connected_slave_lag_seconds", { ...bad, slave_ip: "10.0.0.3" }, "30x10"),
                ],
                at: "5m",
                labels: { ...bad, slave_ip: "10.0.0.3" },
                value: 30,
            },
        ];
        expect(cases.map((c) => c.alert).sort()).toEqual(rules[0].rules.map((r) => r.alert).sort());
        await writeFile(join(work, "rules.yml"), stringify({ groups: rules }));
        await writeFile(
            join(work, "tests.yml"),
            stringify({
                rule_files: ["rules.yml"],
                evaluation_interval: "1m",
                tests: cases.map((c) => ({
                    interval: "1m",
                    input_series: c.input,
                    alert_rule_test: [
                        {
                            eval_time: c.at,
                            alertname: c.alert,
                            exp_alerts: [
                                {
                                    exp_labels: { ...c.labels, severity: rule(c.alert).labels.severity },
                                    exp_annotations: rendered(c.alert, c.labels, c.value),
                                },
                            ],
                        },
                    ],
                })),
            }),
        );
        const result = (() => {
            try {
                return execFileSync("promtool", ["test", "rules", "tests.yml"], { cwd: work, encoding: "utf8", stdio: "pipe" });
            } catch (e) {
                const err = e as { stdout?: string; stderr?: string };
                throw new Error(`promtool test rules failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
            }
        })();
        expect(result).toMatch(/SUCCESS/);
    });

    it("names only metrics the real exporter exports, for a primary and a replica (a renamed metric would leave an alert silent)", async () => {
        const exported = await exportedMetricNames();
        const used = new Set(rules[0].rules.flatMap((r) => r.expr.match(/\bredis_[a-z_]+/g) ?? []));
        expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    });
});
