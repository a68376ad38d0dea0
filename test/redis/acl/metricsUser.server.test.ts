import { readFile } from "node:fs/promises";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS_USER } from "../../../redis/acl/users";
import { startLocalExporter, type LocalExporter } from "../../../harness/local/localExporter";
import { generatedPassword, generatedSecrets, startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";

// The metrics user's rules against the real exporter: Debian's prometheus-redis-exporter (the
// redis_exporter 1.45 that the components will run) scrapes a real redis-server started from our
// rendered config, as that user. Every metric comes out and the server logs no refusal; keys and
// CONFIG stay out of reach.

describe("the metrics user, with the real redis_exporter", () => {
    let server: LocalRedis;
    let admin: Redis;
    let exporter: LocalExporter;
    const password = generatedPassword();

    beforeAll(async () => {
        const secrets = generatedSecrets();
        server = await startLocalRedis({}, { secrets: { ...secrets, passwords: { ...secrets.passwords, metrics: [password] } } });
        admin = new Redis(server.adminConnectionString);
        await admin.set("metrics:probe", "1");
        exporter = await startLocalExporter(server.port, password);
        await admin.call("ACL", "LOG", "RESET");
    });
    afterAll(async () => {
        await exporter?.stop();
        admin?.disconnect();
        await server?.stop();
    });

    const scrape = () => exporter.scrape();
    /** The commands ACL LOG says were refused, each once. */
    const refused = async () => {
        const entries = (await admin.call("ACL", "LOG")) as string[][];
        return [
            ...new Set(
                entries.map((e) => `${e[e.indexOf("username") + 1] === METRICS_USER ? "" : "(not metrics) "}${e[e.indexOf("object") + 1]}`),
            ),
        ];
    };

    it("exports up, memory, keyspace, slowlog length and latency figures, refused only other users' arguments", async () => {
        await scrape();
        const metrics = await scrape();
        expect(metrics.get("redis_up")).toBe(1);
        expect(metrics.get('redis_exporter_last_scrape_error{err=""}')).toBe(0);
        expect(metrics.get("redis_memory_used_bytes")).toBeGreaterThan(0);
        expect(metrics.get("redis_memory_max_bytes")).toBe(192 * 1024 * 1024);
        expect(metrics.get("redis_mem_fragmentation_ratio")).toBeGreaterThan(0);
        expect(metrics.get('redis_db_keys{db="db0"}')).toBe(1);
        for (const series of [
            "redis_evicted_keys_total",
            "redis_rejected_connections_total",
            "redis_aof_last_write_status",
            "redis_connected_slaves",
            "redis_slowlog_length",
        ])
            expect(metrics.has(series), series).toBe(true);
        // What the exporter was refused, as the server logged it: SLOWLOG GET only, which returns other users' arguments.
        expect(await refused()).toEqual(["slowlog|get"]);
        expect(metrics.has("redis_slowlog_last_id")).toBe(false);
    });

    it("cannot read or write keys, nor reach CONFIG by either name", async () => {
        const metrics = new Redis({ port: server.port, host: "127.0.0.1", username: METRICS_USER, password });
        try {
            await expect(metrics.get("metrics:probe")).rejects.toThrow(/NOPERM/);
            await expect(metrics.set("metrics:probe", "2")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call("CONFIG", "GET", "maxmemory")).rejects.toThrow(/NOPERM|unknown command/);
            await expect(metrics.call(server.configCommandName, "GET", "maxmemory")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call("SLOWLOG", "RESET")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call("SLOWLOG", "GET")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call("CLIENT", "KILL", "ID", "1")).rejects.toThrow(/NOPERM/);
            // What the default image (1.63) sends besides what Debian's 1.45 does: allowed, read-only.
            expect(await metrics.call("LATENCY", "HISTOGRAM", "get")).toBeDefined();
            await expect(metrics.call("LATENCY", "RESET")).rejects.toThrow(/NOPERM/);
            expect(await admin.get("metrics:probe")).toBe("1");
        } finally {
            metrics.disconnect();
        }
    });

    it("keeps the password out of the exporter's argv and environment", async () => {
        const cmdline = await readFile(`/proc/${exporter.process.pid}/cmdline`, "utf8");
        const environ = await readFile(`/proc/${exporter.process.pid}/environ`, "utf8");
        expect(cmdline.includes(password)).toBe(false);
        expect(environ.includes(password)).toBe(false);
    });
});
