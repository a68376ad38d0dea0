// Stack-wide view of Redis: which containers and pods run it, and the settings they start
// with, resolving config files delivered by Docker uploads or Kubernetes ConfigMaps/Secrets.
import type { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { sentinelStartFiles } from "../shared/sentinelStart";
import { serverStartFiles } from "../shared/serverStart";
import { known, knownItems, knownString, UNKNOWN, type Known } from "./known";
import { redisSettings, startupConfig, type RedisSettings } from "./redisConf";
import {
    containersOf,
    isRedisDockerContainer,
    isRedisImage,
    isRedisK8sContainer,
    podSpecOf,
    POD_TYPES,
    redisInvocations,
    redisProgram,
    runsNoRedis,
    withImageEntrypoint,
    type RedisInvocation,
} from "./recognise";
import { ABSOLUTE_PATH } from "../shared/syntax";
import { CONTAINER_TYPE, dockerImageResolver } from "./dockerContainers";

export interface RedisWorkload {
    platform: "docker" | "kubernetes";
    resource: PolicyResource;
    /** Arguments of the invocation judged: after `redis-server` or `redis-sentinel` (empty when the image's default command runs). */
    args: string[];
    /**
     * Whether it runs a Sentinel rather than a Redis server: every way its command starts Redis is a
     * Sentinel. A script that may start either is judged as the server it may start.
     */
    sentinel: boolean;
    /**
     * Every way its command may start Redis, in order (a script may pick one, e.g. a primary's and a
     * replica's config); one without arguments when it names none.
     */
    invocations: RedisInvocation[];
    /** Whether the whole command is known; when it is not, `args` and `invocations` hold only its known words. */
    argvKnown: boolean;
    /**
     * The config file's text with its includes in place; undefined when none is used, UNKNOWN when it
     * (or a file it includes) cannot be read at this point.
     */
    config: Known<string | undefined>;
    /** The container (Docker) or pod container (Kubernetes) properties. */
    container: unknown;
    /** Reads another file the container sees (an `aclfile`), as the config file is read. */
    readFile(path: string): Known<string | undefined>;
    /**
     * Files it was asked for (its config, the files that includes, its aclfile) that no resource of
     * the stack delivers, with every value that could tell known: baked into the image, or mounted
     * from something outside the stack. Filled as files are read.
     */
    unseenFiles: ReadonlySet<string>;
}

/** Where a file reader notes a file that no resource of the stack delivers (known for certain, not merely unknown yet). */
type Unseen = (path: string) => void;

/** Whether every upload of a Docker container names its file, and every volume its name and path: then a file none delivers is none's. */
function dockerFilesKnown(container: any): boolean {
    const uploads = knownItems<any>(() => container.uploads);
    const volumes = knownItems<any>(() => container.volumes);
    return (
        uploads.complete &&
        uploads.items.every((u) => knownString(() => u.file) !== undefined) &&
        volumes.complete &&
        volumes.items.every((v) => known(() => v.containerPath as unknown) !== UNKNOWN && known(() => v.volumeName as unknown) !== UNKNOWN)
    );
}

function uploadedContent(container: any, path: string): Known<string | undefined> {
    for (const upload of knownItems<any>(() => container.uploads).items) {
        if (knownString(() => upload.file) !== path) continue;
        const content = known(() => upload.content as unknown);
        if (content === UNKNOWN || typeof content === "string") return content;
        const base64 = knownString(() => upload.contentBase64);
        return base64 === undefined ? UNKNOWN : Buffer.from(base64, "base64").toString("utf8");
    }
    return undefined;
}

/** Named-volume mounts of a container: volume name and where it is mounted. */
function volumeMounts(container: any): Array<{ volume: string; path: string }> {
    return knownItems<any>(() => container.volumes)
        .items.map((v) => ({ volume: knownString(() => v.volumeName), path: knownString(() => v.containerPath) }))
        .filter((m): m is { volume: string; path: string } => m.volume !== undefined && m.path !== undefined);
}

/** A file a Docker container sees, from its uploads or another container's uploads into a shared volume. */
function dockerFile(resources: PolicyResource[], container: any, path: string, unseen: Unseen): Known<string | undefined> {
    const own = uploadedContent(container, path);
    if (own !== undefined) return own;
    // Uploaded by another container into a volume both mount (Docker refuses uploads into a
    // read-only root filesystem, so hardened setups write the config through a helper).
    const mount = volumeMounts(container).find((m) => path.startsWith(`${m.path}/`));
    const others = resources.filter((r) => r.type === CONTAINER_TYPE && r.props !== container);
    if (mount) {
        const relative = path.slice(mount.path.length);
        for (const other of others) {
            for (const m of volumeMounts(other.props).filter((m) => m.volume === mount.volume)) {
                const content = uploadedContent(other.props, `${m.path}${relative}`);
                if (content !== undefined) return content;
            }
        }
    }
    // Baked into the image or written some other way: not readable from here.
    if (dockerFilesKnown(container) && (!mount || others.every((o) => dockerFilesKnown(o.props)))) unseen(path);
    return UNKNOWN;
}

/** A ConfigMap or Secret a volume shows files of. */
interface VolumeSource {
    kind: "ConfigMap" | "Secret";
    name: string;
    items: unknown;
}

/**
 * The ConfigMaps and Secrets behind a volume, in order: one for a configMap or secret volume,
 * several for a projected one (e.g. a config Secret and a kubernetes.io/tls Secret in one
 * directory). UNKNOWN when that cannot be told at this point.
 */
function volumeSources(volume: any): Known<VolumeSource[]> {
    // A plain volume names its Secret `secretName`; a projected source names it `name`.
    const sourceOf = (v: any, secretName: "secretName" | "name") =>
        known(() =>
            v.configMap
                ? { kind: "ConfigMap", name: v.configMap.name, items: v.configMap.items }
                : v.secret
                  ? { kind: "Secret", name: v.secret[secretName], items: v.secret.items }
                  : undefined,
        ) as Known<VolumeSource | undefined>;
    const single = sourceOf(volume, "secretName");
    if (single === UNKNOWN) return UNKNOWN;
    if (single !== undefined) return [single];
    const projected = knownItems<any>(() => volume.projected?.sources);
    if (!projected.complete) return UNKNOWN;
    const sources: VolumeSource[] = [];
    for (const p of projected.items) {
        // Other sources (downwardAPI, serviceAccountToken…) hold no Redis config.
        const source = sourceOf(p, "name");
        if (source === UNKNOWN) return UNKNOWN;
        if (source !== undefined) sources.push(source);
    }
    return sources;
}

/** A file of one volume source: its text, undefined when the source does not hold it, UNKNOWN when that cannot be told. */
function sourceFile(
    resources: PolicyResource[],
    namespace: Known<string | undefined>,
    source: VolumeSource,
    fileName: string,
    outside: () => void,
): Known<string | undefined> {
    // With items, only the listed keys appear, at their paths.
    const items = knownItems<any>(() => source.items as unknown[] | undefined);
    let key: string | undefined = fileName;
    if (items.items.length > 0 || !items.complete) {
        const item = items.items.find((i) => knownString(() => i.path) === fileName);
        if (!item) return items.complete ? undefined : UNKNOWN;
        key = knownString(() => item.key);
    }
    const holder = resources.find((r) => {
        if (r.type !== `kubernetes:core/v1:${source.kind}`) return false;
        const props = r.props as any;
        const ns = known(() => props.metadata?.namespace as string | undefined);
        return knownString(() => props.metadata?.name) === source.name && (ns === namespace || ns === UNKNOWN || namespace === UNKNOWN);
    });
    if (!holder && namespace !== UNKNOWN && namesKnown(resources, `kubernetes:core/v1:${source.kind}`)) outside();
    if (!holder || key === undefined) return UNKNOWN;
    const props = holder.props as any;
    // Where each kind keeps a file, in the order Kubernetes reads them, and whether it is base64:
    // a Secret's stringData (text) over its data; a ConfigMap's data (text) or binaryData.
    const fields: Array<[string, boolean]> =
        source.kind === "Secret"
            ? [
                  ["stringData", false],
                  ["data", true],
              ]
            : [
                  ["data", false],
                  ["binaryData", true],
              ];
    for (const [field, base64] of fields) {
        const text = known(() => props[field]?.[key] as unknown);
        if (text === UNKNOWN) return UNKNOWN;
        if (typeof text === "string") return base64 ? Buffer.from(text, "base64").toString("utf8") : text;
    }
    return undefined;
}

/** Whether every resource of the type in the stack has a known name and namespace: then one not found is not in the stack. */
function namesKnown(resources: PolicyResource[], type: string): boolean {
    return resources
        .filter((r) => r.type === type)
        .every((r) => {
            const metadata = known(() => (r.props as any).metadata as unknown);
            return (
                metadata !== UNKNOWN &&
                known(() => (r.props as any).metadata?.name as unknown) !== UNKNOWN &&
                known(() => (r.props as any).metadata?.namespace as unknown) !== UNKNOWN
            );
        });
}

/** A file a Kubernetes container sees, from the ConfigMaps and Secrets mounted at its directory. */
function k8sFile(
    resources: PolicyResource[],
    namespace: Known<string | undefined>,
    spec: any,
    container: any,
    path: string,
    unseen: Unseen,
): Known<string | undefined> {
    const mounts = knownItems<any>(() => container.volumeMounts);
    const mount = mounts.items
        .map((m) => ({
            name: knownString(() => m.name),
            mountPath: knownString(() => m.mountPath),
            subPath: known(() => m.subPath as unknown),
        }))
        .filter((m) => m.mountPath !== undefined && (path === m.mountPath || path.startsWith(`${m.mountPath}/`)))
        // The deepest mount is what the container sees there (a subPath file over a directory).
        .sort((a, b) => (b.mountPath ?? "").length - (a.mountPath ?? "").length)[0];
    // A mount not known yet may be the deepest one over the file.
    if (!mounts.complete || mounts.items.some((m) => known(() => m.mountPath as unknown) === UNKNOWN)) return UNKNOWN;
    if (!mount) {
        // In the image: no volume covers it.
        unseen(path);
        return UNKNOWN;
    }
    const volume = knownItems<any>(() => spec.volumes).items.find((v) => knownString(() => v.name) === mount.name);
    if (!volume) return UNKNOWN;
    const sources = volumeSources(volume);
    if (sources === UNKNOWN) return UNKNOWN;
    // Which file of the volume a subPath mount shows cannot be told while the subPath is unknown.
    if (mount.subPath === UNKNOWN) return UNKNOWN;
    const fileName = typeof mount.subPath === "string" ? mount.subPath : path.slice((mount.mountPath ?? "").length + 1);
    // In a projected volume a later source's file replaces an earlier one's.
    for (const source of [...sources].reverse()) {
        let fromOutside = false;
        const text = sourceFile(resources, namespace, source, fileName, () => (fromOutside = true));
        // A ConfigMap or Secret of another stack (or made by hand) may hold it: delivered from outside.
        if (fromOutside) unseen(path);
        if (text !== undefined) return text;
    }
    // No source here holds it: written some other way, not readable from here.
    unseen(path);
    return UNKNOWN;
}

/** The known words of a command assembled from lists (entrypoints and command, or command and args). */
function argvOf(...reads: Array<() => unknown>): { argv: string[]; complete: boolean } {
    const lists = reads.map((read) => knownItems(read as () => unknown[] | undefined));
    return {
        argv: lists.flatMap((l) => l.items.filter((s): s is string => typeof s === "string")),
        complete: lists.every((l) => l.complete),
    };
}

/**
 * The argv a container runs: its entrypoint (`head`: Docker entrypoints, Kubernetes command) and
 * command (`tail`). With no entrypoint of its own the image's runs, which in the official image
 * turns `--flag …` or `x.conf` into `redis-server --flag …`.
 */
function runArgv(head: () => unknown, tail: () => unknown, image: string | undefined): { argv: string[]; complete: boolean } {
    const entry = argvOf(head);
    const rest = argvOf(tail);
    const complete = entry.complete && rest.complete;
    return {
        argv: entry.argv.length === 0 && entry.complete ? withImageEntrypoint(rest.argv, image) : [...entry.argv, ...rest.argv],
        complete,
    };
}

/** A word a copy step may hold: no quotes, variables, globs, redirections or separators. */
const PLAIN_WORD = /^[A-Za-z0-9_./:@%+=,-]+$/;

/**
 * The files a container's shell copies before it starts Redis, destination to source, in the one
 * narrow form hardened-redis uses to start Sentinel from a private, writable copy of its uploaded
 * config: `sh -c "[umask 077 &&] cat A > B && exec redis-server B --sentinel"` (or `cp A B`). The
 * script must be `&&`-joined steps of plain words (a failed copy then starts nothing), each step
 * before the last a `umask` or a copy between absolute paths, the last one starting Redis, and no
 * file both copied to and from. Anything else (another step that could touch B, `;`, `>>`, pipes,
 * variables, quotes, newlines) follows nothing: B is then read as any other file, usually unknown.
 * The exceptions are the exact scripts hardened-redis starts Sentinel with (`sentinelStartScript`),
 * which rebuilds B from A and carries over only lines recording what Sentinel learnt, and a Sentinel
 * topology's servers with (`serverStartScript`), which copies A to B and adds a `replicaof` line.
 */
export function copiedFiles(argv: string[]): Map<string, string> {
    const none = new Map<string, string>();
    if (argv.length !== 3 || !/^(\/usr)?(\/bin\/)?(sh|bash|ash|dash)$/.test(argv[0]) || argv[1] !== "-c") return none;
    const started = sentinelStartFiles(argv[2]) ?? serverStartFiles(argv[2]);
    if (started) return new Map([[started.config, started.rendered]]);
    if (/[\n\r]/.test(argv[2])) return none;
    const steps = argv[2]
        .trim()
        .split(/\s+&&\s+/)
        .map((step) => step.split(/\s+/));
    const start = steps.pop() ?? [];
    if (!start.every((word) => PLAIN_WORD.test(word))) return none;
    if (!redisProgram(start[0] === "exec" ? (start[1] ?? "") : start[0])) return none;
    const copies = new Map<string, string>();
    for (const step of steps) {
        if (!step.every((word) => PLAIN_WORD.test(word) || word === ">")) return none;
        if (step.length === 2 && step[0] === "umask" && /^[0-7]{3,4}$/.test(step[1])) continue;
        const [from, to] =
            step.length === 4 && step[0] === "cat" && step[2] === ">"
                ? [step[1], step[3]]
                : step.length === 3 && step[0] === "cp"
                  ? [step[1], step[2]]
                  : [];
        if (from === undefined || to === undefined || !ABSOLUTE_PATH.test(from) || !ABSOLUTE_PATH.test(to) || copies.has(to)) return none;
        copies.set(to, from);
    }
    // `cat A > A` empties A; a file copied both ways is a chain this does not follow.
    const sources = new Set(copies.values());
    return [...copies.keys()].some((to) => sources.has(to)) ? none : copies;
}

/** A workload from a container's argv and a reader of the files it sees. */
function workload(
    platform: RedisWorkload["platform"],
    resource: PolicyResource,
    container: unknown,
    { argv, complete }: { argv: string[]; complete: boolean },
    fileOf: (path: string, unseen: Unseen) => Known<string | undefined>,
): RedisWorkload {
    const found = redisInvocations(argv);
    const invocations = found.length > 0 ? found : [{ args: [], sentinel: false }];
    const sentinel = invocations.every((i) => i.sentinel);
    const judged = invocations.find((i) => i.sentinel === sentinel) ?? invocations[0];
    const copies = copiedFiles(argv);
    const unseenFiles = new Set<string>();
    const readFile = (path: string) => fileOf(copies.get(path) ?? path, (file) => unseenFiles.add(file));
    const config = startupConfig(judged.args, readFile);
    return {
        platform,
        resource,
        args: judged.args,
        sentinel,
        invocations,
        argvKnown: complete,
        config,
        container,
        readFile,
        unseenFiles,
    };
}

/**
 * Every container in the stack that runs Redis (a server or a Sentinel), with how it starts. A
 * container whose known command runs no Redis (e.g. `sleep`, holding a network namespace for
 * one) is none, whatever its image, labels or ports.
 */
export function redisWorkloads(resources: PolicyResource[]): RedisWorkload[] {
    const imageOf = dockerImageResolver(resources);
    const workloads: RedisWorkload[] = [];
    for (const resource of resources) {
        const props = resource.props as any;
        const image = resource.type === CONTAINER_TYPE ? imageOf(resource) : undefined;
        if (resource.type === CONTAINER_TYPE && isRedisDockerContainer(props, image)) {
            const run = runArgv(
                () => props.entrypoints,
                () => props.command,
                image,
            );
            // Unknown counts as Redis's: an exporter is let off only when its image is known not to be one.
            const redisImage = image === undefined || isRedisImage(image);
            if (runsNoRedis(run.argv, run.complete, redisImage)) continue;
            workloads.push(workload("docker", resource, props, run, (path, unseen) => dockerFile(resources, props, path, unseen)));
        } else if (POD_TYPES.has(resource.type)) {
            const spec = podSpecOf(resource.type, props);
            const namespace = known(() => props.metadata?.namespace as string | undefined);
            for (const container of containersOf(spec).filter(isRedisK8sContainer)) {
                const image = knownString(() => container.image as string | undefined);
                const run = runArgv(
                    () => container.command,
                    () => container.args,
                    image,
                );
                if (runsNoRedis(run.argv, run.complete, image === undefined || isRedisImage(image))) continue;
                workloads.push(
                    workload("kubernetes", resource, container, run, (path, unseen) =>
                        k8sFile(resources, namespace, spec, container, path, unseen),
                    ),
                );
            }
        }
    }
    return workloads;
}

/**
 * The stack's Redis workloads that the policy's `exemptResources` does not exempt, with the
 * settings each starts with. When the config file cannot be read, or the command is not known in
 * full (so which file, if any, is not either), `fileKnown` is false and the settings hold only
 * what the known arguments set.
 */
export function checkedWorkloads(args: StackValidationArgs): Array<RedisWorkload & { settings: RedisSettings; fileKnown: boolean }> {
    return redisWorkloads(args.resources).map((w) => {
        const settings = redisSettings(w.config === UNKNOWN ? undefined : w.config, w.args);
        // With an aclfile, Redis takes its users from that file (and refuses user lines in redis.conf).
        const aclPath = settings.directives.get("aclfile")?.[0];
        const acl = aclPath === undefined ? undefined : w.readFile(aclPath);
        if (typeof acl === "string") {
            settings.users = redisSettings(acl, []).users;
            settings.aclFileRead = true;
        }
        return { ...w, fileKnown: w.argvKnown && w.config !== UNKNOWN, settings };
    });
}
