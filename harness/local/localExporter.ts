// Debian's prometheus-redis-exporter (redis_exporter 1.45) on loopback, scraping a local
// redis-server as the metrics user: the password in a file (its password-file maps a server's URI
// to it), never in argv or the environment.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { METRICS_USER } from "../../redis/acl/users";
import { freeLoopbackPort, generatedPassword, generatedSecrets, requireBinary, startLocalRedis, type LocalRedis } from "./localRedis";

export const EXPORTER = "prometheus-redis-exporter";

export interface LocalExporter {
    /** The exporter's process (its argv and environment can be read under /proc). */
    process: ChildProcess;
    /** One scrape of /metrics: each series (`name{labels}`) with its value. */
    scrape(): Promise<Map<string, number>>;
    stop(): Promise<void>;
}

/** Each series of a Prometheus text exposition (`name{labels}`) with its value. */
export function exposedSeries(text: string): Map<string, number> {
    return new Map(
        text
            .split("\n")
            .filter((line) => line && !line.startsWith("#"))
            .map((line) => [line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1))]),
    );
}

export async function startLocalExporter(redisPort: number, password: string): Promise<LocalExporter> {
    requireBinary(EXPORTER, "install it with `apt-get install -y prometheus-redis-exporter` (.ci/run does)");
    const work = await mkdtemp(join(tmpdir(), "exporter-"));
    const address = `redis://127.0.0.1:${redisPort}`;
    await writeFile(join(work, "passwords.json"), JSON.stringify({ [address]: password }), { mode: 0o600 });
    const listen = `127.0.0.1:${await freeLoopbackPort()}`;
    const url = `http://${listen}/metrics`;
    const child = spawn(
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
    const stop = async () => {
        child.kill();
        await rm(work, { recursive: true, force: true });
    };
    try {
        for (
            let tries = 0;
            !(await fetch(url).then(
                (r) => r.ok,
                () => false,
            ));
            tries += 1
        ) {
            if (tries > 100 || child.exitCode !== null) throw new Error(`${EXPORTER} did not serve ${url}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    } catch (e) {
        await stop();
        throw e;
    }
    return {
        process: child,
        async scrape() {
            return exposedSeries(await (await fetch(url)).text());
        },
        stop,
    };
}

/**
 * The metric names the real exporter exports for a primary and its replica (started from our
 * rendered config, scraped as the metrics user): what alert rules and dashboards may name.
 */
export async function exportedMetricNames(): Promise<Set<string>> {
    const base = generatedSecrets();
    const password = generatedPassword();
    const secrets = { ...base, passwords: { ...base.passwords, metrics: [password] } };
    const servers: LocalRedis[] = [];
    const exporters: LocalExporter[] = [];
    try {
        const primary = await startLocalRedis({}, { secrets });
        servers.push(primary);
        servers.push(
            await startLocalRedis({ replicaOfHost: "127.0.0.1", replicaOfPort: primary.port }, { secrets, configFile: "replica.conf" }),
        );
        for (const server of servers) exporters.push(await startLocalExporter(server.port, password));
        const exported = new Set<string>();
        // The replica's link, and the primary's view of it, take a moment after the sync.
        for (let tries = 0; tries < 50 && !exported.has("redis_connected_slave_lag_seconds"); tries += 1) {
            if (tries > 0) await new Promise((r) => setTimeout(r, 200));
            for (const exporter of exporters) for (const series of (await exporter.scrape()).keys()) exported.add(series.split("{")[0]);
        }
        return exported;
    } finally {
        for (const e of exporters) await e.stop();
        for (const s of servers.reverse()) await s.stop();
    }
}
