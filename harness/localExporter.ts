// Debian's prometheus-redis-exporter (redis_exporter 1.45) on loopback, scraping a local
// redis-server as the metrics user: the password in a file (its password-file maps a server's URI
// to it), never in argv or the environment.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { METRICS_USER } from "../components/redisUsers";
import { freeLoopbackPort, requireBinary } from "./localRedis";

export const EXPORTER = "prometheus-redis-exporter";

export interface LocalExporter {
    /** The exporter's process (its argv and environment can be read under /proc). */
    process: ChildProcess;
    /** One scrape of /metrics: each series (`name{labels}`) with its value. */
    scrape(): Promise<Map<string, number>>;
    stop(): Promise<void>;
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
            const text = await (await fetch(url)).text();
            return new Map(
                text
                    .split("\n")
                    .filter((line) => line && !line.startsWith("#"))
                    .map((line) => [line.slice(0, line.lastIndexOf(" ")), Number(line.slice(line.lastIndexOf(" ") + 1))]),
            );
        },
        stop,
    };
}
