// Realises the pods of the StatefulSet KubernetesRedis declared as containers on the Docker
// engine, doing what the kubelet would: Secret items, plain or projected, written as files (owned
// root:fsGroup, defaultMode) at their mount paths, emptyDir as tmpfs, each claim template as a volume,
// runAsUser/runAsGroup/fsGroup as user and groups, readOnlyRootFilesystem, dropped
// capabilities, no privilege escalation, the memory limit, command as entrypoint and args as
// command, the pod name as hostname and its stable DNS name as a network alias. A field this
// file does not implement is an error.
import { randomBytes } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type Docker from "dockerode";
import { unwrapSecrets, type RegisteredResource } from "../pulumiMocks";
import { TEST_LABEL } from "./engine";
import { execIn } from "./exec";
import { addressOn, tarOf } from "./realise";
import { redisImageId } from "./standinImage";

type StatefulSet = k8s.types.output.apps.v1.StatefulSet;
type Container = k8s.types.output.core.v1.Container;
type Probe = k8s.types.output.core.v1.Probe;

function onlyHandled(what: string, value: object | undefined, handled: readonly string[]): void {
    const unknown = Object.entries(value ?? {})
        .filter(([k, v]) => v !== undefined && !handled.includes(k))
        .map(([k]) => k);
    if (unknown.length > 0) throw new Error(`realisePod: ${what} field(s) not implemented: ${unknown.join(", ")}`);
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
    container: Docker.Container;
    address: string;
    /** Runs one of the container's probes inside it, as the kubelet does; true when it passes. */
    probe(which: "startupProbe" | "livenessProbe" | "readinessProbe"): Promise<boolean>;
    /** How often the kubelet runs that probe (its periodSeconds, default 10), in ms. */
    periodMs(which: "startupProbe" | "livenessProbe" | "readinessProbe"): number;
}

export interface RealisedPods {
    pods: Pod[];
    network: string;
    remove(): Promise<void>;
}

/** Realises the StatefulSet's pods (all replicas) from the resources KubernetesRedis registered. */
export async function realisePods(docker: Docker, resources: RegisteredResource[]): Promise<RealisedPods> {
    const runId = randomBytes(4).toString("hex");
    const find = (type: string) => resources.find((r) => r.type === type);
    const sts = unwrapSecrets(find("kubernetes:apps/v1:StatefulSet")?.state) as StatefulSet;
    const secrets = resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => unwrapSecrets(r.state) as Secret);
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
    ]);
    onlyHandled("pod securityContext", pod.securityContext, [
        "runAsNonRoot",
        "runAsUser",
        "runAsGroup",
        "fsGroup",
        "fsGroupChangePolicy",
        "seccompProfile",
    ]);
    if (pod.containers.length !== 1) throw new Error("realisePod: exactly one container implemented");
    const c: Container = pod.containers[0];
    onlyHandled("container", c, [
        "name",
        "image",
        "command",
        "args",
        "ports",
        "resources",
        "securityContext",
        "volumeMounts",
        "startupProbe",
        "livenessProbe",
        "readinessProbe",
    ]);
    onlyHandled("container securityContext", c.securityContext, [
        "runAsNonRoot",
        "privileged",
        "allowPrivilegeEscalation",
        "readOnlyRootFilesystem",
        "capabilities",
    ]);
    const ctx = c.securityContext;
    const podCtx = pod.securityContext;
    const uid = podCtx.runAsUser;
    if ((ctx.runAsNonRoot || podCtx.runAsNonRoot) && !(uid > 0))
        throw new Error("realisePod: runAsNonRoot with a root or unset user: the kubelet would refuse to start it");
    if (ctx.privileged) throw new Error("realisePod: privileged containers not implemented");
    const namespace = sts.metadata.namespace;
    const image = await redisImageId(docker, c.image);

    const network = `pods-${runId}`;
    const created = { containers: [] as Docker.Container[], volumes: [] as string[] };
    const remove = async () => {
        for (const x of created.containers.reverse()) await x.remove({ force: true, v: false }).catch(() => undefined);
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
        const pods: Pod[] = [];
        for (let ordinal = 0; ordinal < sts.spec.replicas; ordinal++) {
            const podName = `${sts.metadata.name}-${ordinal}`;
            const binds: string[] = [];
            const tmpfs: Record<string, string> = {};
            for (const mount of c.volumeMounts) {
                onlyHandled("volumeMount", mount, ["name", "mountPath", "readOnly"]);
                const claim = sts.spec.volumeClaimTemplates.find((t) => t.metadata.name === mount.name);
                const volume = pod.volumes.find((v) => v.name === mount.name);
                const name = `${mount.name}-${podName}-${runId}`;
                if (claim) {
                    await docker.createVolume({ Name: name, Labels: { [TEST_LABEL]: runId } });
                    created.volumes.push(name);
                    binds.push(`${name}:${mount.mountPath}`);
                } else if (volume?.emptyDir) {
                    onlyHandled("emptyDir", volume.emptyDir, ["sizeLimit"]);
                    tmpfs[mount.mountPath] = volume.emptyDir.sizeLimit ? `size=${bytes(volume.emptyDir.sizeLimit)}` : "";
                } else if (volume?.secret || volume?.projected) {
                    await docker.createVolume({ Name: name, Labels: { [TEST_LABEL]: runId } });
                    created.volumes.push(name);
                    // Files as the kubelet projects them: root-owned, group fsGroup, defaultMode.
                    const writer = await docker.createContainer({
                        Image: image,
                        Labels: { [TEST_LABEL]: runId },
                        HostConfig: { NetworkMode: "none", Binds: [`${name}:/secret`] },
                    });
                    created.containers.push(writer);
                    for (const [file, content, mode] of secretFiles(volume, secrets)) {
                        await writer.putArchive(tarOf(`secret/${file}`, content, mode, podCtx.fsGroup ?? 0), { path: "/" });
                    }
                    binds.push(`${name}:${mount.mountPath}:ro`);
                } else {
                    throw new Error(`realisePod: volume ${mount.name} of this kind not implemented`);
                }
            }
            const container = await docker.createContainer({
                name: `${podName}-${runId}`,
                Hostname: podName,
                Image: image,
                Entrypoint: c.command,
                Cmd: c.args,
                User: `${uid}:${podCtx.runAsGroup ?? uid}`,
                Labels: { [TEST_LABEL]: runId, ...sts.spec.template.metadata.labels },
                HostConfig: {
                    NetworkMode: network,
                    Binds: binds,
                    Tmpfs: tmpfs,
                    GroupAdd: podCtx.fsGroup !== undefined ? [String(podCtx.fsGroup)] : undefined,
                    ReadonlyRootfs: ctx.readOnlyRootFilesystem === true,
                    CapDrop: ctx.capabilities?.drop,
                    SecurityOpt: ctx.allowPrivilegeEscalation === false ? ["no-new-privileges:true"] : undefined,
                    Memory: c.resources?.limits?.memory ? bytes(c.resources.limits.memory) : undefined,
                },
                NetworkingConfig: {
                    EndpointsConfig: { [network]: { Aliases: [podName, `${podName}.${sts.spec.serviceName}.${namespace}.svc`] } },
                },
            });
            created.containers.push(container);
            await container.start();
            const realised: Pod = {
                name: podName,
                container,
                address: "",
                // In whatever container is the pod's now (a test may replace it, as a roll would).
                async probe(which) {
                    const p: Probe = c[which];
                    onlyHandled(which, p, ["exec", "periodSeconds", "failureThreshold", "timeoutSeconds"]);
                    return (await execIn(realised.container, p.exec.command)).code === 0;
                },
                periodMs: (which) => (c[which].periodSeconds ?? 10) * 1000,
            };
            const probe = (which: "startupProbe" | "livenessProbe" | "readinessProbe") => realised.probe(which);
            // As the kubelet: ready once the readiness probe passes.
            const deadline = Date.now() + 60_000;
            while (!(await probe("readinessProbe"))) {
                if (!(await container.inspect()).State.Running) throw new Error(`pod ${podName} exited before it was ready`);
                if (Date.now() > deadline) throw new Error(`pod ${podName} not ready after 60 s`);
                await new Promise((r) => setTimeout(r, 250));
            }
            realised.address = await addressOn(container, network);
            pods.push(realised);
        }
        return { pods, network, remove };
    } catch (e) {
        await remove();
        throw e;
    }
}
