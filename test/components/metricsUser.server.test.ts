import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRICS_USER } from "../../components/redisUsers";
import {
    freeLoopbackPort,
    generatedPassword,
    generatedSecrets,
    requireBinary,
    startLocalRedis,
    type LocalRedis,
} from "../../harness/localRedis";

// The metrics user's rules against the real exporter: Debian's prometheus-redis-exporter (the
// redis_exporter 1.45 that the components will run) scrapes a real redis-server started from our
// rendered config, as that user. Every metric comes out and the server logs no refusal; keys and
// CONFIG stay out of reach.
const EXPORTER = "prometheus-redis-exporter";

describe("the metrics user, with the real redis_exporter", () => {
    let server: LocalRedis;
    let admin: Redis;
    let exporter: ChildProcess;
    let work: string;
    let metricsUrl: string;
    const password = generatedPassword();

    beforeAll(async () => {
        requireBinary(EXPORTER, "install it with `apt-get install -y prometheus-redis-exporter` (.ci/run does)");
        const secrets = generatedSecrets();
        server = await startLocalRedis({}, { secrets: { ...secrets, passwords: { ...secrets.passwords, metrics: [password] } } });
        admin = new Redis(server.adminConnectionString);
        await admin.set("metrics:probe", "1");
        // The password reaches the exporter in a file (its password-file maps a server's URI to it), not argv or environment.
        work = await mkdtemp(join(tmpdir(), "exporter-"));
        const address = `redis://127.0.0.1:${server.port}`;
        await writeFile(join(work, "passwords.json"), JSON.stringify({ [address]: password }), { mode: 0o600 });
        const listen = `127.0.0.1:${await freeLoopbackPort()}`;
        metricsUrl = `http://${listen}/metrics`;
        exporter = spawn(
            EXPORTER,
            [
                `-redis.addr=${address}`,
                `-redis.user=${METRICS_USER}`,
                `-redis.password-file=${join(work, "passwords.json")}`,
                "-config-command=-",
                `-web.listen-address=${listen}`,
            ],
            { stdio: "ignore", env: {} },
        );
        for (
            let tries = 0;
            !(await fetch(metricsUrl).then(
                (r) => r.ok,
                () => false,
            ));
            tries += 1
        ) {
            if (tries > 100) throw new Error(`${EXPORTER} did not serve ${metricsUrl}`);
            await new Promise((r) => setTimeout(r, 100));
        }
        await admin.call("ACL", "LOG", "RESET");
    });
    afterAll(async () => {
        exporter?.kill();
        admin?.disconnect();
        await server?.stop();
        if (work) await rm(work, { recursive: true, force: true });
    });

    /** `name{labels} value` lines of one scrape, by series. */
    const scrape = async () => {
        const text = await (await fetch(metricsUrl)).text();
        return new Map(
            text
                .split("\n")
                .filter((line) => line && !line.startsWith("#"))
                .map((line) => [line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1))]),
        );
    };

    it("exports up, memory, keyspace, slowlog and latency figures, and the server refuses it nothing", async () => {
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
        // What the exporter was refused, as the server logged it: nothing.
        expect(await admin.call("ACL", "LOG")).toEqual([]);
    });

    it("cannot read or write keys, nor reach CONFIG by either name", async () => {
        const metrics = new Redis({ port: server.port, host: "127.0.0.1", username: METRICS_USER, password });
        try {
            await expect(metrics.get("metrics:probe")).rejects.toThrow(/NOPERM/);
            await expect(metrics.set("metrics:probe", "2")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call("CONFIG", "GET", "maxmemory")).rejects.toThrow(/NOPERM|unknown command/);
            await expect(metrics.call(server.configCommandName, "GET", "maxmemory")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call("SLOWLOG", "RESET")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call("CLIENT", "KILL", "ID", "1")).rejects.toThrow(/NOPERM/);
            expect(await admin.get("metrics:probe")).toBe("1");
        } finally {
            metrics.disconnect();
        }
    });

    it("keeps the password out of the exporter's argv and environment", async () => {
        const cmdline = await readFile(`/proc/${exporter.pid}/cmdline`, "utf8");
        const environ = await readFile(`/proc/${exporter.pid}/environ`, "utf8");
        expect(cmdline.includes(password)).toBe(false);
        expect(environ.includes(password)).toBe(false);
    });
});
