// What realisePod.ts implements of a StatefulSet's pod, written as the kubelet reads it: the checks
// that refuse any field it does not implement (so nothing is dropped silently), and the
// translations it needs (the env and its `$(VAR)` expansion, memory quantities, Secret files).
import type * as k8s from "@pulumi/kubernetes";

type StatefulSet = k8s.types.output.apps.v1.StatefulSet;
type Container = k8s.types.output.core.v1.Container;
type Probe = k8s.types.output.core.v1.Probe;

/** Throws for any field of `value` outside `handled` that has a value: what realisePod does not implement. */
export function onlyHandled(what: string, value: object | undefined, handled: readonly string[]): void {
    const unknown = Object.entries(value ?? {})
        .filter(([k, v]) => v !== undefined && !handled.includes(k))
        .map(([k]) => k);
    if (unknown.length > 0) throw new Error(`realisePod: ${what} field(s) not implemented: ${unknown.join(", ")}`);
}

type EnvVar = k8s.types.output.core.v1.EnvVar;

/** The container's environment as the kubelet sets it: literal values, and pod fields from the downward API. */
export function environment(env: EnvVar[] | undefined, fields: Record<string, string>): string[] | undefined {
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
export function expand(words: string[] | undefined, env: string[] | undefined): string[] | undefined {
    const vars = new Map((env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    return words?.map((w) =>
        w.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) => (name === undefined ? "$" : (vars.get(name) ?? m))),
    );
}

/** Bytes in a Kubernetes memory quantity ("256Mi", "1Gi"). */
export function bytes(quantity: string): number {
    const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
    if (!m) throw new Error(`realisePod: memory quantity ${quantity} not implemented`);
    return Number(m[1]) * { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? ""]!;
}

type Volume = k8s.types.output.core.v1.Volume;
export type Secret = k8s.types.output.core.v1.Secret;

/** A Secret's files, from `stringData` or base64 `data`, as the API server merges them. */
function filesOf(secret: Secret): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    for (const [key, value] of Object.entries(secret.data ?? {})) files.set(key, Buffer.from(value, "base64"));
    for (const [key, value] of Object.entries(secret.stringData ?? {})) files.set(key, Buffer.from(value));
    return files;
}

/** The files a secret or projected volume holds: path, content and mode. */
export function secretFiles(volume: Volume, secrets: Secret[]): Array<[string, Buffer, number]> {
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

export type Which = "startupProbe" | "livenessProbe" | "readinessProbe";

/** A StatefulSet checked against what realisePod implements, with what realising it needs. */
export interface Checked {
    sts: StatefulSet;
    pod: k8s.types.output.core.v1.PodSpec;
    /** The pod's containers, each with its Docker user (`uid:gid`, or undefined for the image's). */
    containers: Array<{ c: Container; user: string | undefined }>;
}

const PROBE_FIELDS = ["exec", "httpGet", "periodSeconds", "failureThreshold", "timeoutSeconds"];

/** Throws for any field of a container realisePod does not implement; returns its Docker user. */
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

/** Throws for any field of the StatefulSet realisePod does not implement. */
export function check(sts: StatefulSet): Checked {
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
