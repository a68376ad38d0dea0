// Recognising Redis in resources written by hand or by hardened-redis: by image, command, port or
// labels, and the argv it starts with. Everything here reads element by element through `known`.
import { REDIS_PORT, SENTINEL_PORT } from "../shared/ports";
import { known, knownItems, knownLabels, knownString, UNKNOWN, type Known } from "./known";

/**
 * Image repositories (the last part of the name) that run Redis or a server taking the same
 * clients, commands and attacks: Redis and its distributions, and the forks and rewrites that speak
 * its protocol on its port. `redis`, `redis:7-alpine`, `docker.io/library/redis@sha256:…`,
 * `bitnami/redis-sentinel:7.2`, `valkey/valkey:8`, `eqalpha/keydb`, `docker.dragonflydb.io/dragonflydb/dragonfly`.
 */
export const REDIS_IMAGE_REPOSITORIES: readonly string[] = [
    "redis",
    "redis-sentinel",
    "redis-cluster",
    "redis-stack",
    "redis-stack-server",
    "valkey",
    "valkey-sentinel",
    "valkey-cluster",
    "keydb",
    "dragonfly",
    // Redis with modules (Redis Ltd's older images and Valkey's bundle), and other servers of the protocol.
    "valkey-bundle",
    "redismod",
    "redisearch",
    "rejson",
    "redistimeseries",
    "rebloom",
    "falkordb",
    "kvrocks",
    "garnet",
    // Chainguard's Redis images.
    "redis-server",
    "redis-server-bitnami",
    "redis-sentinel-bitnami",
];

const REDIS_IMAGE = new RegExp(`(^|/)(${REDIS_IMAGE_REPOSITORIES.join("|")})(:|@|$)`);

export function isRedisImage(image: string | undefined): boolean {
    return image !== undefined && REDIS_IMAGE.test(image);
}

/** Programs that start such a server (`redis-server`, `valkey-server`, `keydb-server`, `dragonfly`) or a Sentinel. */
export const REDIS_PROGRAMS: readonly string[] = [
    "redis-server",
    "redis-sentinel",
    "valkey-server",
    "valkey-sentinel",
    "keydb-server",
    "keydb-sentinel",
    "dragonfly",
];

/** The program a word starts, by its file name, when it is one of {@link REDIS_PROGRAMS}. */
export function redisProgram(word: string): string | undefined {
    const program = word.slice(word.lastIndexOf("/") + 1);
    return REDIS_PROGRAMS.includes(program) ? program : undefined;
}

type Props = any;

/** Known strings of a list property (command, args…). */
export function strings(read: () => unknown[] | undefined): string[] {
    return knownItems(read as () => unknown[]).items.filter((s): s is string => typeof s === "string");
}

/** One way a command starts Redis: the arguments after the program, and whether it starts a Sentinel. */
export interface RedisInvocation {
    /** The arguments, `--sentinel` left out (Redis takes it as a mode switch, not a directive). */
    args: string[];
    /** Started as `redis-sentinel` or with `--sentinel` among its arguments, as Redis decides (checkForSentinelMode). */
    sentinel: boolean;
}

/** The first way an argv starts Redis (its arguments), or undefined when it starts neither redis-server nor redis-sentinel. */
export function redisServerArgs(argv: string[]): string[] | undefined {
    return redisInvocations(argv)[0]?.args;
}

/**
 * Each `redis-server` or `redis-sentinel` in an argv, in order: one for a plain command, several
 * for a script that picks one (`if …; then exec redis-server a.conf; else exec redis-server b.conf; fi`).
 */
export function redisInvocations(argv: string[]): RedisInvocation[] {
    // `sh -c "… exec redis-server /path …"` hides the argv in one string: split it. Only there can
    // a word be a shell comment.
    const words = argv.flatMap((a) =>
        a.includes(" ") ? a.split(/\s+/).map((word) => ({ word, shell: true })) : [{ word: a, shell: false }],
    );
    const invocations: RedisInvocation[] = [];
    for (let at = 0; at < words.length; at++) {
        const program = redisProgram(words[at].word);
        if (!program) continue;
        // Up to the end of that shell command.
        const args: string[] = [];
        for (at++; at < words.length; at++) {
            const { word, shell } = words[at];
            if (/^(;|&&|\|\||\||&|fi|else)$/.test(word) || (shell && word.startsWith("#"))) break;
            if (word.endsWith(";")) {
                if (word.length > 1) args.push(word.slice(0, -1));
                break;
            }
            args.push(word);
        }
        const sentinel = program.endsWith("-sentinel") || args.includes("--sentinel");
        // Dragonfly takes its flags as `--name=value` (gflags); Redis as `--name value`.
        const flags = program === "dragonfly" ? dragonflyFlags(args) : args;
        invocations.push({ args: flags.filter((a) => a !== "--sentinel"), sentinel });
    }
    return invocations;
}

/**
 * Programs that start no other program: a container whose whole command is one of them runs no
 * Redis, whatever its image (e.g. a network holder, as a Kubernetes pod's pause container, or a
 * one-shot redis-cli).
 */
const NON_REDIS_PROGRAMS: ReadonlySet<string> = new Set([
    "sleep",
    "pause",
    "tail",
    "true",
    "false",
    ...["redis", "valkey", "keydb"].flatMap((server) => [`${server}-cli`, `${server}-benchmark`]),
]);

/**
 * Metrics exporters, which connect to Redis as clients: no Redis image ships one, so one of these
 * run from a Redis image is a Redis under another name, and stays checked.
 */
const EXPORTER_PROGRAMS: ReadonlySet<string> = new Set(["redis_exporter"]);

/**
 * Whether a container's command, known in full, runs no Redis: its program is one that starts no
 * other, so no script or shell that could start redis-server under another spelling. An empty or
 * unknown command runs the image's default, which in a Redis image is redis-server; a script or
 * binary we cannot read may start Redis too. (The official image's entrypoint prepends
 * redis-server only to a first word starting with `-` or ending in `.conf`, which none of these is.)
 * `redisImage`: whether the container's image is a Redis image, where an exporter does not belong.
 */
export function runsNoRedis(argv: string[], complete: boolean, redisImage: boolean): boolean {
    if (!complete || argv.length === 0) return false;
    const program = argv[0].slice(argv[0].lastIndexOf("/") + 1);
    return NON_REDIS_PROGRAMS.has(program) || (!redisImage && EXPORTER_PROGRAMS.has(program));
}

/**
 * The official image's entrypoint (docker-entrypoint.sh) runs `redis-server "$@"` when the first
 * word of the command starts with `-` or ends in `.conf`: the argv that actually runs. Valkey's,
 * KeyDB's and Dragonfly's images do the same with their own server.
 */
export function withImageEntrypoint(command: string[], image?: string): string[] {
    const first = command[0];
    if (first === undefined || !(first.startsWith("-") || first.endsWith(".conf"))) return command;
    const server = /(^|\/)(valkey|keydb|dragonfly)[^/]*(:|@|$)/.exec(image ?? "")?.[2];
    return [server === undefined ? "redis-server" : server === "dragonfly" ? "dragonfly" : `${server}-server`, ...command];
}

/**
 * Dragonfly's flags as Redis's arguments: `--name=value` (gflags) split, underscores in names read
 * as Redis's hyphens, and `--rename_command=CONFIG=NEW` as `--rename-command CONFIG NEW`.
 */
function dragonflyFlags(args: string[]): string[] {
    return args.flatMap((arg) => {
        const flag = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
        if (!flag) return [arg];
        const name = flag[1].replace(/_/g, "-");
        if (flag[2] === undefined) return [`--${name}`];
        if (name === "rename-command") {
            const at = flag[2].indexOf("=");
            return at < 0 ? [`--${name}`, flag[2]] : [`--${name}`, flag[2].slice(0, at), flag[2].slice(at + 1)];
        }
        return [`--${name}`, flag[2]];
    });
}

/**
 * Whether a Docker container runs Redis, by image, command, our labels or its port. `image`: the
 * image by name, when the stack resolves the container's (an image ID) to one.
 */
export function isRedisDockerContainer(c: Props, image: string | undefined = knownString(() => c.image)): boolean {
    // A container created with start: false runs nothing (e.g. one that only receives uploads);
    // whether one with an unknown `start` will run cannot be told, so nothing it would run is judged.
    const start = known(() => c.start as unknown);
    if (start === false || start === UNKNOWN) return false;
    return looksLikeRedisDockerContainer(c, image);
}

/**
 * Whether a Docker container would run Redis once started, by the same signs, started or not: what
 * it is created with (published ports) takes effect on a later `docker start`.
 */
export function looksLikeRedisDockerContainer(c: Props, image: string | undefined = knownString(() => c.image)): boolean {
    if (isRedisImage(image)) return true;
    const argv = [...strings(() => c.entrypoints), ...strings(() => c.command)];
    if (redisServerArgs(argv) !== undefined) return true;
    const labels = knownItems<{ label?: string }>(() => c.labels).items;
    if (labels.some((l) => knownString(() => l.label)?.startsWith("hardened-redis."))) return true;
    const ports = knownItems<{ internal?: number }>(() => c.ports).items;
    return ports.some((p) => known(() => p.internal) === REDIS_PORT);
}

/** Where a Kubernetes workload keeps its pod spec, by kind. */
export function podSpecOf(type: string, props: Props): Props {
    // An unknown pod spec (UNKNOWN) is passed on; containersOf treats it as empty.
    return known<Props>(() => {
        if (type === "kubernetes:core/v1:Pod") return props.spec;
        if (type === "kubernetes:batch/v1:CronJob") return props.spec?.jobTemplate?.spec?.template?.spec;
        if (WORKLOAD_TYPES.has(type)) return props.spec?.template?.spec;
        return undefined;
    });
}

/** Kubernetes kinds whose objects carry a pod template. */
const WORKLOAD_TYPES: ReadonlySet<string> = new Set([
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:core/v1:ReplicationController",
    // Argo Rollouts' Deployment replacement, as Pulumi names its custom resource.
    "kubernetes:argoproj.io/v1alpha1:Rollout",
]);
export const POD_TYPES: ReadonlySet<string> = new Set([...WORKLOAD_TYPES, "kubernetes:core/v1:Pod", "kubernetes:batch/v1:CronJob"]);

/** Containers (and init containers) of a pod spec. */
export function containersOf(spec: Props): Props[] {
    if (spec === undefined || spec === UNKNOWN) return [];
    return [...knownItems<Props>(() => spec.containers).items, ...knownItems<Props>(() => spec.initContainers).items];
}

/** Whether a Kubernetes container runs Redis, by image, command or port. */
export function isRedisK8sContainer(c: Props): boolean {
    if (isRedisImage(knownString(() => c.image))) return true;
    if (redisServerArgs([...strings(() => c.command), ...strings(() => c.args)]) !== undefined) return true;
    return knownItems<Props>(() => c.ports).items.some((p) => known(() => p.containerPort) === REDIS_PORT);
}

/**
 * The Redis containers of a workload, with the labels of its pods: UNKNOWN when the labels are,
 * and UNKNOWN in place of each label value that is.
 */
export function redisPods(
    type: string,
    props: Props,
): { spec: Props; containers: Props[]; labels: Known<Record<string, Known<string>>> } | undefined {
    const spec = podSpecOf(type, props);
    if (!spec) return undefined;
    const containers = containersOf(spec).filter(isRedisK8sContainer);
    if (containers.length === 0) return undefined;
    const labels = knownLabels(() => (type === "kubernetes:core/v1:Pod" ? props.metadata?.labels : props.spec?.template?.metadata?.labels));
    return { spec, containers, labels: labels ?? {} };
}

/** Port names that say Redis or Sentinel: ours, and the Bitnami charts' (`tcp-redis`, `tcp-sentinel`). */
export const PORT_NAMES: Readonly<Record<string, "Redis" | "Sentinel">> = {
    redis: "Redis",
    "tcp-redis": "Redis",
    sentinel: "Sentinel",
    "redis-sentinel": "Sentinel",
    "tcp-sentinel": "Sentinel",
};

/** Whose a port is, by number or name: Redis's (6379, redis, tcp-redis) or Sentinel's (26379, sentinel, …). */
export function portRole(port: unknown): "Redis" | "Sentinel" | undefined {
    if (port === REDIS_PORT) return "Redis";
    if (port === SENTINEL_PORT) return "Sentinel";
    return typeof port === "string" ? PORT_NAMES[port] : undefined;
}

/**
 * What a Service fronts, Redis or its Sentinels, or undefined for neither: by its port, target port
 * or port name, or by selecting Redis-labelled pods. A Sentinel tells every client where the
 * primary is and takes password guesses for its users: exposed, it is as bad as the server.
 */
export function redisServiceRole(spec: any): "Redis" | "Sentinel" | undefined {
    for (const p of knownItems<any>(() => spec?.ports).items) {
        const role =
            portRole(known(() => p.port as unknown)) ??
            portRole(known(() => p.targetPort as unknown)) ??
            portRole(knownString(() => p.name));
        if (role) return role;
    }
    const selector = knownLabels(() => spec?.selector);
    if (selector === UNKNOWN || selector === undefined) return undefined;
    const roles = [selector["app.kubernetes.io/name"], selector.app].map((name) =>
        typeof name === "string" ? APP_NAMES[name] : undefined,
    );
    if (roles.includes("Sentinel")) return "Sentinel";
    if (!roles.includes("Redis")) return undefined;
    return selector["app.kubernetes.io/component"] === "sentinel" ? "Sentinel" : "Redis";
}

/**
 * Pod labels (`app.kubernetes.io/name` or `app`) that say Redis or Sentinel: ours, the Bitnami
 * charts' and the forks'. A Service selecting them fronts that, whatever its ports are called.
 */
export const APP_NAMES: Readonly<Record<string, "Redis" | "Sentinel">> = {
    redis: "Redis",
    valkey: "Redis",
    keydb: "Redis",
    dragonfly: "Redis",
    "redis-sentinel": "Sentinel",
    "valkey-sentinel": "Sentinel",
};
