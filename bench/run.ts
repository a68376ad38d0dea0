// `npm run bench`: what the package is for, measured side by side in one run on one machine,
// reported as ratios. Every figure is the median of 5+ repetitions (raw numbers, min and max
// in bench/results.json). Traffic goes only to servers this script starts: local
// redis-server processes on loopback and, when Docker is running, a realised DockerRedis.
import { execFileSync, fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, platform, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { acquireLock, cacheAside, closeSharedClients, connect, localCache, pipelineInBatches, withLock, type Command } from "../client";
import { dockerConfigChange, kubernetesConfigChange } from "./configChange";
import {
    dockerFailovers,
    FAILOVER_GOAL_SECONDS,
    kubernetesFailovers,
    localFailovers,
    type FailoverRound,
    type FailoverRun,
} from "./failover";
import { invalidationDelays } from "./localCache";
import { keyListings, scriptRuns } from "./patterns";
import { policyPackCosts } from "./policyCost";
import { clientOf, pipelinedSetGet, sequentialSetGet, startTlsPair, startUpRuns } from "./tls";
import { TLS_FILES } from "../redis/container";
import { deployDockerRedis } from "../harness/engine/deployments";
import { deployKubernetesRedis } from "../harness/engine/kubernetesDeployment";
import { freeLoopbackPort, launchRedis, startLocalRedis, type LocalRedis } from "../harness/local/localRedis";
import { allRegistered, installMocks } from "../harness/mocks/pulumiMocks";

interface Figure {
    name: string;
    unit: string;
    /** Measured in alternation with others: raw[i] pairs with their raw[i]. */
    interleaved?: boolean;
    raw: number[];
    median: number;
    min: number;
    max: number;
}

const figures: Record<string, Figure> = {};
const started = Date.now();
let step = 0;
/** How long the TLS section took, in seconds. */
let tlsSeconds: number | undefined;
/** How long the failover section took, and what it noticed, for the summary line. */
const failoverNotes: string[] = [];
const STEPS = 56;

function progress(name: string): void {
    step += 1;
    process.stderr.write(
        `\r[${String(step).padStart(2)}/${STEPS}] ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s  ${name.padEnd(60)}`,
    );
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Records a figure from its raw values: median, min and max of them. */
function record(name: string, unit: string, raw: number[], interleaved?: true): number {
    figures[name] = { name, unit, interleaved, raw, median: median(raw), min: Math.min(...raw), max: Math.max(...raw) };
    return figures[name].median;
}

/** p50 and p99 of many samples as two figures (`<name> p50`, `<name> p99`): the percentile stands in the median column; min and max are of all samples. */
function recordPercentiles(name: string, unit: string, samples: number[]): void {
    const sorted = [...samples].sort((a, b) => a - b);
    for (const [label, q] of [
        ["p50", 0.5],
        ["p99", 0.99],
    ] as const) {
        progress(`${name} ${label}`);
        figures[`${name} ${label}`] = {
            name: `${name} ${label}`,
            unit,
            raw: [],
            median: sorted[Math.floor(sorted.length * q)],
            min: sorted[0],
            max: sorted.at(-1)!,
        };
    }
}

/**
 * Runs several measurements in alternation (A B C A B C …), so drift on a shared machine
 * (other tenants, background fsync) falls on all of them alike: for ratios between them.
 */
async function measureInterleaved(unit: string, reps: number, runs: Array<[string, () => Promise<number>]>): Promise<void> {
    for (const [name] of runs) progress(name);
    const raw = runs.map(() => [] as number[]);
    for (let i = 0; i < reps; i++) {
        for (const [j, [, run]] of runs.entries()) raw[j].push(await run());
    }
    runs.forEach(([name], j) => record(name, unit, raw[j], true));
}

async function measure(name: string, unit: string, reps: number, run: () => Promise<number>): Promise<number> {
    progress(name);
    const raw: number[] = [];
    for (let i = 0; i < reps; i++) raw.push(await run());
    return record(name, unit, raw);
}

/** The longest write gap, and the failed writes, of three config changes on one platform. */
async function measureConfigChange(platform: string, change: () => Promise<{ gapMs: number; failed: number }>): Promise<void> {
    const failures: number[] = [];
    await measure(`config change on ${platform}: longest write gap`, "ms", 3, async () => {
        const { gapMs, failed } = await change();
        failures.push(failed);
        return gapMs;
    });
    const name = `config change on ${platform}: failed writes (one every 5 ms)`;
    progress(name);
    record(name, "writes", failures);
}

/** The figures of Sentinel failovers on one platform, one raw value per round. */
function recordFailovers(platform: string, run: FailoverRun): void {
    const rounds = run.rounds;
    if (rounds.length === 0) throw new Error("no failover round ran");
    const at = `failover on ${platform}:`;
    const switches = rounds.flatMap((r) => (r.switchSeconds === undefined ? [] : [r.switchSeconds]));
    if (switches.length > 0) record(`${at} SIGKILL to +switch-master`, "s", switches);
    const series: Array<[string, string, (r: FailoverRound) => number]> = [
        ["SIGKILL to first plain write", "s", (r) => r.plain.firstWriteSeconds],
        ["SIGKILL to first WAIT-confirmed write", "s", (r) => r.confirmed.firstWriteSeconds],
        ["plain writes acknowledged per round", "writes", (r) => r.plain.acknowledged],
        ["plain writes lost", "writes", (r) => r.plain.lost],
        ["WAIT-confirmed writes per round", "writes", (r) => r.confirmed.acknowledged],
        ["WAIT-confirmed writes lost", "writes", (r) => r.confirmed.lost],
        ["restart to rejoined as replica", "s", (r) => r.rejoinSeconds],
    ];
    for (const [name, unit, of] of series) record(`${at} ${name}`, unit, rounds.map(of));
    const oldestLost = Math.max(...rounds.map((r) => r.plain.oldestLostMs));
    failoverNotes.push(
        `${platform}: ${rounds.length} rounds, setup ${run.setupSeconds.toFixed(0)} s, ${run.seconds.toFixed(0)} s in all` +
            (oldestLost > 0 ? `; oldest lost plain write acknowledged ${oldestLost} ms before the kill` : ""),
    );
}

/** Operations per second of `n` operations issued by `run`. */
async function opsPerSecond(n: number, run: () => Promise<unknown>): Promise<number> {
    const t0 = process.hrtime.bigint();
    await run();
    return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** `total` SETs with `inFlight` outstanding at any time on one connection. */
async function setsInFlight(redis: Redis, prefix: string, total: number, inFlight: number): Promise<void> {
    let next = 0;
    await Promise.all(
        Array.from({ length: inFlight }, async () => {
            while (next < total) {
                const i = next++;
                await redis.set(`${prefix}${i % 10_000}`, "value-0123456789");
            }
        }),
    );
}

/** A server for redis-benchmark: its port and, with TLS, the CA file to verify it with. */
interface BenchmarkServer {
    port: number;
    caFile?: string;
    stop(): Promise<void>;
}

/**
 * redis-benchmark, the C client, as the limit. It can only take a password on its command line, so it runs against a twin of our config
 * without auth. A TLS twin keeps its TLS port and certificates and gains a plaintext port for launchRedis's readiness probe, idle after.
 */
async function benchmarkServer(settings: { tls?: true } = {}): Promise<BenchmarkServer> {
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

function redisBenchmark(server: BenchmarkServer, test: string, pipeline: number): number {
    const requests = pipeline > 1 ? 200_000 : 50_000;
    const tls = server.caFile ? ["--tls", "--cacert", server.caFile] : [];
    const args = ["-h", "127.0.0.1", "-p", String(server.port), "-t", test, "-n", String(requests), "-c", "50", "-P", String(pipeline)];
    const out = execFileSync("redis-benchmark", [...tls, ...args, "--csv"], { encoding: "utf8" });
    const line = out.split("\n").find((l) => l.startsWith(`"${test.toUpperCase()}"`));
    if (!line) throw new Error(`no ${test} line in redis-benchmark output`);
    return Number((JSON.parse(`[${line}]`) as string[])[1]);
}

/** redis-cli's intrinsic latency test: the worst scheduling delay seen on this machine. */
function intrinsicLatency(seconds: number): { avgUs: number; maxUs: number } {
    const out = execFileSync("redis-cli", ["--intrinsic-latency", String(seconds)], { encoding: "utf8" });
    const avg = /avg latency: ([\d.]+) microseconds/.exec(out);
    const max = [...out.matchAll(/Max latency so far: (\d+) microseconds/g)].pop();
    return { avgUs: Number(avg?.[1]), maxUs: Number(max?.[1]) };
}

function clientProcessRss(connectionString: string, keys: number): Promise<number> {
    return new Promise((resolve, reject) => {
        const worker = fork(join(__dirname, "..", "..", "bench", "rssWorker.cjs"));
        worker.once("error", reject);
        worker.once("message", (m: { rssMb: number }) => resolve(m.rssMb));
        worker.once("exit", (code) => code !== 0 && reject(new Error(`rss worker exited with ${code}`)));
        worker.send({ connectionString, keys });
    });
}

/** Round trip of a PING, in microseconds, as the median of `n` sequential PINGs. */
async function pingRttUs(redis: Redis, n: number): Promise<number> {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
        const t0 = process.hrtime.bigint();
        await redis.ping();
        samples.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
    return median(samples);
}

async function main(): Promise<void> {
    for (const tool of ["redis-server", "redis-benchmark", "redis-cli"]) {
        try {
            execFileSync("sh", ["-c", `command -v ${tool}`]);
        } catch {
            execFileSync(
                "sh",
                ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools"],
                { stdio: "inherit" },
            );
            break;
        }
    }
    const REPS = 5;
    const ours = await startLocalRedis();
    const defaults = await startLocalRedis({ appendonly: false, maxmemory: 0, maxmemoryPolicy: "noeviction", disabledCommands: [] });
    const always = await startLocalRedis({ appendfsync: "always" });
    const limit = await benchmarkServer();
    const servers: LocalRedis[] = [ours, defaults, always];
    try {
        // 1. The limit.
        await measure("redis-benchmark SET -P 1 (50 clients)", "ops/s", REPS, () => Promise.resolve(redisBenchmark(limit, "set", 1)));
        await measure("redis-benchmark GET -P 1 (50 clients)", "ops/s", REPS, () => Promise.resolve(redisBenchmark(limit, "get", 1)));
        await measure("redis-benchmark SET -P 16 (50 clients)", "ops/s", REPS, () => Promise.resolve(redisBenchmark(limit, "set", 16)));
        await measure("redis-benchmark GET -P 16 (50 clients)", "ops/s", REPS, () => Promise.resolve(redisBenchmark(limit, "get", 16)));

        // 2. The peer: raw ioredis on one connection.
        const raw = new Redis(ours.connectionString);
        const client = connect(ours.connectionString);
        const auto = new Redis(ours.connectionString, { enableAutoPipelining: true });
        await measure("ioredis sequential awaits", "ops/s", REPS, () =>
            opsPerSecond(2_000, async () => {
                for (let i = 0; i < 2_000; i++) await raw.set(`seq:${i}`, "v");
            }),
        );
        await measure("ioredis 100 in flight", "ops/s", REPS, () =>
            opsPerSecond(50_000, () => setsInFlight(raw, "inflight:", 50_000, 100)),
        );
        await measure("ioredis auto-pipelining (100 in flight)", "ops/s", REPS, () =>
            opsPerSecond(50_000, () => setsInFlight(auto, "auto:", 50_000, 100)),
        );

        // 3. Ours.
        const bulk: Command[] = Array.from({ length: 50_000 }, (_, i) => ["set", `pipe:${i % 100}`, "value-0123456789"]);
        // Raw pipelines and ours in alternation, so the ratio between them is not machine drift.
        await measureInterleaved("ops/s", REPS, [
            [
                "ioredis explicit pipelines of 100",
                () =>
                    opsPerSecond(50_000, async () => {
                        for (let b = 0; b < 500; b++) {
                            const p = raw.pipeline();
                            for (let i = 0; i < 100; i++) p.set(`pipe:${i}`, "value-0123456789");
                            await p.exec();
                        }
                    }),
            ],
            ["connect() + pipelineInBatches(100)", () => opsPerSecond(50_000, () => pipelineInBatches(client, bulk, 100))],
        ]);
        await client.set("hit:key", JSON.stringify({ v: 1 }), "EX", 600);
        await cacheAside(raw, "cache:hit", () => Promise.resolve({ v: 1 }), { ttlSeconds: 600 });
        const hits = (get: () => Promise<unknown>) => {
            let next = 0;
            return opsPerSecond(50_000, () =>
                Promise.all(
                    Array.from({ length: 100 }, async () => {
                        while (next++ < 50_000) await get();
                    }),
                ),
            );
        };
        // The helper's own cost: cacheAside and the raw GET on the same plain ioredis connection.
        // connect()'s client arms a timer per command (commandTimeout 5 s), measured apart.
        await measureInterleaved("ops/s", REPS, [
            ["raw GET, 100 in flight", () => hits(() => raw.get("hit:key"))],
            [
                "cacheAside hit, 100 in flight",
                () => hits(() => cacheAside(raw, "cache:hit", () => Promise.resolve({ v: 1 }), { ttlSeconds: 600, beta: 0 })),
            ],
            ["GET through connect() (commandTimeout 5 s), 100 in flight", () => hits(() => client.get("hit:key"))],
        ]);
        // A hot key through the process's own copy, kept correct by CLIENT TRACKING, beside raw GETs.
        const hot = await localCache(client);
        await hot.get("hit:key");
        await measureInterleaved("ops/s", REPS, [
            ["raw GET, 100 in flight (beside localCache)", () => hits(() => raw.get("hit:key"))],
            ["localCache hit, 100 in flight", () => hits(() => hot.get("hit:key"))],
        ]);
        await hot.close();
        recordPercentiles("localCache invalidation delay, loopback", "ms", await invalidationDelays(client, raw, 1_000));
        await measure("withLock acquire+release, one connection", "ops/s", REPS, () =>
            opsPerSecond(2_000, async () => {
                for (let i = 0; i < 2_000; i++) await (await acquireLock(client, "bench:lock", { ttlMs: 5_000 })).release();
            }),
        );
        const contenders = Array.from({ length: 50 }, () => connect(ours.connectionString, { shared: false }));
        await measure("withLock acquire+release, 50 contenders", "ops/s", REPS, async () => {
            let done = 0;
            const deadline = Date.now() + 1_000;
            const t0 = process.hrtime.bigint();
            await Promise.all(
                contenders.map(async (c) => {
                    while (Date.now() < deadline) {
                        await withLock(c, "bench:contended", () => Promise.resolve(done++), {
                            ttlMs: 5_000,
                            waitMs: 10_000,
                            retryDelayMs: 1,
                            autoExtend: false,
                        });
                    }
                }),
            );
            return done / (Number(process.hrtime.bigint() - t0) / 1e9);
        });
        contenders.forEach((c) => c.disconnect());
        // EVALSHA against the source sent with every call, in alternation on one connection.
        await measureInterleaved("ops/s", REPS, scriptRuns(raw, 20_000));
        // KEYS against SCAN on 200,000 keys, as the server times them (KEYS is disabled on ours: the defaults server).
        const lister = new Redis(defaults.adminConnectionString);
        const listings: Array<Awaited<ReturnType<typeof keyListings>>> = [];
        for (let i = 0; i < REPS; i++) listings.push(await keyListings(lister, defaults.configCommandName, 200_000));
        lister.disconnect();
        for (const command of ["keys", "scan"] as const) {
            const label = command === "keys" ? "KEYS listing:*" : "scanKeys (SCAN COUNT 100)";
            record(
                `${label} on 200,000 keys: server time per call, p99.9`,
                "ms",
                listings.map((l) => l[command].blockedMs),
                true,
            );
            record(
                `${label} on 200,000 keys: time to list them all`,
                "ms",
                listings.map((l) => l[command].tookMs),
                true,
            );
        }

        // 4. Anti-patterns, measured.
        await measure("new connection per command", "ops/s", REPS, () =>
            opsPerSecond(200, async () => {
                for (let i = 0; i < 200; i++) {
                    const once = new Redis(ours.connectionString);
                    await once.set("per-command", "v");
                    await once.quit();
                }
            }),
        );
        const writers = [
            ["our config (AOF everysec, maxmemory, LFU)", new Redis(ours.connectionString)],
            ["Redis defaults (AOF off, no maxmemory)", new Redis(defaults.connectionString)],
            ["appendfsync always", new Redis(always.connectionString)],
        ] as const;
        await measureInterleaved(
            "ops/s",
            7,
            writers.map(([label, c]): [string, () => Promise<number>] => [
                `SET, 100 in flight: ${label}`,
                () => opsPerSecond(50_000, () => setsInFlight(c, "w:", 50_000, 100)),
            ]),
        );
        // One write at a time: no group commit, so `always` pays one fsync per write.
        await measureInterleaved(
            "ops/s",
            7,
            [writers[0], writers[2]].map(([label, c]): [string, () => Promise<number>] => [
                `SET, sequential: ${label}`,
                () => opsPerSecond(2_000, () => setsInFlight(c, "s:", 2_000, 1)),
            ]),
        );
        writers.forEach(([, c]) => c.disconnect());

        // 5. Stampede.
        const latencies: number[] = [];
        await measure("stampede: backend loads for 1,000 concurrent misses", "loads", REPS, async () => {
            let loads = 0;
            const key = `stampede:${Math.random()}`;
            const runs = await Promise.all(
                Array.from({ length: 1_000 }, async () => {
                    const t0 = Date.now();
                    await cacheAside(client, key, async () => (loads++, await new Promise((r) => setTimeout(r, 50)), "v"), {
                        ttlSeconds: 60,
                    });
                    return Date.now() - t0;
                }),
            );
            latencies.push(...runs);
            return loads;
        });
        recordPercentiles("stampede: caller latency", "ms", latencies);

        // 7. Memory of a client process of its own holding the singleton through a bulk load.
        await measure("client process RSS after a 100k-key bulk load", "MB", REPS, () => clientProcessRss(ours.connectionString, 100_000));

        // 8. The floor.
        await measure("intrinsic latency of this machine (worst, 1 s runs)", "µs", REPS, () => Promise.resolve(intrinsicLatency(1).maxUs));
        await measure("PING round trip, local redis-server", "µs", REPS, () => pingRttUs(raw, 2_000));

        // 9. TLS against plaintext: servers from one rendered config, one TLS-only; every pair in alternation.
        const tlsStarted = Date.now();
        const pair = await startTlsPair();
        const limitTls = await benchmarkServer({ tls: true });
        try {
            const [plainClient, tlsClient] = [clientOf(pair.plain), clientOf(pair.tls)];
            const sides = [
                ["plaintext", plainClient],
                ["TLS", tlsClient],
            ] as const;
            await measureInterleaved(
                "ops/s",
                7,
                sides.map(([label, c]): [string, () => Promise<number>] => [
                    `SET/GET sequential awaits: ${label}`,
                    () => opsPerSecond(2_000, () => sequentialSetGet(c, 2_000)),
                ]),
            );
            await measureInterleaved(
                "ops/s",
                7,
                sides.map(([label, c]): [string, () => Promise<number>] => [
                    `SET/GET pipelines of 100: ${label}`,
                    () => opsPerSecond(50_000, () => pipelinedSetGet(c, 50_000, 100)),
                ]),
            );
            plainClient.disconnect();
            tlsClient.disconnect();
            const startUp = await startUpRuns(pair);
            await measureInterleaved("ms", 60, [
                ["new Redis to first PING reply: plaintext", startUp.plain],
                ["new Redis to first PING reply: TLS, full handshake", startUp.full],
                ["new Redis to first PING reply: TLS, session resumed", startUp.resumed],
            ]);
            const limits = [
                ["plaintext", limit],
                ["TLS", limitTls],
            ] as const;
            for (const pipeline of [1, 16]) {
                await measureInterleaved(
                    "ops/s",
                    REPS,
                    limits.map(([label, server]): [string, () => Promise<number>] => [
                        `redis-benchmark SET -P ${pipeline} (50 clients): ${label}`,
                        () => Promise.resolve(redisBenchmark(server, "set", pipeline)),
                    ]),
                );
            }
        } finally {
            await limitTls.stop();
            await pair.stop();
        }
        tlsSeconds = (Date.now() - tlsStarted) / 1000;

        // 6. Provisioning cost, and the container.
        await installMocks("bench");
        const { DockerRedis, KubernetesRedis } = await import("../index");
        let n = 0;
        await measure("construct DockerRedis under mocks", "ms/component", REPS, async () => {
            const t0 = Date.now();
            for (let i = 0; i < 100; i++) new DockerRedis(`d${n++}`);
            await allRegistered();
            return (Date.now() - t0) / 100;
        });
        await measure("construct KubernetesRedis under mocks", "ms/component", REPS, async () => {
            const t0 = Date.now();
            for (let i = 0; i < 100; i++) new KubernetesRedis(`k${n++}`);
            await allRegistered();
            return (Date.now() - t0) / 100;
        });
        // What the engine pays for redis-guard: its pack process over gRPC, against a no-op pack.
        progress("redis-guard over gRPC against a no-op pack");
        const packs = await policyPackCosts(REPS);
        for (const [label, runs] of [
            ["redis-guard", packs.redisGuard],
            ["no-op pack", packs.noop],
        ] as const) {
            record(
                `${label}: Analyze, unrelated resources`,
                "µs/resource",
                runs.map((r) => r.analyzeUnrelated),
                true,
            );
            record(
                `${label}: Analyze, Redis resources`,
                "µs/resource",
                runs.map((r) => r.analyzeRedis),
                true,
            );
            record(
                `${label}: AnalyzeStack, 1,000 resources`,
                "µs/resource",
                runs.map((r) => r.analyzeStack),
                true,
            );
        }
        let docker: Awaited<ReturnType<typeof deployDockerRedis>> | undefined;
        try {
            execFileSync("docker", ["info"], { stdio: "ignore" });
            await measure("DockerRedis realised: create to healthy", "s", 3, async () => {
                const t0 = Date.now();
                const d = await deployDockerRedis(`bench${n++}`);
                const seconds = (Date.now() - t0) / 1000;
                if (docker) await d.stop();
                else docker = d;
                return seconds;
            });
            const container = new Redis(docker!.connectionString);
            await measure("PING round trip, container on its internal network", "µs", REPS, () => pingRttUs(container, 2_000));
            await measure("SET, 100 in flight: container", "ops/s", REPS, () =>
                opsPerSecond(50_000, () => setsInFlight(container, "c:", 50_000, 100)),
            );
            const containerReader = new Redis(docker!.connectionString);
            recordPercentiles(
                "localCache invalidation delay, container",
                "ms",
                await invalidationDelays(containerReader, container, 1_000),
            );
            containerReader.disconnect();
            container.disconnect();
            // A config change (here a credential rotation) replaces the container, or rolls the pod.
            const name = `bench${n++}`;
            const rotating = await deployDockerRedis(name);
            try {
                await measureConfigChange("Docker (container replaced)", () => dockerConfigChange(rotating, name));
            } finally {
                // The successor is not among the containers the harness created.
                await rotating.container.remove({ force: true }).catch(() => undefined);
                await rotating.stop();
            }
            const rolling = await deployKubernetesRedis(`k${n++}`);
            try {
                await measureConfigChange("Kubernetes (pod 0 rolled)", () => kubernetesConfigChange(rolling));
            } finally {
                await rolling.realised.pods[0].container.remove({ force: true }).catch(() => undefined);
                await rolling.stop();
            }
        } catch (e) {
            process.stderr.write(`\nDocker figures skipped: ${(e as Error).message}\n`);
        } finally {
            await docker?.stop();
        }

        // 10. Sentinel failover: SIGKILL the primary under writes, bounded in rounds and time (no round
        // starts later than its budget after the deployment began; together about 3 minutes).
        const failoverStarted = Date.now();
        const failovers: Array<[string, () => Promise<FailoverRun>]> = [
            ["Docker", () => dockerFailovers(`bench${n++}`, 5, 120_000)],
            ["Kubernetes (pods realised on the engine)", () => kubernetesFailovers(`kbench${n++}`, 5, 120_000)],
            // For comparison: the same rendered configs as processes, fewer rounds.
            ["local processes", () => localFailovers(2, 30_000)],
        ];
        for (const [platform, run] of failovers) {
            progress(`failover on ${platform}`);
            try {
                recordFailovers(platform, await run());
            } catch (e) {
                process.stderr.write(`\nFailover figures on ${platform} skipped: ${(e as Error).message}\n`);
            }
        }
        failoverNotes.unshift(`Failover section: ${((Date.now() - failoverStarted) / 1000).toFixed(1)} s`);
        raw.disconnect();
        auto.disconnect();
    } finally {
        await closeSharedClients();
        for (const s of servers) await s.stop();
        await limit.stop();
    }
}

/**
 * a / b. For figures measured in alternation, the median of the per-round ratios, which
 * cancels drift that hits both alike; otherwise the ratio of the medians.
 */
function ratio(a: string, b: string): number | undefined {
    const x = figures[a];
    const y = figures[b];
    if (!x || !y) return undefined;
    if (x.interleaved && y.interleaved && x.raw.length === y.raw.length) return median(x.raw.map((v, i) => v / y.raw[i]));
    return x.median / y.median;
}

function report(): void {
    const lostTotal = (name: string) => figures[name]?.raw.reduce((a, b) => a + b, 0);
    const ratios: Array<[string, number | undefined, number | undefined, ("≥" | "≤" | "=")?]> = [
        [
            "ours bulk load / redis-benchmark SET -P 16",
            ratio("connect() + pipelineInBatches(100)", "redis-benchmark SET -P 16 (50 clients)"),
            0.25,
        ],
        [
            "ours bulk load / raw ioredis pipelines of 100",
            ratio("connect() + pipelineInBatches(100)", "ioredis explicit pipelines of 100"),
            0.95,
        ],
        [
            "redis-guard / no-op pack, Analyze on unrelated resources",
            ratio("redis-guard: Analyze, unrelated resources", "no-op pack: Analyze, unrelated resources"),
            2,
            "≤",
        ],
        [
            "redis-guard / no-op pack, Analyze on Redis resources",
            ratio("redis-guard: Analyze, Redis resources", "no-op pack: Analyze, Redis resources"),
            undefined,
        ],
        [
            "redis-guard / no-op pack, AnalyzeStack",
            ratio("redis-guard: AnalyzeStack, 1,000 resources", "no-op pack: AnalyzeStack, 1,000 resources"),
            undefined,
        ],
        [
            "EVALSHA (defineScripts) / EVAL with the source, rate-limit script",
            ratio(
                "rate-limit script by defineScripts (EVALSHA), 100 in flight",
                "rate-limit script as EVAL with its source, 100 in flight",
            ),
            undefined,
        ],
        [
            "KEYS / SCAN: server time per call, p99.9, 200,000 keys",
            ratio(
                "KEYS listing:* on 200,000 keys: server time per call, p99.9",
                "scanKeys (SCAN COUNT 100) on 200,000 keys: server time per call, p99.9",
            ),
            undefined,
        ],
        ["cacheAside hit / raw GET", ratio("cacheAside hit, 100 in flight", "raw GET, 100 in flight"), 0.8],
        [
            "connect() GET / raw GET (the per-command timeout)",
            ratio("GET through connect() (commandTimeout 5 s), 100 in flight", "raw GET, 100 in flight"),
            undefined,
        ],
        ["localCache hit / raw GET", ratio("localCache hit, 100 in flight", "raw GET, 100 in flight (beside localCache)"), 20],
        [
            "our config / Redis defaults (writes)",
            ratio(
                "SET, 100 in flight: our config (AOF everysec, maxmemory, LFU)",
                "SET, 100 in flight: Redis defaults (AOF off, no maxmemory)",
            ),
            0.9,
        ],
        [
            "appendfsync always / everysec (sequential writes)",
            ratio("SET, sequential: appendfsync always", "SET, sequential: our config (AOF everysec, maxmemory, LFU)"),
            undefined,
        ],
        [
            "appendfsync always / everysec (100 writes in flight)",
            ratio("SET, 100 in flight: appendfsync always", "SET, 100 in flight: our config (AOF everysec, maxmemory, LFU)"),
            undefined,
        ],
        ["new connection per command / reused, sequential", ratio("new connection per command", "ioredis sequential awaits"), undefined],
        ["sequential / pipelined", ratio("ioredis sequential awaits", "ioredis explicit pipelines of 100"), undefined],
        [
            "container / local (writes, 100 in flight)",
            ratio("SET, 100 in flight: container", "SET, 100 in flight: our config (AOF everysec, maxmemory, LFU)"),
            undefined,
        ],
        ["TLS / plaintext, sequential SET/GET", ratio("SET/GET sequential awaits: TLS", "SET/GET sequential awaits: plaintext"), undefined],
        [
            "TLS / plaintext, SET/GET pipelines of 100",
            ratio("SET/GET pipelines of 100: TLS", "SET/GET pipelines of 100: plaintext"),
            undefined,
        ],
        [
            "TLS full handshake / plaintext, start-up time",
            ratio("new Redis to first PING reply: TLS, full handshake", "new Redis to first PING reply: plaintext"),
            undefined,
        ],
        [
            "TLS session resumed / plaintext, start-up time",
            ratio("new Redis to first PING reply: TLS, session resumed", "new Redis to first PING reply: plaintext"),
            undefined,
        ],
        [
            "TLS / plaintext, redis-benchmark SET -P 1",
            ratio("redis-benchmark SET -P 1 (50 clients): TLS", "redis-benchmark SET -P 1 (50 clients): plaintext"),
            undefined,
        ],
        [
            "TLS / plaintext, redis-benchmark SET -P 16",
            ratio("redis-benchmark SET -P 16 (50 clients): TLS", "redis-benchmark SET -P 16 (50 clients): plaintext"),
            undefined,
        ],
        ["stampede backend loads (goal 1)", figures["stampede: backend loads for 1,000 concurrent misses"]?.median, 1, "="],
        // Issue #13: a writable primary within downAfterMilliseconds + 5 s, and no WAIT-confirmed write lost.
        ...["Docker", "local processes"].flatMap((platform): Array<[string, number | undefined, number, "≤" | "="]> => {
            const first = figures[`failover on ${platform}: SIGKILL to first plain write`];
            return [
                [`failover on ${platform}: SIGKILL to first write, median (s)`, first?.median, FAILOVER_GOAL_SECONDS, "≤"],
                [`failover on ${platform}: SIGKILL to first write, max (s)`, first?.max, FAILOVER_GOAL_SECONDS, "≤"],
                [
                    `failover on ${platform}: WAIT-confirmed writes lost, all rounds`,
                    lostTotal(`failover on ${platform}: WAIT-confirmed writes lost`),
                    0,
                    "=",
                ],
            ];
        }),
    ];
    const lines = ["", "| Figure | Median | Min–max | Unit |", "|---|---|---|---|"];
    for (const f of Object.values(figures)) lines.push(`| ${f.name} | ${fmt(f.median)} | ${fmt(f.min)}–${fmt(f.max)} | ${f.unit} |`);
    lines.push("", "| Ratio | Value | Goal |", "|---|---|---|");
    for (const [name, value, goal, relation = "≥"] of ratios) {
        const met =
            value === undefined || goal === undefined
                ? ""
                : (relation === "=" ? value === goal : relation === "≤" ? value <= goal : value >= goal)
                  ? " (met)"
                  : " (NOT met)";
        lines.push(`| ${name} | ${value === undefined ? "n/a" : fmt(value)} | ${goal === undefined ? "—" : `${relation} ${goal}`}${met} |`);
    }
    process.stderr.write(`\n${tlsSeconds === undefined ? "" : `TLS section: ${tlsSeconds.toFixed(1)} s\n`}`);
    if (failoverNotes.length > 0) process.stderr.write(`${failoverNotes.join("\n  ")}\n`);
    console.log(lines.join("\n"));
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
    writeFileSync(
        join(__dirname, "..", "..", "bench", "results.json"),
        `${JSON.stringify({ date: new Date().toISOString(), seconds: (Date.now() - started) / 1000, machine, versions, figures, ratios: Object.fromEntries(ratios.map(([n, v, g, relation = "≥"]) => [n, { value: v, goal: g, relation }])) }, null, 2)}\n`,
    );
}

function fmt(x: number): string {
    return x >= 1000 ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x.toFixed(3);
}

main()
    .then(() => {
        report();
        process.exit(0);
    })
    .catch((e: unknown) => {
        process.stderr.write(`\nbench failed: ${(e as Error).stack ?? String(e)}\n`);
        process.exit(1);
    });
