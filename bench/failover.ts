// What a Sentinel failover costs. Three servers and three Sentinels (DockerRedis realised on the
// engine, or the same rendered configs as local processes); two clients write through the
// Sentinels as an application does, one with plain SETs and one confirming each SET with
// `WAIT 1`; the primary Sentinel names is SIGKILLed. Per round: how long until each client
// writes again, how long until Sentinel announces the new primary, how many acknowledged writes
// are missing afterwards, and how long the killed server, restarted, takes to rejoin as a
// replica (the next round starts only once the topology is whole again). bench/suites/failover.ts
// records these.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import Redis, { type RedisOptions } from "ioredis";
import { deployDockerSentinel } from "../harness/engine/deployments";
import { deployKubernetesSentinel } from "../harness/engine/kubernetesDeployment";
import { waitHealthy } from "../harness/engine/realise";
import { launchRedis } from "../harness/local/localRedis";
import { startLocalSentinelTopology } from "../harness/local/localSentinel";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** As issue #13 sets them: down after 1 s, so the goal is a writable primary within 1 s + 5 s. */
export const FAILOVER_SETTINGS = { downAfterMilliseconds: 1_000, failoverTimeoutMilliseconds: 10_000 } as const;
export const FAILOVER_GOAL_SECONDS = FAILOVER_SETTINGS.downAfterMilliseconds / 1000 + 5;

/** One writer's view of one failover. */
export interface WriterFigures {
    /** From the kill to the first write acknowledged on a connection opened after it, in s. */
    firstWriteSeconds: number;
    /** Writes acknowledged (confirmed, for the WAIT writer) in the round, before and after the kill. */
    acknowledged: number;
    /** Of those, missing from the new primary afterwards. */
    lost: number;
    /** The lost write acknowledged longest before the kill, in ms before it (0 when none is lost). */
    oldestLostMs: number;
    /** WAIT writer only: SETs the primary took but WAIT did not confirm (no replica in time, or a reconnect in between). */
    unconfirmed: number;
}

export interface FailoverRound {
    /** From the kill to the first `+switch-master` on the Sentinels' pub/sub, as the host received it, in s. */
    switchSeconds: number | undefined;
    plain: WriterFigures;
    confirmed: WriterFigures;
    /** From `docker start` (or relaunching the process) to the server serving as a replica of the new primary, in s. */
    rejoinSeconds: number;
}

export interface FailoverRun {
    rounds: FailoverRound[];
    /** Deploying (Docker: realising) the topology until it was whole, in s. */
    setupSeconds: number;
    /** The whole run, setup and teardown included, in s. */
    seconds: number;
}

/** A Redis server: whether Sentinel's address names it, how to reach it as admin, kill it, and start it again. */
interface Server {
    is(host: string, port: number): boolean;
    admin: RedisOptions;
    kill(): Promise<void>;
    restart(): Promise<void>;
}

/** What a round needs of a topology, whether containers or processes. */
interface Topology {
    masterName: string;
    servers: Server[];
    /** The app user through the Sentinels, with the host's view of the addresses they hand out. */
    app: RedisOptions;
    /** The admin user on each Sentinel directly. */
    sentinelAdmins: RedisOptions[];
    stop(): Promise<void>;
}

function client(options: RedisOptions): Redis {
    const redis = new Redis({ maxRetriesPerRequest: 1, ...options });
    redis.on("error", () => {});
    return redis;
}

async function within<T>(what: string, ms: number, poll: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const value = await poll().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`failover bench: ${what} not within ${ms / 1000} s`);
        await sleep(100);
    }
}

function serverAt(t: Topology, address: { host: string; port: number }): Server {
    const server = t.servers.find((s) => s.is(address.host, address.port));
    if (!server) throw new Error(`failover bench: Sentinel names ${address.host}:${address.port}, which is no server of the topology`);
    return server;
}

async function primaryOf(t: Topology, sentinel = 0): Promise<{ host: string; port: number }> {
    const s = client(t.sentinelAdmins[sentinel]);
    try {
        const [host, port] = (await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)) as [string, string];
        return { host, port: Number(port) };
    } finally {
        s.disconnect();
    }
}

/** Fields of a Sentinel reply in RESP2 (flat arrays) or RESP3 (maps) form. */
function entries(reply: unknown): Array<Record<string, string>> {
    return (reply as unknown[]).map((r) =>
        Array.isArray(r)
            ? Object.fromEntries(Array.from({ length: r.length / 2 }, (_, i) => [String(r[2 * i]), String(r[2 * i + 1])]))
            : Object.fromEntries(Object.entries(r as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
    );
}

/**
 * Whole: every Sentinel names the same primary and knows every replica and the other Sentinels
 * with no flag beyond their role, and the primary has all replicas online.
 */
async function whole(t: Topology, timeoutMs = 60_000): Promise<void> {
    await within("a whole topology", timeoutMs, async () => {
        const primary = await primaryOf(t);
        for (let i = 0; i < t.sentinelAdmins.length; i++) {
            const s = client(t.sentinelAdmins[i]);
            try {
                const named = (await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)) as string[];
                if (named[0] !== primary.host || Number(named[1]) !== primary.port) return undefined;
                const replicas = entries(await s.call("SENTINEL", "REPLICAS", t.masterName));
                const peers = entries(await s.call("SENTINEL", "SENTINELS", t.masterName));
                if (replicas.length !== t.servers.length - 1 || replicas.some((r) => r.flags !== "slave")) return undefined;
                if (peers.length !== t.sentinelAdmins.length - 1 || peers.some((p) => p.flags !== "sentinel")) return undefined;
            } finally {
                s.disconnect();
            }
        }
        const admin = client(serverAt(t, primary).admin);
        try {
            const info = await admin.info("replication");
            return (info.match(/^slave\d+:.*state=online/gm) ?? []).length === t.servers.length - 1 || undefined;
        } finally {
            admin.disconnect();
        }
    });
}

/**
 * Writes through the Sentinels until stopped, each write awaited before the next. `confirmed`:
 * each SET is followed by `WAIT 1 1000` and counts only if a replica acknowledged it on the same
 * connection (ioredis resends a command cut off by a disconnect to the next server, where WAIT
 * would confirm that server's writes, not this one).
 */
function writer(t: Topology, prefix: string, confirmed: boolean) {
    // Short, fixed retries: the figure is when a primary takes writes again, not the client's backoff.
    // A command timeout bounds a write queued while no primary answers; WAIT itself waits up to 1 s.
    const redis = client({ ...t.app, maxRetriesPerRequest: null, retryStrategy: () => 50, commandTimeout: 3_000 });
    let connection = 0;
    redis.on("close", () => (connection += 1));
    const acknowledged: Array<{ i: number; at: number; connection: number }> = [];
    let unconfirmed = 0;
    let running = true;
    let killed: { at: number; connection: number } | undefined;
    let firstAfterKill: number | undefined;
    let finished: Promise<WriterFigures> | undefined;
    const loop = (async () => {
        for (let i = 0; running; i++) {
            const sentOn = connection;
            try {
                await redis.set(`${prefix}${i}`, String(i), "EX", 600);
                if (confirmed && ((await redis.wait(1, 1_000)) < 1 || connection !== sentOn)) {
                    unconfirmed += 1;
                    continue;
                }
                const at = Date.now();
                acknowledged.push({ i, at, connection });
                if (killed && firstAfterKill === undefined && connection !== killed.connection) firstAfterKill = at;
            } catch {
                // NOREPLICAS or READONLY while the topology settles, or a closed connection.
                await sleep(20);
            }
        }
    })();
    return {
        acknowledgedCount: () => acknowledged.length,
        markKill(at: number) {
            killed = { at, connection };
        },
        recovered: () => firstAfterKill !== undefined,
        finish(): Promise<WriterFigures> {
            finished ??= figures();
            return finished;
        },
    };
    async function figures(): Promise<WriterFigures> {
        running = false;
        await loop;
        try {
            const missing: typeof acknowledged = [];
            for (let k = 0; k < acknowledged.length; k += 1_000) {
                const batch = acknowledged.slice(k, k + 1_000);
                const values = await redis.mget(...batch.map((w) => `${prefix}${w.i}`));
                batch.forEach((w, j) => values[j] !== String(w.i) && missing.push(w));
            }
            const killedAt = killed?.at ?? Date.now();
            return {
                firstWriteSeconds: ((firstAfterKill ?? NaN) - killedAt) / 1000,
                acknowledged: acknowledged.length,
                lost: missing.length,
                oldestLostMs: Math.max(0, ...missing.map((w) => killedAt - w.at)),
                unconfirmed,
            };
        } finally {
            redis.disconnect();
        }
    }
}

async function round(t: Topology, n: number, switches: number[]): Promise<FailoverRound> {
    const plain = writer(t, `failover:${n}:plain:`, false);
    const confirmed = writer(t, `failover:${n}:wait:`, true);
    try {
        // A second of writes on a settled primary first.
        await sleep(1_000);
        await within("writes before the kill", 10_000, () =>
            Promise.resolve(plain.acknowledgedCount() > 0 && confirmed.acknowledgedCount() > 0 ? true : undefined),
        );
        const primary = await primaryOf(t);
        const server = serverAt(t, primary);
        const killedAt = Date.now();
        plain.markKill(killedAt);
        confirmed.markKill(killedAt);
        await server.kill();
        // Bounded: 30 s for both writers to write again, then a moment more of writes on the new primary.
        const deadline = killedAt + 30_000;
        while (!(plain.recovered() && confirmed.recovered()) && Date.now() < deadline) await sleep(10);
        if (!(plain.recovered() && confirmed.recovered()))
            throw new Error("failover bench: a writer did not write again within 30 s of the kill");
        await sleep(300);
        const [p, c] = [await plain.finish(), await confirmed.finish()];
        const switched = Math.min(...switches.filter((at) => at >= killedAt));
        const restartedAt = Date.now();
        await server.restart();
        const admin = client(server.admin);
        try {
            await within("the killed primary rejoining as a replica", 60_000, async () => {
                const info = await admin.info("replication");
                return /role:slave/.test(info) && /master_link_status:up/.test(info) ? true : undefined;
            });
        } finally {
            admin.disconnect();
        }
        const rejoinSeconds = (Date.now() - restartedAt) / 1000;
        await whole(t);
        return {
            switchSeconds: Number.isFinite(switched) ? (switched - killedAt) / 1000 : undefined,
            plain: p,
            confirmed: c,
            rejoinSeconds,
        };
    } finally {
        // Idempotent: stops writers an error left running.
        await Promise.allSettled([plain.finish(), confirmed.finish()]);
    }
}

/** Up to `rounds` failovers, none started after `budgetMs` from the start. */
async function failovers(start: () => Promise<Topology>, rounds: number, budgetMs: number): Promise<FailoverRun> {
    const started = Date.now();
    const t = await start();
    const switches: number[] = [];
    // Every Sentinel announces the new primary once it has updated its own view: the first of them counts.
    const subscribers = t.sentinelAdmins.map((options) => client({ ...options, maxRetriesPerRequest: null }));
    const results: FailoverRound[] = [];
    let setupSeconds: number;
    try {
        await whole(t, 120_000);
        for (const subscriber of subscribers) {
            await subscriber.subscribe("+switch-master");
            subscriber.on("message", () => switches.push(Date.now()));
        }
        setupSeconds = (Date.now() - started) / 1000;
        for (let n = 0; n < rounds && Date.now() - started < budgetMs; n++) results.push(await round(t, n, switches));
    } finally {
        subscribers.forEach((s) => s.disconnect());
        await t.stop();
    }
    return { rounds: results, setupSeconds, seconds: (Date.now() - started) / 1000 };
}

/** The app user through a deployment's Sentinels, with the host's view of the names they hand out. */
function appThroughSentinels(d: {
    masterName: string;
    sentinels: Array<{ address: string }>;
    password: string;
    natMap: Record<string, { host: string; port: number }>;
}): RedisOptions {
    return {
        name: d.masterName,
        sentinels: d.sentinels.map((s) => ({ host: s.address, port: 26379 })),
        username: "app",
        password: d.password,
        sentinelUsername: "app",
        sentinelPassword: d.password,
        natMap: d.natMap,
    };
}

/** DockerRedis `{ replicas: 3, sentinel }` realised on the engine. Mocks must be installed first. */
export function dockerFailovers(name: string, rounds: number, budgetMs: number): Promise<FailoverRun> {
    return failovers(
        async () => {
            const d = await deployDockerSentinel(name, { replicas: 3, sentinel: { enabled: true, ...FAILOVER_SETTINGS } });
            const admin = (host: string, port: number): RedisOptions => ({ host, port, username: "admin", password: d.adminPassword });
            // natMap maps `<alias>:<port>` of every server and Sentinel to its address.
            const redisPort = Object.values(d.natMap).find((a) => a.host === d.servers[0].address)?.port ?? 6379;
            return {
                masterName: d.masterName,
                servers: d.servers.map((s) => ({
                    is: (alias) => alias === s.alias,
                    admin: admin(s.address, redisPort),
                    kill: () => s.container.kill({ signal: "SIGKILL" }),
                    restart: async () => {
                        // A SIGKILL from `docker kill` is a manual stop: the restart policy leaves it down.
                        if (!(await s.container.inspect()).State.Running) await s.container.start();
                        await waitHealthy(s.container, 60_000);
                    },
                })),
                app: appThroughSentinels(d),
                sentinelAdmins: d.sentinels.map((s) => admin(s.address, 26379)),
                stop: () => d.stop(),
            };
        },
        rounds,
        budgetMs,
    );
}

/**
 * KubernetesRedis `{ replicas: 3, sentinel }`: both StatefulSets' pods realised on the engine, each in
 * its pause container's network namespace. A killed pod is restarted as the kubelet would. Mocks
 * must be installed first.
 */
export function kubernetesFailovers(name: string, rounds: number, budgetMs: number): Promise<FailoverRun> {
    return failovers(
        async () => {
            const d = await deployKubernetesSentinel(name, { replicas: 3, sentinel: { enabled: true, ...FAILOVER_SETTINGS } });
            const admin = (host: string, port: number): RedisOptions => ({ host, port, username: "admin", password: d.adminPassword });
            return {
                masterName: d.masterName,
                servers: d.servers.map((pod) => ({
                    is: (host) => host === pod.dnsName,
                    admin: admin(pod.address, 6379),
                    kill: () => pod.container.kill({ signal: "SIGKILL" }),
                    restart: async () => {
                        if (!(await pod.container.inspect()).State.Running) await pod.restart();
                        // Ready as the kubelet sees it: the readiness probe passes.
                        await within(`pod ${pod.name} ready`, 60_000, async () => ((await pod.probe("readinessProbe")) ? true : undefined));
                    },
                })),
                app: appThroughSentinels(d),
                sentinelAdmins: d.sentinels.map((s) => admin(s.address, 26379)),
                stop: () => d.stop(),
            };
        },
        rounds,
        budgetMs,
    );
}

/** The same with local processes from the rendered configs (startLocalSentinelTopology). */
export function localFailovers(rounds: number, budgetMs: number): Promise<FailoverRun> {
    return failovers(
        async () => {
            const t = await startLocalSentinelTopology({ replicas: 2, sentinels: 3, ...FAILOVER_SETTINGS });
            const adminPassword = String(t.adminOptions.password);
            // The harness's handles only kill what it launched; a relaunched server is ours to kill and stop.
            const relaunched = new Map<number, { kill(): Promise<void>; stop(): Promise<void> }>();
            const configs = t.servers.map((s, i) => join(s.dataDir, "..", "usr/local/etc/redis", i === 0 ? "redis.conf" : "replica.conf"));
            // As rendered. Sentinel's CONFIG REWRITE rewrites these files here (the containers' are read-only), and
            // rewriting replica.conf, which includes redis.conf, repeats its `user` lines: Redis then refuses to start.
            const rendered = await Promise.all(configs.map((file) => readFile(file, "utf8")));
            return {
                masterName: t.masterName,
                servers: t.servers.map((s, index) => ({
                    is: (_host, port) => port === s.port,
                    admin: { host: "127.0.0.1", port: s.port, username: "admin", password: adminPassword },
                    kill: () => (relaunched.get(index) ?? s).kill(),
                    restart: async () => {
                        // From its rendered config, as a container restarts.
                        await writeFile(configs[index], rendered[index], { mode: 0o600 });
                        relaunched.set(index, await launchRedis(["redis-server", configs[index]], s.port));
                    },
                })),
                app: { ...t.appOptions },
                sentinelAdmins: t.sentinels.map((s) => ({ host: "127.0.0.1", port: s.port, username: "admin", password: adminPassword })),
                stop: async () => {
                    for (const p of relaunched.values()) await p.stop();
                    await t.stop();
                },
            };
        },
        rounds,
        budgetMs,
    );
}
