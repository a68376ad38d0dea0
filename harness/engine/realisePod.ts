// Realises the pods of every StatefulSet KubernetesRedis declared as containers on the Docker
// engine, doing what the kubelet would: Secret items, plain or projected, written as files (owned
// root:fsGroup, defaultMode) at their mount paths, emptyDir as tmpfs, each claim template as a volume,
// runAsUser/runAsGroup/fsGroup as user and groups, readOnlyRootFilesystem, dropped
// capabilities, no privilege escalation, the memory limit, command as entrypoint and args as
// command (with `$(VAR)` expanded from the container's env, as the kubelet does), each container of
// the pod in the pod's network namespace, exec and httpGet probes. Each pod has an infra ("pause") container holding its network namespace, hostname (the
// pod name) and stable DNS names, as the kubelet's sandbox does, so the pod keeps its address and
// names while its container is stopped or restarted. A field this file does not implement is an error
// (the checks, and the translations from the pod spec, are in podSpec.ts).
import { randomBytes } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type Docker from "dockerode";
import { unwrapSecrets, type RegisteredResource } from "../mocks/pulumiMocks";
import { TEST_LABEL } from "./engine";
import { execIn } from "./exec";
import { bytes, check, environment, expand, onlyHandled, secretFiles, type Checked, type Secret, type Which } from "./podSpec";
import { addressOn, tarOf } from "./realise";
import { localImageId } from "./standinImage";

type StatefulSet = k8s.types.output.apps.v1.StatefulSet;
type Container = k8s.types.output.core.v1.Container;
type Probe = k8s.types.output.core.v1.Probe;

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
    /**
     * Stops the pod's container as the kubelet does when the pod is deleted (a roll, a drain):
     * SIGTERM, then SIGKILL once terminationGracePeriodSeconds have passed.
     */
    stop(): Promise<void>;
}

export interface RealisedPods {
    /** The pods of the first StatefulSet registered. */
    pods: Pod[];
    /** Every StatefulSet's pods, by its metadata.name, in registration order. */
    statefulSets: Map<string, Pod[]>;
    network: string;
    /**
     * The StatefulSets' next revision, from a later registration of the same component (a rotated
     * credential, a changed setting): what the StatefulSet controller rolls the pods to.
     */
    revise(resources: RegisteredResource[]): Promise<Revision>;
    remove(): Promise<void>;
}

/** A StatefulSet revision the pods can be rolled to, one pod at a time, as the controller does. */
export interface Revision {
    /**
     * Deletes the pod as a roll does (every container stopped as the kubelet stops them: SIGTERM,
     * SIGKILL after terminationGracePeriodSeconds) and creates it again from the revision's
     * template and Secrets, on the same claims, address and DNS names; resolves once it is ready.
     * The Pod object is updated in place. `stop`, when given, runs first on the pod's first
     * container (the bench stops Redis alone with it, bypassing its start script).
     */
    replace(pod: Pod, stop?: (container: Docker.Container) => Promise<void>): Promise<void>;
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

/** What one call of realisePods shares: the engine, its per-run names, and everything it created (for `remove`). */
interface Run {
    docker: Docker;
    runId: string;
    network: string;
    namespace: string;
    /** Revisions made by `revise` so far (the first realisation is revision 0). */
    revisions: number;
    created: { containers: Docker.Container[]; infra: Docker.Container[]; volumes: string[] };
}

/** A checked StatefulSet with the local image of each of its containers, and the Secrets of its revision. */
interface ImagedSet extends Checked {
    images: string[];
    podCtx: k8s.types.output.core.v1.PodSecurityContext;
    secrets: Secret[];
}

/** Each volume of a pod realised once, whichever containers mount it: a Docker volume's name, or a tmpfs's options. */
type VolumeFor = (mountName: string) => Promise<{ volume: string } | { tmpfs: string }>;

/** Realises every StatefulSet's pods (all replicas) from the resources KubernetesRedis registered. */
export async function realisePods(docker: Docker, resources: RegisteredResource[]): Promise<RealisedPods> {
    const runId = randomBytes(4).toString("hex");
    const { checked, secrets, namespace } = checkedStatefulSets(resources);
    const network = `pods-${runId}`;
    // Names: pod names are unique among StatefulSets (<name>-<ordinal>) and Kubernetes names have no "_".
    const run: Run = { docker, runId, network, namespace, revisions: 0, created: { containers: [], infra: [], volumes: [] } };
    const remove = () => removeAll(run);
    await docker.createNetwork({ Name: network, Internal: true, Labels: { [TEST_LABEL]: runId } });
    try {
        const statefulSets = new Map<string, Pod[]>();
        for (const set of checked) statefulSets.set(set.sts.metadata.name, await realiseStatefulSet(run, await imaged(run, set, secrets)));
        const revise = (next: RegisteredResource[]) => revisionOf(run, next);
        return { pods: statefulSets.get(checked[0].sts.metadata.name)!, statefulSets, network, revise, remove };
    } catch (e) {
        await remove();
        throw e;
    }
}

/** The StatefulSets (in registration order) and Secrets among `resources`, checked before anything is created. */
function checkedStatefulSets(resources: RegisteredResource[]): { checked: Checked[]; secrets: Secret[]; namespace: string } {
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
    return { checked, secrets, namespace };
}

/** Removes what the run created, if it still exists. */
async function removeAll({ docker, network, created }: Run): Promise<void> {
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
}

/** A checked StatefulSet with its containers' local images and its revision's Secrets. */
async function imaged(run: Run, checked: Checked, secrets: Secret[]): Promise<ImagedSet> {
    const images = await Promise.all(checked.containers.map(({ c }) => localImageId(run.docker, c.image)));
    return { ...checked, images, podCtx: checked.pod.securityContext ?? {}, secrets };
}

/** The revision `resources` declare, for the pods `run` realised (same StatefulSets, same namespace). */
async function revisionOf(run: Run, resources: RegisteredResource[]): Promise<Revision> {
    const { checked, secrets, namespace } = checkedStatefulSets(resources);
    if (namespace !== run.namespace) throw new Error(`realisePod: a revision in namespace ${namespace}, not ${run.namespace}`);
    const sets = await Promise.all(checked.map((c) => imaged(run, c, secrets)));
    const revision = ++run.revisions;
    return {
        async replace(pod, stop) {
            const set = sets.find(
                (s) => pod.name.startsWith(`${s.sts.metadata.name}-`) && /^\d+$/.test(pod.name.slice(s.sts.metadata.name.length + 1)),
            );
            if (!set) throw new Error(`realisePod: the revision has no StatefulSet for pod ${pod.name}`);
            const grace = set.pod.terminationGracePeriodSeconds ?? 30;
            await stop?.(pod.container);
            // As the kubelet deletes a pod: every container gets its SIGTERM at once, then the grace period.
            const old = [pod.container, ...[...pod.containers.values()].filter((c) => c.id !== pod.container.id)];
            await Promise.all(old.map((c) => c.stop({ t: grace }).catch(() => undefined)));
            await Promise.all(old.map((c) => c.remove({ force: true, v: false })));
            const volumeFor = podVolumes(run, set, pod.name, revision);
            const started = new Map<string, Docker.Container>();
            for (const [i, { c }] of set.containers.entries())
                started.set(c.name, await startContainer(run, set, pod.name, pod.infra, i, volumeFor, revision));
            podOf(set, pod.name, pod.infra, pod.address, started, pod);
            await waitReady(set, pod.name, pod, started);
        },
    };
}

/** Realises one StatefulSet's pods, in order. */
async function realiseStatefulSet(run: Run, set: ImagedSet): Promise<Pod[]> {
    const pods: Pod[] = [];
    // OrderedReady: each pod once the one before it is ready.
    for (let ordinal = 0; ordinal < (set.sts.spec.replicas ?? 1); ordinal++)
        pods.push(await realisePod(run, set, `${set.sts.metadata.name}-${ordinal}`));
    return pods;
}

/** One pod: its sandbox, then its containers in order, then ready. */
async function realisePod(run: Run, set: ImagedSet, podName: string): Promise<Pod> {
    const volumeFor = podVolumes(run, set, podName);
    const infra = await startInfra(run, set, podName);
    const address = await addressOn(infra, run.network);
    const started = new Map<string, Docker.Container>();
    for (const [i, { c }] of set.containers.entries()) started.set(c.name, await startContainer(run, set, podName, infra, i, volumeFor));
    const realised = podOf(set, podName, infra, address, started);
    await waitReady(set, podName, realised, started);
    return realised;
}

/**
 * The pod's volumes, each made the first time a container mounts it. In a later revision the
 * claims are the pod's existing ones (a PersistentVolumeClaim outlives its pod), and Secret volumes
 * are written afresh from the revision's Secrets.
 */
function podVolumes(run: Run, set: ImagedSet, podName: string, revision = 0): VolumeFor {
    const { sts, pod } = set;
    const volumes = new Map<string, { volume: string } | { tmpfs: string }>();
    return async (mountName: string) => {
        const known = volumes.get(mountName);
        if (known) return known;
        const claim = (sts.spec.volumeClaimTemplates ?? []).find((t) => t.metadata.name === mountName);
        const volume = (pod.volumes ?? []).find((v) => v.name === mountName);
        const name = `${podName}_${mountName}_${run.runId}`;
        let made: { volume: string } | { tmpfs: string };
        if (claim) {
            if (revision === 0) await createVolume(run, name);
            made = { volume: name };
        } else if (volume?.emptyDir) {
            onlyHandled("emptyDir", volume.emptyDir, ["sizeLimit"]);
            made = { tmpfs: volume.emptyDir.sizeLimit ? `size=${bytes(volume.emptyDir.sizeLimit)}` : "" };
        } else if (volume?.secret || volume?.projected) {
            const revised = revision === 0 ? name : `${name}_r${revision}`;
            await createVolume(run, revised);
            await writeSecretFiles(run, set, revised, volume);
            made = { volume: revised };
        } else {
            throw new Error(`realisePod: volume ${mountName} of this kind not implemented`);
        }
        volumes.set(mountName, made);
        return made;
    };
}

/** A Docker volume of this run, removed with it. */
async function createVolume(run: Run, name: string): Promise<void> {
    await run.docker.createVolume({ Name: name, Labels: { [TEST_LABEL]: run.runId } });
    run.created.volumes.push(name);
}

/** Writes a secret or projected volume's files into the Docker volume `name`. */
async function writeSecretFiles(run: Run, set: ImagedSet, name: string, volume: k8s.types.output.core.v1.Volume): Promise<void> {
    // Files as the kubelet projects them: root-owned, group fsGroup, defaultMode.
    // The writer is never started: any image the pod runs will do.
    const writer = await run.docker.createContainer({
        Image: set.images[0],
        Labels: { [TEST_LABEL]: run.runId },
        HostConfig: { NetworkMode: "none", Binds: [`${name}:/secret`] },
    });
    run.created.containers.push(writer);
    for (const [file, content, mode] of secretFiles(volume, set.secrets)) {
        await writer.putArchive(tarOf(`secret/${file}`, content, mode, set.podCtx.fsGroup ?? 0), { path: "/" });
    }
}

/**
 * The sandbox: holds the network namespace, so the pod keeps its address and DNS names
 * whatever happens to its containers (Docker drops a stopped container's names).
 */
async function startInfra(run: Run, set: ImagedSet, podName: string): Promise<Docker.Container> {
    const { network } = run;
    const infra = await run.docker.createContainer({
        name: `${podName}_POD_${run.runId}`,
        Hostname: podName,
        Image: set.images[0],
        Entrypoint: ["sleep"],
        Cmd: ["2147483647"],
        User: set.containers[0].user,
        StopSignal: "SIGKILL",
        Labels: { [TEST_LABEL]: run.runId },
        HostConfig: {
            NetworkMode: network,
            ReadonlyRootfs: true,
            CapDrop: ["ALL"],
            SecurityOpt: ["no-new-privileges:true"],
            Memory: 16 * 1024 ** 2,
        },
        NetworkingConfig: {
            EndpointsConfig: { [network]: { Aliases: [podName, `${podName}.${set.sts.spec.serviceName}.${run.namespace}.svc`] } },
        },
    });
    run.created.infra.push(infra);
    await infra.start();
    return infra;
}

/** Creates and starts the pod's container `i` in the infra container's network namespace. */
async function startContainer(
    run: Run,
    set: ImagedSet,
    podName: string,
    infra: Docker.Container,
    i: number,
    volumeFor: VolumeFor,
    revision = 0,
): Promise<Docker.Container> {
    const { c, user } = set.containers[i];
    const ctx = c.securityContext ?? {};
    const { binds, tmpfs } = await mountsOf(set, c, volumeFor);
    const env = environment(c.env, { "metadata.name": podName, "metadata.namespace": run.namespace });
    // Docker gives a container on another's network namespace that container's hostname
    // (and with it HOSTNAME, which the replicated topology's command reads its ordinal from).
    const container = await run.docker.createContainer({
        name: `${podName}_${c.name}_${run.runId}${revision === 0 ? "" : `_r${revision}`}`,
        Image: set.images[i],
        Entrypoint: expand(c.command, env),
        Cmd: expand(c.args, env),
        Env: env,
        User: user,
        Labels: { [TEST_LABEL]: run.runId, ...set.sts.spec.template.metadata.labels },
        HostConfig: {
            NetworkMode: `container:${infra.id}`,
            Binds: binds,
            Tmpfs: tmpfs,
            GroupAdd: set.podCtx.fsGroup !== undefined ? [String(set.podCtx.fsGroup)] : undefined,
            ReadonlyRootfs: ctx.readOnlyRootFilesystem === true,
            CapDrop: ctx.capabilities?.drop,
            SecurityOpt: ctx.allowPrivilegeEscalation === false ? ["no-new-privileges:true"] : undefined,
            Memory: c.resources?.limits?.memory ? bytes(c.resources.limits.memory) : undefined,
        },
    });
    run.created.containers.push(container);
    await container.start();
    return container;
}

/** The container's volume mounts as Docker binds and tmpfs mounts, making each volume as first mounted. */
async function mountsOf(set: ImagedSet, c: Container, volumeFor: VolumeFor): Promise<{ binds: string[]; tmpfs: Record<string, string> }> {
    const binds: string[] = [];
    const tmpfs: Record<string, string> = {};
    for (const mount of c.volumeMounts ?? []) {
        onlyHandled("volumeMount", mount, ["name", "mountPath", "readOnly"]);
        const volume = await volumeFor(mount.name);
        const secret = (set.pod.volumes ?? []).some((v) => v.name === mount.name && (v.secret || v.projected));
        if ("tmpfs" in volume) tmpfs[mount.mountPath] = volume.tmpfs;
        // Secret volumes are read-only whatever the mount says, as the kubelet mounts them.
        else binds.push(`${volume.volume}:${mount.mountPath}${mount.readOnly || secret ? ":ro" : ""}`);
    }
    return { binds, tmpfs };
}

/** The realised pod as tests see it: its containers, address and probes (`target` filled in place, for a replaced pod). */
function podOf(
    set: ImagedSet,
    podName: string,
    infra: Docker.Container,
    address: string,
    started: Map<string, Docker.Container>,
    target?: Pod,
): Pod {
    const { containers } = set;
    const first = containers[0].c;
    const realised: Pod = Object.assign(target ?? ({} as Pod), {
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
        async stop() {
            await realised.container.stop({ t: set.pod.terminationGracePeriodSeconds ?? 30 });
        },
    } satisfies Pod);
    return realised;
}

/** As the kubelet: ready once every container's readiness probe passes (a container without one: once running). */
async function waitReady(set: ImagedSet, podName: string, realised: Pod, started: Map<string, Docker.Container>): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (const { c } of set.containers) {
        const container = started.get(c.name)!;
        const ready = async () => (c.readinessProbe ? realised.probeOf(c.name, "readinessProbe") : true);
        while (!(await ready())) {
            if (!(await container.inspect()).State.Running) throw new Error(`pod ${podName}: ${c.name} exited before it was ready`);
            if (Date.now() > deadline) throw new Error(`pod ${podName}: ${c.name} not ready after 60 s`);
            await new Promise((r) => setTimeout(r, 250));
        }
        if (!(await container.inspect()).State.Running) throw new Error(`pod ${podName}: ${c.name} exited`);
    }
}
