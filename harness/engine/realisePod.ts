// Realises the pods of every StatefulSet KubernetesRedis declared as containers on the Docker
// engine, doing what the kubelet would: Secret items, plain or projected, written as files (owned
// root:fsGroup, defaultMode) at their mount paths, emptyDir as tmpfs, each claim template as a volume,
// runAsUser/runAsGroup/fsGroup as user and groups, readOnlyRootFilesystem, dropped
// capabilities, no privilege escalation, the memory limit, command as entrypoint and args as
// command (with `$(VAR)` expanded from the container's env, as the kubelet does), each container of
// the pod in the pod's network namespace, exec and httpGet probes. Each pod has an infra ("pause") container holding its network namespace, hostname (the
// pod name) and stable DNS names, as the kubelet's sandbox does, so the pod keeps its address and
// names while its container is stopped or restarted. A field this file does not implement is an error.
import { randomBytes } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type Docker from "dockerode";
import { unwrapSecrets, type RegisteredResource } from "../mocks/pulumiMocks";
import { TEST_LABEL } from "./engine";
import { execIn } from "./exec";
import { addressOn, tarOf } from "./realise";
import { localImageId } from "./standinImage";

type StatefulSet = k8s.types.output.apps.v1.StatefulSet;
type Container = k8s.types.output.core.v1.Container;
type Probe = k8s.types.output.core.v1.Probe;

function onlyHandled(what: string, value: object | undefined, handled: readonly string[]): void {
    const unknown = Object.entries(value ?? {})
        .filter(([k, v]) => v !== undefined && !handled.includes(k))
        .map(([k]) => k);
    if (unknown.length > 0) throw new Error(`realisePod: ${what} field(s) not implemented: ${unknown.join(", ")}`);
}

type EnvVar = k8s.types.output.core.v1.EnvVar;

/** The container's environment as the kubelet sets it: literal values, and pod fields from the downward API. */
function environment(env: EnvVar[] | undefined, fields: Record<string, string>): string[] | undefined {
    return env?.map((e) => {
        onlyHandled("env", e, ["name", "value", "valueFrom"]);
        if (e.valueFrom === undefined) return `${e.name}=${e.value ?? ""}`;
        onlyHandled("env valueFrom", e.valueFrom, ["fieldRef"]);
        const value = fields[e.valueFrom.fieldRef.fieldPath];
        if (value === undefined) throw new Error(`realisePod: downward API field ${e.valueFrom.fieldRef.fieldPath} not implemented`);
        return `${e.name}=${value}`;
    });
}

/**
 * `$(VAR)` in a command or args expanded from the container's env, as the kubelet does: a
 * variable the env does not define stays as written, and `$$` is a literal `$`.
 */
function expand(words: string[] | undefined, env: string[] | undefined): string[] | undefined {
    const vars = new Map((env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    return words?.map((w) =>
        w.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) => (name === undefined ? "$" : (vars.get(name) ?? m))),
    );
}

/** Bytes in a Kubernetes memory quantity ("256Mi", "1Gi"). */
function bytes(quantity: string): number {
    const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
    if (!m) throw new Error(`realisePod: memory quantity ${quantity} not implemented`);
    return Number(m[1]) * { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? ""]!;
}

type Volume = k8s.types.output.core.v1.Volume;
type Secret = k8s.types.output.core.v1.Secret;

/** A Secret's files, from `stringData` or base64 `data`, as the API server merges them. */
function filesOf(secret: Secret): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    for (const [key, value] of Object.entries(secret.data ?? {})) files.set(key, Buffer.from(value, "base64"));
    for (const [key, value] of Object.entries(secret.stringData ?? {})) files.set(key, Buffer.from(value));
    return files;
}

/** The files a secret or projected volume holds: path, content and mode. */
function secretFiles(volume: Volume, secrets: Secret[]): Array<[string, Buffer, number]> {
    const find = (secretName: string) => {
        const secret = secrets.find((s) => s.metadata.name === secretName);
        if (!secret) throw new Error(`realisePod: Secret ${secretName} not declared`);
        return filesOf(secret);
    };
    const select = (files: Map<string, Buffer>, items: Array<{ key: string; path: string; mode?: number }> | undefined, mode: number) => {
        if (items === undefined) return [...files].map(([path, content]): [string, Buffer, number] => [path, content, mode]);
        return items.map((item): [string, Buffer, number] => {
            onlyHandled("secret item", item, ["key", "path"]);
            const content = files.get(item.key);
            // The kubelet refuses to start a pod whose Secret lacks a listed key.
            if (content === undefined) throw new Error(`realisePod: Secret has no key ${item.key}`);
            return [item.path, content, mode];
        });
    };
    if (volume.secret) {
        onlyHandled("secret volume", volume.secret, ["secretName", "defaultMode", "items"]);
        return select(find(volume.secret.secretName), volume.secret.items, volume.secret.defaultMode ?? 0o644);
    }
    onlyHandled("projected volume", volume.projected, ["sources", "defaultMode"]);
    return volume.projected.sources.flatMap((source) => {
        onlyHandled("projected source", source, ["secret"]);
        onlyHandled("projected secret", source.secret, ["name", "items"]);
        return select(find(source.secret.name), source.secret.items, volume.projected.defaultMode ?? 0o644);
    });
}

export interface Pod {
    name: string;
    /** The pod's first container (Redis's), which a test may replace as a roll would. */
    container: Docker.Container;
    /** Every container of the pod by its name, the first included (as created; not updated when a test replaces `container`). */
    containers: Map<string, Docker.Container>;
    /** The pod's infra ("pause") container: its network namespace, hostname and DNS names. */
    infra: Docker.Container;
    /** The pod's address on the network (its infra container's). */
    address: string;
    /** Runs one of the first container's probes, as the kubelet does; true when it passes. */
    probe(which: "startupProbe" | "livenessProbe" | "readinessProbe"): Promise<boolean>;
    /** Runs a probe of the named container; throws if it has none. */
    probeOf(container: string, which: "startupProbe" | "livenessProbe" | "readinessProbe"): Promise<boolean>;
    /** How often the kubelet runs that probe (its periodSeconds, default 10), in ms. */
    periodMs(which: "startupProbe" | "livenessProbe" | "readinessProbe"): number;
    /**
     * Starts the pod's container again after it exited, as the kubelet does (restartPolicy:
     * Always): same container, same volumes, same network namespace. Does not wait for readiness.
     */
    restart(): Promise<void>;
}

export interface RealisedPods {
    /** The pods of the first StatefulSet registered. */
    pods: Pod[];
    /** Every StatefulSet's pods, by its metadata.name, in registration order. */
    statefulSets: Map<string, Pod[]>;
    network: string;
    remove(): Promise<void>;
}

type Which = "startupProbe" | "livenessProbe" | "readinessProbe";

/** A StatefulSet checked against what this file implements, with what realising it needs. */
interface Checked {
    sts: StatefulSet;
    pod: k8s.types.output.core.v1.PodSpec;
    /** The pod's containers, each with its Docker user (`uid:gid`, or undefined for the image's). */
    containers: Array<{ c: Container; user: string | undefined }>;
}

const PROBE_FIELDS = ["exec", "httpGet", "periodSeconds", "failureThreshold", "timeoutSeconds"];

/** Throws for any field of a container this file does not implement; returns its Docker user. */
function checkContainer(c: Container, podCtx: k8s.types.output.core.v1.PodSecurityContext): string | undefined {
    onlyHandled("container", c, [
        "name",
        "image",
        "command",
        "args",
        "env",
        "ports",
        "resources",
        "securityContext",
        "volumeMounts",
        "startupProbe",
        "livenessProbe",
        "readinessProbe",
    ]);
    const ctx = c.securityContext ?? {};
    onlyHandled("container securityContext", ctx, [
        "runAsNonRoot",
        "runAsUser",
        "runAsGroup",
        "privileged",
        "allowPrivilegeEscalation",
        "readOnlyRootFilesystem",
        "capabilities",
    ]);
    // Ports are the pod's network namespace's: declaring one publishes nothing.
    for (const port of c.ports ?? []) onlyHandled("container port", port, ["name", "containerPort", "protocol"]);
    for (const which of ["startupProbe", "livenessProbe", "readinessProbe"] as const) {
        const p: Probe | undefined = c[which];
        if (p === undefined) continue;
        onlyHandled(which, p, PROBE_FIELDS);
        if ((p.exec === undefined) === (p.httpGet === undefined))
            throw new Error(`realisePod: ${which} needs exactly one of exec and httpGet`);
        if (p.httpGet) onlyHandled(`${which} httpGet`, p.httpGet, ["path", "port"]);
    }
    // The container's own settings win over the pod's, as in Kubernetes.
    const uid = ctx.runAsUser ?? podCtx.runAsUser;
    const gid = ctx.runAsGroup ?? podCtx.runAsGroup;
    if ((ctx.runAsNonRoot ?? podCtx.runAsNonRoot) && !(uid > 0))
        throw new Error("realisePod: runAsNonRoot with a root or unset user: the kubelet would refuse to start it");
    if (ctx.privileged) throw new Error("realisePod: privileged containers not implemented");
    return uid === undefined ? undefined : `${uid}:${gid ?? uid}`;
}

/** Throws for any field of the StatefulSet this file does not implement. */
function check(sts: StatefulSet): Checked {
    onlyHandled("StatefulSet spec", sts.spec, [
        "serviceName",
        "replicas",
        "selector",
        "podManagementPolicy",
        "updateStrategy",
        "persistentVolumeClaimRetentionPolicy",
        "template",
        "volumeClaimTemplates",
    ]);
    const pod = sts.spec.template.spec;
    onlyHandled("pod spec", pod, [
        "automountServiceAccountToken",
        "enableServiceLinks",
        "terminationGracePeriodSeconds",
        "securityContext",
        "containers",
        "volumes",
        // One Docker engine is one node: scheduling constraints have nothing to act on (the plan's tests check them).
        "affinity",
        "topologySpreadConstraints",
    ]);
    const podCtx = pod.securityContext ?? {};
    onlyHandled("pod securityContext", podCtx, [
        "runAsNonRoot",
        "runAsUser",
        "runAsGroup",
        "fsGroup",
        "fsGroupChangePolicy",
        "seccompProfile",
    ]);
    if (pod.containers.length === 0) throw new Error("realisePod: a pod without containers");
    const names = pod.containers.map((c: Container) => c.name);
    if (new Set(names).size !== names.length) throw new Error(`realisePod: two containers of one name in ${names.join(", ")}`);
    return { sts, pod, containers: pod.containers.map((c: Container) => ({ c, user: checkContainer(c, podCtx) })) };
}

/** Runs probe `which` of `c` in `container` (exec) or from the host at the pod's address (httpGet); true when it passes. */
async function runProbe(c: Container, which: Which, container: Docker.Container, address: string): Promise<boolean> {
    const p: Probe | undefined = c[which];
    if (p === undefined) throw new Error(`realisePod: container ${c.name} has no ${which}`);
    if (p.exec) return (await execIn(container, p.exec.command)).code === 0;
    const port = typeof p.httpGet.port === "number" ? p.httpGet.port : c.ports?.find((x) => x.name === p.httpGet.port)?.containerPort;
    if (port === undefined) throw new Error(`realisePod: ${which} of ${c.name} names no port of the container`);
    try {
        // As the kubelet: any status from 200 to 399 passes.
        const response = await fetch(`http://${address}:${port}${p.httpGet.path ?? "/"}`, {
            signal: AbortSignal.timeout((p.timeoutSeconds ?? 1) * 1000),
            redirect: "manual",
        });
        await response.arrayBuffer();
        return response.status >= 200 && response.status < 400;
    } catch {
        return false;
    }
}

/** Realises every StatefulSet's pods (all replicas) from the resources KubernetesRedis registered. */
export async function realisePods(docker: Docker, resources: RegisteredResource[]): Promise<RealisedPods> {
    const runId = randomBytes(4).toString("hex");
    // In registration order, checked before anything is created.
    const checked = resources
        .filter((r) => r.type === "kubernetes:apps/v1:StatefulSet")
        .map((r) => check(unwrapSecrets(r.state) as StatefulSet));
    if (checked.length === 0) throw new Error("realisePod: no StatefulSet among the resources");
    const secrets = resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => unwrapSecrets(r.state) as Secret);
    const namespace = checked[0].sts.metadata.namespace;
    for (const [i, { sts }] of checked.entries()) {
        // The short alias <pod> is the pod's name as seen from its own namespace.
        if (sts.metadata.namespace !== namespace) throw new Error("realisePod: StatefulSets in different namespaces not implemented");
        if (checked.findIndex((x) => x.sts.metadata.name === sts.metadata.name) !== i)
            throw new Error(`realisePod: two StatefulSets named ${sts.metadata.name}`);
    }

    const network = `pods-${runId}`;
    // Names: pod names are unique among StatefulSets (<name>-<ordinal>) and Kubernetes names have no "_".
    const created = { containers: [] as Docker.Container[], infra: [] as Docker.Container[], volumes: [] as string[] };
    const remove = async () => {
        // The pods' containers first, then the infra containers whose network namespaces they share.
        for (const x of [...created.containers.reverse(), ...created.infra.reverse()])
            await x.remove({ force: true, v: false }).catch(() => undefined);
        created.containers.length = 0;
        created.infra.length = 0;
        await docker
            .getNetwork(network)
            .remove()
            .catch(() => undefined);
        for (const v of created.volumes)
            await docker
                .getVolume(v)
                .remove({ force: true })
                .catch(() => undefined);
    };
    await docker.createNetwork({ Name: network, Internal: true, Labels: { [TEST_LABEL]: runId } });
    try {
        const statefulSets = new Map<string, Pod[]>();
        for (const { sts, pod, containers } of checked) {
            const podCtx = pod.securityContext ?? {};
            const images = await Promise.all(containers.map(({ c }) => localImageId(docker, c.image)));
            const pods: Pod[] = [];
            statefulSets.set(sts.metadata.name, pods);
            // OrderedReady: each pod once the one before it is ready.
            for (let ordinal = 0; ordinal < (sts.spec.replicas ?? 1); ordinal++) {
                const podName = `${sts.metadata.name}-${ordinal}`;
                // Each volume of the pod once, whichever containers mount it: a Docker volume's name, or a tmpfs's options.
                const volumes = new Map<string, { volume: string } | { tmpfs: string }>();
                const volumeFor = async (mountName: string) => {
                    const known = volumes.get(mountName);
                    if (known) return known;
                    const claim = (sts.spec.volumeClaimTemplates ?? []).find((t) => t.metadata.name === mountName);
                    const volume = (pod.volumes ?? []).find((v) => v.name === mountName);
                    const name = `${podName}_${mountName}_${runId}`;
                    let made: { volume: string } | { tmpfs: string };
                    if (claim) {
                        await docker.createVolume({ Name: name, Labels: { [TEST_LABEL]: runId } });
                        created.volumes.push(name);
                        made = { volume: name };
                    } else if (volume?.emptyDir) {
                        onlyHandled("emptyDir", volume.emptyDir, ["sizeLimit"]);
                        made = { tmpfs: volume.emptyDir.sizeLimit ? `size=${bytes(volume.emptyDir.sizeLimit)}` : "" };
                    } else if (volume?.secret || volume?.projected) {
                        await docker.createVolume({ Name: name, Labels: { [TEST_LABEL]: runId } });
                        created.volumes.push(name);
                        // Files as the kubelet projects them: root-owned, group fsGroup, defaultMode.
                        // The writer is never started: any image the pod runs will do.
                        const writer = await docker.createContainer({
                            Image: images[0],
                            Labels: { [TEST_LABEL]: runId },
                            HostConfig: { NetworkMode: "none", Binds: [`${name}:/secret`] },
                        });
                        created.containers.push(writer);
                        for (const [file, content, mode] of secretFiles(volume, secrets)) {
                            await writer.putArchive(tarOf(`secret/${file}`, content, mode, podCtx.fsGroup ?? 0), { path: "/" });
                        }
                        made = { volume: name };
                    } else {
                        throw new Error(`realisePod: volume ${mountName} of this kind not implemented`);
                    }
                    volumes.set(mountName, made);
                    return made;
                };
                // The sandbox: holds the network namespace, so the pod keeps its address and DNS names
                // whatever happens to its containers (Docker drops a stopped container's names).
                const infra = await docker.createContainer({
                    name: `${podName}_POD_${runId}`,
                    Hostname: podName,
                    Image: images[0],
                    Entrypoint: ["sleep"],
                    Cmd: ["2147483647"],
                    User: containers[0].user,
                    StopSignal: "SIGKILL",
                    Labels: { [TEST_LABEL]: runId },
                    HostConfig: {
                        NetworkMode: network,
                        ReadonlyRootfs: true,
                        CapDrop: ["ALL"],
                        SecurityOpt: ["no-new-privileges:true"],
                        Memory: 16 * 1024 ** 2,
                    },
                    NetworkingConfig: {
                        EndpointsConfig: { [network]: { Aliases: [podName, `${podName}.${sts.spec.serviceName}.${namespace}.svc`] } },
                    },
                });
                created.infra.push(infra);
                await infra.start();
                const address = await addressOn(infra, network);
                const started = new Map<string, Docker.Container>();
                for (const [i, { c, user }] of containers.entries()) {
                    const ctx = c.securityContext ?? {};
                    const binds: string[] = [];
                    const tmpfs: Record<string, string> = {};
                    for (const mount of c.volumeMounts ?? []) {
                        onlyHandled("volumeMount", mount, ["name", "mountPath", "readOnly"]);
                        const volume = await volumeFor(mount.name);
                        const secret = (pod.volumes ?? []).some((v) => v.name === mount.name && (v.secret || v.projected));
                        if ("tmpfs" in volume) tmpfs[mount.mountPath] = volume.tmpfs;
                        // Secret volumes are read-only whatever the mount says, as the kubelet mounts them.
                        else binds.push(`${volume.volume}:${mount.mountPath}${mount.readOnly || secret ? ":ro" : ""}`);
                    }
                    const env = environment(c.env, { "metadata.name": podName, "metadata.namespace": namespace });
                    // Docker gives a container on another's network namespace that container's hostname
                    // (and with it HOSTNAME, which the replicated topology's command reads its ordinal from).
                    const container = await docker.createContainer({
                        name: `${podName}_${c.name}_${runId}`,
                        Image: images[i],
                        Entrypoint: expand(c.command, env),
                        Cmd: expand(c.args, env),
                        Env: env,
                        User: user,
                        Labels: { [TEST_LABEL]: runId, ...sts.spec.template.metadata.labels },
                        HostConfig: {
                            NetworkMode: `container:${infra.id}`,
                            Binds: binds,
                            Tmpfs: tmpfs,
                            GroupAdd: podCtx.fsGroup !== undefined ? [String(podCtx.fsGroup)] : undefined,
                            ReadonlyRootfs: ctx.readOnlyRootFilesystem === true,
                            CapDrop: ctx.capabilities?.drop,
                            SecurityOpt: ctx.allowPrivilegeEscalation === false ? ["no-new-privileges:true"] : undefined,
                            Memory: c.resources?.limits?.memory ? bytes(c.resources.limits.memory) : undefined,
                        },
                    });
                    created.containers.push(container);
                    await container.start();
                    started.set(c.name, container);
                }
                const first = containers[0].c;
                const realised: Pod = {
                    name: podName,
                    container: started.get(first.name)!,
                    containers: started,
                    infra,
                    address,
                    // In whatever container is the pod's now (a test may replace it, as a roll would).
                    probe: (which) => runProbe(first, which, realised.container, address),
                    async probeOf(name, which) {
                        const c = containers.find((x) => x.c.name === name)?.c;
                        if (c === undefined) throw new Error(`realisePod: pod ${podName} has no container ${name}`);
                        const container = name === first.name ? realised.container : started.get(name)!;
                        return runProbe(c, which, container, address);
                    },
                    periodMs: (which) => (first[which]?.periodSeconds ?? 10) * 1000,
                    async restart() {
                        await realised.container.start();
                    },
                };
                // As the kubelet: ready once every container's readiness probe passes (a container without one: once running).
                const deadline = Date.now() + 60_000;
                for (const { c } of containers) {
                    const container = started.get(c.name)!;
                    const ready = async () => (c.readinessProbe ? realised.probeOf(c.name, "readinessProbe") : true);
                    while (!(await ready())) {
                        if (!(await container.inspect()).State.Running)
                            throw new Error(`pod ${podName}: ${c.name} exited before it was ready`);
                        if (Date.now() > deadline) throw new Error(`pod ${podName}: ${c.name} not ready after 60 s`);
                        await new Promise((r) => setTimeout(r, 250));
                    }
                    if (!(await container.inspect()).State.Running) throw new Error(`pod ${podName}: ${c.name} exited`);
                }
                pods.push(realised);
            }
        }
        return { pods: statefulSets.get(checked[0].sts.metadata.name)!, statefulSets, network, remove };
    } catch (e) {
        await remove();
        throw e;
    }
}
