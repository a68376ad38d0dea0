// Every figure `npm run bench` can write into bench/results.json, declared once: its name there,
// its unit, and how it is measured (which decides how it is recorded and compared). Suites record
// through these constants and the report reads through them, so a name is written only here.
// The ratios and goals at the end refer to figures by reference.
import { FAILOVER_GOAL_SECONDS } from "./failover";

export type Unit = "ops/s" | "ms" | "µs" | "s" | "MB" | "writes" | "loads" | "ms/component" | "µs/resource";

/**
 * - `repeated`: runs one after another; the median, min and max of them.
 * - `interleaved`: measured in alternation with others (A B C A B C …), so drift on a shared machine
 *   falls on all of them alike: raw[i] pairs with their raw[i], and a ratio between two is the median
 *   of the per-round ratios.
 * - `percentile`: one percentile of many samples, in the median column; min and max are of all samples.
 */
export type Kind = "repeated" | "interleaved" | "percentile";

export interface Figure<K extends Kind = Kind> {
    /** The key in results.json's `figures`, and the row in the report's table. */
    readonly name: string;
    readonly unit: Unit;
    readonly kind: K;
}

/** p50 and p99 of many samples as two figures (`<name> p50`, `<name> p99`). */
export type Percentiles = {
    readonly p50: Figure<"percentile">;
    readonly p99: Figure<"percentile">;
};

/** Figures as suites hold them: one, or named (possibly nested) groups of them. */
export type FigureGroup = Figure | { readonly [key: string]: FigureGroup | string };

const declared = new Map<string, Figure>();

function figure<K extends Kind>(kind: K, name: string, unit: Unit): Figure<K> {
    if (declared.has(name)) throw new Error(`bench figure "${name}" is declared twice`);
    const f = { name, unit, kind };
    declared.set(name, f);
    return f;
}

const repeated = (name: string, unit: Unit) => figure("repeated", name, unit);
const interleaved = (name: string, unit: Unit) => figure("interleaved", name, unit);
const percentiles = (name: string, unit: Unit): Percentiles => ({
    p50: figure("percentile", `${name} p50`, unit),
    p99: figure("percentile", `${name} p99`, unit),
});

const isFigure = (g: FigureGroup): g is Figure => declared.get(g.name as string) === g;

/** The figures of a group, in declaration order (labels, the strings in a group, are skipped). */
export function figuresOf(group: FigureGroup): Figure[] {
    if (isFigure(group)) return [group];
    return Object.values(group).flatMap((g: FigureGroup | string) => (typeof g === "string" ? [] : figuresOf(g)));
}

/** Every declared figure, in declaration order (the order suites run). */
export function allFigures(): Figure[] {
    return [...declared.values()];
}

const redisBenchmarkSet = (pipeline: number) => `redis-benchmark SET -P ${pipeline} (50 clients)`;
const setInFlight = (server: string) => `SET, 100 in flight: ${server}`;
const CONFIGS = {
    ours: "our config (AOF everysec, maxmemory, LFU)",
    defaults: "Redis defaults (AOF off, no maxmemory)",
    always: "appendfsync always",
} as const;

// 1. The limit: redis-benchmark, the C client.
export const LIMIT = {
    setP1: repeated(redisBenchmarkSet(1), "ops/s"),
    getP1: repeated("redis-benchmark GET -P 1 (50 clients)", "ops/s"),
    setP16: repeated(redisBenchmarkSet(16), "ops/s"),
    getP16: repeated("redis-benchmark GET -P 16 (50 clients)", "ops/s"),
};

// 2. The peer: raw ioredis on one connection.
export const PEER = {
    sequential: repeated("ioredis sequential awaits", "ops/s"),
    inFlight: repeated("ioredis 100 in flight", "ops/s"),
    autoPipelining: repeated("ioredis auto-pipelining (100 in flight)", "ops/s"),
};

/** One way of listing 200,000 keys, as the server times it. */
const keyListing = (label: string) => ({
    blockedMs: interleaved(`${label} on 200,000 keys: server time per call, p99.9`, "ms"),
    tookMs: interleaved(`${label} on 200,000 keys: time to list them all`, "ms"),
});

// 3. Ours: the client helpers.
export const OURS = {
    rawPipelines: interleaved("ioredis explicit pipelines of 100", "ops/s"),
    bulkLoad: interleaved("connect() + pipelineBatches(100), streamed", "ops/s"),
    rawGet: interleaved("raw GET, 100 in flight", "ops/s"),
    cacheAsideHit: interleaved("cacheAside hit, 100 in flight", "ops/s"),
    connectGet: interleaved("GET through connect() (commandTimeout 5 s), 100 in flight", "ops/s"),
    connectGetUncoalesced: interleaved("GET through connect(), coalesceWrites: false, 100 in flight", "ops/s"),
    rawGetOneAtATime: interleaved("raw GET, one at a time", "ops/s"),
    connectGetOneAtATime: interleaved("GET through connect(), one at a time", "ops/s"),
    rawPipelinesBesidePulumi: interleaved("ioredis explicit pipelines of 100, @pulumi/pulumi loaded", "ops/s"),
    bulkLoadBesidePulumi: interleaved("connect() + pipelineBatches(100), streamed, @pulumi/pulumi loaded", "ops/s"),
    rawGetBesideLocalCache: interleaved("raw GET, 100 in flight (beside localCache)", "ops/s"),
    localCacheHit: interleaved("localCache hit, 100 in flight", "ops/s"),
    invalidation: percentiles("localCache invalidation delay, loopback", "ms"),
    lockOneConnection: repeated("withLock acquire+release, one connection", "ops/s"),
    lockContended: repeated("withLock acquire+release, 50 contenders", "ops/s"),
    evalsha: interleaved("rate-limit script by defineScripts (EVALSHA), 100 in flight", "ops/s"),
    eval: interleaved("rate-limit script as EVAL with its source, 100 in flight", "ops/s"),
    keys: keyListing("KEYS listing:*"),
    scan: keyListing("scanKeys (SCAN COUNT 100)"),
};

// 4. Anti-patterns, measured.
export const ANTI_PATTERNS = {
    newConnection: repeated("new connection per command", "ops/s"),
    inFlight: {
        ours: interleaved(setInFlight(CONFIGS.ours), "ops/s"),
        defaults: interleaved(setInFlight(CONFIGS.defaults), "ops/s"),
        always: interleaved(setInFlight(CONFIGS.always), "ops/s"),
    },
    sequential: {
        ours: interleaved(`SET, sequential: ${CONFIGS.ours}`, "ops/s"),
        always: interleaved(`SET, sequential: ${CONFIGS.always}`, "ops/s"),
    },
};

// 5. Stampede.
export const STAMPEDE = {
    loads: repeated("stampede: backend loads for 1,000 concurrent misses", "loads"),
    latency: percentiles("stampede: caller latency", "ms"),
};

// 6. Memory of a client process.
export const MEMORY = {
    rss: repeated("client process RSS after a 100k-key bulk load", "MB"),
};

// 7. The floor.
export const FLOOR = {
    intrinsicLatency: repeated("intrinsic latency of this machine (worst, 1 s runs)", "µs"),
    ping: repeated("PING round trip, local redis-server", "µs"),
};

/** Both sides of the TLS comparison: a figure each, `<what>: plaintext` and `<what>: TLS`. */
const tlsSides = (what: string, unit: Unit) => ({
    plaintext: interleaved(`${what}: plaintext`, unit),
    tls: interleaved(`${what}: TLS`, unit),
});
const startUp = (how: string) => interleaved(`new Redis to first PING reply: ${how}`, "ms");

// 8. TLS against plaintext.
export const TLS = {
    sequential: tlsSides("SET/GET sequential awaits", "ops/s"),
    pipelines: tlsSides("SET/GET pipelines of 100", "ops/s"),
    startUp: {
        plaintext: startUp("plaintext"),
        full: startUp("TLS, full handshake"),
        resumed: startUp("TLS, session resumed"),
    },
    redisBenchmark: { p1: tlsSides(redisBenchmarkSet(1), "ops/s"), p16: tlsSides(redisBenchmarkSet(16), "ops/s") },
};

// 9. Provisioning cost.
export const PROVISIONING = {
    docker: repeated("construct DockerRedis under mocks", "ms/component"),
    kubernetes: repeated("construct KubernetesRedis under mocks", "ms/component"),
};

const packCost = (pack: string) => ({
    analyzeUnrelated: interleaved(`${pack}: Analyze, unrelated resources`, "µs/resource"),
    analyzeRedis: interleaved(`${pack}: Analyze, Redis resources`, "µs/resource"),
    analyzeStack: interleaved(`${pack}: AnalyzeStack, 1,000 resources`, "µs/resource"),
});

// 10. What the engine pays for redis-guard.
export const POLICY = {
    redisGuard: packCost("redis-guard"),
    noop: packCost("no-op pack"),
};

const configChange = (platform: string) => ({
    longestGap: repeated(`config change on ${platform}: longest write gap`, "ms"),
    failedWrites: repeated(`config change on ${platform}: failed writes (one every 5 ms)`, "writes"),
});

// 11. The container, and a config change on Docker and on Kubernetes.
export const DOCKER = {
    createToHealthy: repeated("DockerRedis realised: create to healthy", "s"),
    ping: repeated("PING round trip, container on its internal network", "µs"),
    setInFlight: repeated(setInFlight("container"), "ops/s"),
    invalidation: percentiles("localCache invalidation delay, container", "ms"),
    configChange: {
        docker: configChange("Docker (container replaced)"),
        kubernetes: configChange("Kubernetes (pod 0 rolled)"),
    },
};

/** The figures of Sentinel failovers on one platform, one raw value per round. */
const failoverOn = (platform: string) => {
    const at = (what: string, unit: Unit) => repeated(`failover on ${platform}: ${what}`, unit);
    return {
        platform,
        switchMaster: at("SIGKILL to +switch-master", "s"),
        firstPlainWrite: at("SIGKILL to first plain write", "s"),
        firstConfirmedWrite: at("SIGKILL to first WAIT-confirmed write", "s"),
        plainAcknowledged: at("plain writes acknowledged per round", "writes"),
        plainLost: at("plain writes lost", "writes"),
        confirmedAcknowledged: at("WAIT-confirmed writes per round", "writes"),
        confirmedLost: at("WAIT-confirmed writes lost", "writes"),
        rejoin: at("restart to rejoined as replica", "s"),
    };
};
export type FailoverFigures = ReturnType<typeof failoverOn>;

// 12. Sentinel failover.
export const FAILOVER = {
    docker: failoverOn("Docker"),
    kubernetes: failoverOn("Kubernetes (pods realised on the engine)"),
    // For comparison: the same rendered configs as processes.
    local: failoverOn("local processes"),
};

/**
 * The figures of a change that restarts every server of a Sentinel topology on one platform (a roll,
 * or a credential rotation as the platform delivers it), with and without the handover, alternated.
 */
const handoverOn = (change: "roll" | "rotation", platform: string) => {
    const at = (what: string, unit: Unit) => interleaved(`${change} on ${platform}: ${what}`, unit);
    return {
        change,
        platform,
        gapWith: at("longest gap between WAIT-confirmed writes, primary handing over", "s"),
        gapWithout: at("longest gap between WAIT-confirmed writes, primary stopped by SIGTERM alone", "s"),
        failedWith: at("writes failed or unconfirmed, primary handing over", "writes"),
        failedWithout: at("writes failed or unconfirmed, primary stopped by SIGTERM alone", "writes"),
    };
};
export type HandoverFigures = ReturnType<typeof handoverOn>;

// 13. Every server restarted with Sentinel: a roll of the Docker containers one at a time, and a
// credential rotation on each platform (Kubernetes rolls the StatefulSets; Docker replaces every
// container at once): the handover against SIGTERM alone.
export const HANDOVER = {
    dockerRoll: handoverOn("roll", "Docker"),
    dockerRotation: handoverOn("rotation", "Docker"),
    kubernetesRotation: handoverOn("rotation", "Kubernetes (pods realised on the engine)"),
};

export type Relation = "≥" | "≤" | "=";

/** What a row of the ratio table reads from the recorded figures. */
export type Reading =
    /** a / b: for two interleaved figures, the median of the per-round ratios; otherwise the ratio of the medians. */
    | { ratio: readonly [Figure, Figure] }
    | { median: Figure }
    | { max: Figure }
    /** The sum of every raw value (for a count per round: the count over all rounds). */
    | { total: Figure };

export interface Ratio {
    /** The key in results.json's `ratios`. */
    readonly name: string;
    readonly reading: Reading;
    readonly goal?: number;
    /** How the value must compare with the goal: ≥ unless given. */
    readonly relation: Relation;
}

const ratio = (name: string, a: Figure, b: Figure, goal?: number, relation: Relation = "≥"): Ratio => ({
    name,
    reading: { ratio: [a, b] },
    goal,
    relation,
});

/** Issue #13: a writable primary within downAfterMilliseconds + 5 s, and no WAIT-confirmed write lost. */
const failoverGoals = ({ platform, firstPlainWrite, confirmedLost }: FailoverFigures): Ratio[] => [
    {
        name: `failover on ${platform}: SIGKILL to first write, median (s)`,
        reading: { median: firstPlainWrite },
        goal: FAILOVER_GOAL_SECONDS,
        relation: "≤",
    },
    {
        name: `failover on ${platform}: SIGKILL to first write, max (s)`,
        reading: { max: firstPlainWrite },
        goal: FAILOVER_GOAL_SECONDS,
        relation: "≤",
    },
    { name: `failover on ${platform}: WAIT-confirmed writes lost, all rounds`, reading: { total: confirmedLost }, goal: 0, relation: "=" },
];

/** The ratio table, in the order of results.json's `ratios`. */
export const RATIOS: readonly Ratio[] = [
    ratio("ours bulk load / redis-benchmark SET -P 16", OURS.bulkLoad, LIMIT.setP16, 0.25),
    ratio("ours bulk load / raw ioredis pipelines of 100", OURS.bulkLoad, OURS.rawPipelines, 0.95),
    ratio(
        "ours bulk load / raw ioredis pipelines of 100, in a process that loaded @pulumi/pulumi",
        OURS.bulkLoadBesidePulumi,
        OURS.rawPipelinesBesidePulumi,
    ),
    ratio(
        "redis-guard / no-op pack, Analyze on unrelated resources",
        POLICY.redisGuard.analyzeUnrelated,
        POLICY.noop.analyzeUnrelated,
        2,
        "≤",
    ),
    ratio("redis-guard / no-op pack, Analyze on Redis resources", POLICY.redisGuard.analyzeRedis, POLICY.noop.analyzeRedis),
    ratio("redis-guard / no-op pack, AnalyzeStack", POLICY.redisGuard.analyzeStack, POLICY.noop.analyzeStack),
    ratio("EVALSHA (defineScripts) / EVAL with the source, rate-limit script", OURS.evalsha, OURS.eval),
    ratio("KEYS / SCAN: server time per call, p99.9, 200,000 keys", OURS.keys.blockedMs, OURS.scan.blockedMs),
    ratio("cacheAside hit / raw GET", OURS.cacheAsideHit, OURS.rawGet, 0.8),
    ratio("connect() GET / raw GET", OURS.connectGet, OURS.rawGet, 0.95),
    ratio("connect() GET, writes not coalesced / raw GET", OURS.connectGetUncoalesced, OURS.rawGet),
    ratio("connect() GET / raw GET, one at a time", OURS.connectGetOneAtATime, OURS.rawGetOneAtATime, 0.95),
    ratio("localCache hit / raw GET", OURS.localCacheHit, OURS.rawGetBesideLocalCache, 20),
    ratio("our config / Redis defaults (writes)", ANTI_PATTERNS.inFlight.ours, ANTI_PATTERNS.inFlight.defaults, 0.9),
    ratio("appendfsync always / everysec (sequential writes)", ANTI_PATTERNS.sequential.always, ANTI_PATTERNS.sequential.ours),
    ratio("appendfsync always / everysec (100 writes in flight)", ANTI_PATTERNS.inFlight.always, ANTI_PATTERNS.inFlight.ours),
    ratio("new connection per command / reused, sequential", ANTI_PATTERNS.newConnection, PEER.sequential),
    ratio("sequential / pipelined", PEER.sequential, OURS.rawPipelines),
    ratio("container / local (writes, 100 in flight)", DOCKER.setInFlight, ANTI_PATTERNS.inFlight.ours),
    ratio("TLS / plaintext, sequential SET/GET", TLS.sequential.tls, TLS.sequential.plaintext),
    ratio("TLS / plaintext, SET/GET pipelines of 100", TLS.pipelines.tls, TLS.pipelines.plaintext),
    ratio("TLS full handshake / plaintext, start-up time", TLS.startUp.full, TLS.startUp.plaintext),
    ratio("TLS session resumed / plaintext, start-up time", TLS.startUp.resumed, TLS.startUp.plaintext),
    ratio("TLS / plaintext, redis-benchmark SET -P 1", TLS.redisBenchmark.p1.tls, TLS.redisBenchmark.p1.plaintext),
    ratio("TLS / plaintext, redis-benchmark SET -P 16", TLS.redisBenchmark.p16.tls, TLS.redisBenchmark.p16.plaintext),
    { name: "stampede backend loads (goal 1)", reading: { median: STAMPEDE.loads }, goal: 1, relation: "=" },
    ...failoverGoals(FAILOVER.docker),
    ...failoverGoals(FAILOVER.local),
    ...Object.values(HANDOVER).map((h) =>
        ratio(`${h.change} on ${h.platform}: longest write gap, SIGTERM alone / handing over`, h.gapWithout, h.gapWith),
    ),
];
