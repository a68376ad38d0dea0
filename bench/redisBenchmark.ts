// redis-benchmark, the C client, as the limit: the servers it runs against and one run of it.
import { execFileSync } from "node:child_process";
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TLS_FILES } from "../redis/container";
import { freeLoopbackPort, launchRedis, startLocalRedis } from "../harness/local/localRedis";

/** A server for redis-benchmark: its port and, with TLS, the CA file to verify it with. */
export interface BenchmarkServer {
    port: number;
    caFile?: string;
    stop(): Promise<void>;
}

/**
 * redis-benchmark, the C client, as the limit. It can only take a password on its command line, so it runs against a twin of our config
 * without auth. A TLS twin keeps its TLS port and certificates and gains a plaintext port for launchRedis's readiness probe, idle after.
 */
export async function benchmarkServer(settings: { tls?: true } = {}): Promise<BenchmarkServer> {
    const base = await startLocalRedis(settings);
    const configDir = join(base.dataDir, "..", "usr/local/etc/redis");
    const dir = await mkdtemp(join(tmpdir(), "bench-nopass-"));
    // Every rendered file (with TLS, the certificate, its key and the CA too) moves into the twin's dir.
    for (const file of await readdir(configDir)) await copyFile(join(configDir, file), join(dir, file));
    await base.stop();
    const conf = await readFile(join(dir, "redis.conf"), "utf8");
    const port = await freeLoopbackPort();
    const probePort = settings.tls ? await freeLoopbackPort() : port;
    const text = conf
        .split(configDir)
        .join(dir)
        .replace(/^user default .*$/m, "user default on nopass ~* &* +@all")
        .replace(/^port .*$/m, `port ${probePort}`)
        .replace(/^tls-port .*$/m, `tls-port ${port}`)
        .replace(/^dir .*$/m, `dir ${dir}`);
    await writeFile(join(dir, "redis.conf"), text);
    const server = await launchRedis(["redis-server", join(dir, "redis.conf")], probePort);
    return {
        port,
        caFile: settings.tls ? join(dir, TLS_FILES.caCertificate) : undefined,
        stop: async () => (await server.stop(), await rm(dir, { recursive: true, force: true })),
    };
}

export function redisBenchmark(server: BenchmarkServer, test: string, pipeline: number): number {
    const requests = pipeline > 1 ? 200_000 : 50_000;
    const tls = server.caFile ? ["--tls", "--cacert", server.caFile] : [];
    const args = ["-h", "127.0.0.1", "-p", String(server.port), "-t", test, "-n", String(requests), "-c", "50", "-P", String(pipeline)];
    const out = execFileSync("redis-benchmark", [...tls, ...args, "--csv"], { encoding: "utf8" });
    const line = out.split("\n").find((l) => l.startsWith(`"${test.toUpperCase()}"`));
    if (!line) throw new Error(`no ${test} line in redis-benchmark output`);
    return Number((JSON.parse(`[${line}]`) as string[])[1]);
}
