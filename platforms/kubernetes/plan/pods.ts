// The Redis pods: their security context, volumes, probes and the StatefulSet (see topology.ts).
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { EXPORTER_MEMORY_MB, EXPORTER_SECRETS_DIR, EXPORTER_UID, exporterArgs } from "../../../redis/metrics/exporter";
import { CONFIG_DIR, DATA_DIR, pingCommand, REDIS_GID, REDIS_UID, TLS_FILES } from "../../../redis/container";
import { APP_USER } from "../../../redis/acl/users";
import { HANDOVER_SECONDS } from "../../../policies/shared/serverStart";
import { exporterTarget } from "./monitoring";
import { KubernetesRedisPlan, POD_NAMESPACE_ENV, POD_NAME_ENV, redisLabels, redisSelector, topologyRoles } from "./topology";

/** The Secrets a pod mounts, by name: the rendered files, and with TLS the certificate's `kubernetes.io/tls` Secret. */
export interface PodSecretNames {
    config: pulumi.Input<string>;
    /** Required exactly when the plan has TLS. */
    tls?: pulumi.Input<string>;
    /** The exporter's files (see `exporterFiles` in monitoring.ts); required exactly when the plan has metrics. */
    metrics?: pulumi.Input<string>;
}

/** Seconds Redis gets to stop on SIGTERM before SIGKILL. */
const SHUTDOWN_SECONDS = 60;

/** Non-root as the image's redis user, RuntimeDefault seccomp: every pod of the component. */
export const POD_SECURITY = {
    runAsNonRoot: true,
    runAsUser: REDIS_UID,
    runAsGroup: REDIS_GID,
    fsGroup: REDIS_GID,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
};

/** No privilege, no capability, a read-only root filesystem: every container of the component. */
export const CONTAINER_SECURITY = {
    runAsNonRoot: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
};

// How the pods spread over nodes, declared here beside spreadOverNodes (the plan itself lives in topology.ts).
/**
 * A node of its own for each pod carrying `selector`, so one node going down takes one server or
 * one Sentinel: preferred (a soft rule: a cluster with fewer nodes still schedules them all) or,
 * with `antiAffinity: "required"`, required (a pod with no node of its own is not scheduled).
 */
export function spreadOverNodes(
    plan: Pick<KubernetesRedisPlan, "antiAffinity">,
    selector: Record<string, string>,
): k8s.types.input.core.v1.Affinity {
    const term = { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } };
    if (plan.antiAffinity === "required") return { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };
    return { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
}

/** The rendered files at CONFIG_DIR, with TLS the certificate's Secret projected beside them; group-readable for fsGroup only. */
export function configVolume(plan: KubernetesRedisPlan, secrets: PodSecretNames): k8s.types.input.core.v1.Volume {
    if ((plan.tls === undefined) !== (secrets.tls === undefined)) {
        throw new Error(`planPodSpec: the TLS Secret must be given exactly when TLS is planned (tls: ${plan.tls !== undefined})`);
    }
    if (!secrets.tls) return { name: "config", secret: { secretName: secrets.config, defaultMode: 0o440 } };
    return {
        name: "config",
        // One directory for the rendered files and the certificate, as on Docker.
        projected: {
            defaultMode: 0o440,
            sources: [
                { secret: { name: secrets.config } },
                { secret: { name: secrets.tls, items: Object.values(TLS_FILES).map((file) => ({ key: file, path: file })) } },
            ],
        },
    };
}

/**
 * Exec probes pinging `port` with the server's client (redis-cli, valkey-cli). `sh -c` so they can filter its reply; the password
 * (of the app user, in the mounted `password` file) only travels on stdin.
 */
export function pingProbe(plan: KubernetesRedisPlan, port: number, accepted: string[], authenticated: boolean) {
    return {
        exec: {
            command: [
                "sh",
                "-c",
                pingCommand(plan.server.family, port, accepted, {
                    auth: authenticated ? { user: APP_USER, passwordFile: `${CONFIG_DIR}/password` } : undefined,
                    tls: plan.tls && { clientCertificate: plan.tls.requireClientCertificates },
                }),
            ],
        },
        timeoutSeconds: 5,
    };
}

/**
 * The exporter's files, read-only and readable by owner (root) and group (the pod's fsGroup, which
 * the exporter's user gets as a supplementary group) only; mounted into the exporter alone, so
 * Redis's container never sees the metrics password.
 */
function metricsVolume(plan: KubernetesRedisPlan, secrets: PodSecretNames): k8s.types.input.core.v1.Volume[] {
    if ((plan.metrics === undefined) !== (secrets.metrics === undefined)) {
        throw new Error(
            `planPodSpec: the metrics Secret must be given exactly when metrics are planned (metrics: ${plan.metrics !== undefined})`,
        );
    }
    return secrets.metrics ? [{ name: "metrics", secret: { secretName: secrets.metrics, defaultMode: 0o440 } }] : [];
}

/**
 * The redis_exporter sidecar, or none without metrics. The official image is FROM scratch with
 * no shell, so argv only and an HTTP probe: `/health` answers `ok` whether Redis is up or not
 * (checked on Debian's 1.45; the handler is unchanged in 1.63), so it says the exporter is alive
 * and nothing about Redis, which `redis_up` reports. No readiness probe: a pod is ready only
 * when all its containers are, and an exporter in trouble must not take Redis out of its Service.
 */
function exporterContainers(plan: KubernetesRedisPlan): k8s.types.input.core.v1.Container[] {
    const metrics = plan.metrics;
    if (metrics === undefined) return [];
    const memory = `${EXPORTER_MEMORY_MB}Mi`;
    return [
        {
            name: "redis-exporter",
            image: metrics.image,
            args: exporterArgs({
                address: exporterTarget(plan),
                port: metrics.port,
                tls: plan.tls && { clientCertificate: plan.tls.requireClientCertificates },
            }),
            ...(plan.tls && { env: [POD_NAME_ENV, POD_NAMESPACE_ENV] }),
            ports: [{ name: "metrics", containerPort: metrics.port, protocol: "TCP" }],
            resources: { requests: { cpu: "10m", memory }, limits: { memory } },
            // Its own uid and group (the image's), not Redis's: it cannot touch the data volume.
            securityContext: { ...CONTAINER_SECURITY, runAsUser: EXPORTER_UID, runAsGroup: EXPORTER_UID },
            volumeMounts: [{ name: "metrics", mountPath: EXPORTER_SECRETS_DIR, readOnly: true }],
            livenessProbe: {
                httpGet: { path: "/health", port: "metrics" },
                timeoutSeconds: 5,
                periodSeconds: 10,
                failureThreshold: 6,
            },
        },
    ];
}

/** The Redis pod: hardened security contexts, the topology's command, probes (over TLS with it) and the config volume. */
export function planPodSpec(plan: KubernetesRedisPlan, secrets: PodSecretNames): k8s.types.input.core.v1.PodSpec {
    const { port, cpu } = plan;
    const roles = topologyRoles(plan);
    const memory = `${plan.memoryLimitMb}Mi`;
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        // Redis fsyncs the AOF and exits on SIGTERM; a large AOF needs more than the default 30 s. A
        // primary's handover comes on top, within the same grace.
        terminationGracePeriodSeconds: SHUTDOWN_SECONDS + (roles.handsOver ? HANDOVER_SECONDS : 0),
        securityContext: POD_SECURITY,
        ...(roles.pods > 1 && { affinity: spreadOverNodes(plan, redisSelector(plan)) }),
        containers: [
            {
                name: "redis",
                image: plan.image,
                command: roles.command(plan.server.family),
                ...(roles.env && { env: roles.env }),
                ports: [{ name: "redis", containerPort: port, protocol: "TCP" }],
                resources: {
                    requests: { cpu: cpu.request, memory },
                    limits: { memory, ...(cpu.limit ? { cpu: cpu.limit } : {}) },
                },
                securityContext: CONTAINER_SECURITY,
                volumeMounts: [
                    { name: "data", mountPath: DATA_DIR },
                    { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
                // A NOAUTH or LOADING reply proves the server is alive; loading a large AOF
                // may take minutes, which the startup probe tolerates (120 × 5 s).
                startupProbe: { ...pingProbe(plan, port, ["PONG", "NOAUTH", "LOADING"], false), periodSeconds: 5, failureThreshold: 120 },
                livenessProbe: { ...pingProbe(plan, port, ["PONG", "NOAUTH", "LOADING"], false), periodSeconds: 10, failureThreshold: 6 },
                // Ready only once it answers an authenticated PING: not while LOADING, nor, a replica, until it
                // is in sync with its primary (it answers MASTERDOWN until then: replica-serve-stale-data no).
                readinessProbe: { ...pingProbe(plan, port, ["PONG"], true), periodSeconds: 5, failureThreshold: 3 },
            },
            ...exporterContainers(plan),
        ],
        volumes: [configVolume(plan, secrets), { name: "tmp", emptyDir: { sizeLimit: "16Mi" } }, ...metricsVolume(plan, secrets)],
    };
}

/** What the StatefulSet is wired to: resources created before it, passed as their (possibly unknown) names. */
export interface StatefulSetWiring {
    namespace: pulumi.Input<string>;
    /** The headless Service's name (as its output, so the StatefulSet waits for it). */
    serviceName: pulumi.Input<string>;
    /** Hash of everything the pods start from, on the pod template so a change rolls them. */
    configSha256: pulumi.Input<string>;
    secrets: PodSecretNames;
}

/** A StatefulSet of `pods` pods with a claim named `data` each (kept or deleted with them), rolled when `configSha256` changes. */
export function statefulSet(
    name: string,
    labels: Record<string, string>,
    selector: Record<string, string>,
    pods: number,
    storage: { size: string; className?: string; whenGone: "Retain" | "Delete" },
    wiring: StatefulSetWiring,
    spec: k8s.types.input.core.v1.PodSpec,
): k8s.apps.v1.StatefulSetArgs {
    return {
        metadata: { name, namespace: wiring.namespace, labels },
        spec: {
            serviceName: wiring.serviceName,
            replicas: pods,
            selector: { matchLabels: selector },
            podManagementPolicy: "OrderedReady",
            updateStrategy: { type: "RollingUpdate" },
            persistentVolumeClaimRetentionPolicy: { whenDeleted: storage.whenGone, whenScaled: storage.whenGone },
            template: { metadata: { labels, annotations: { "hardened-redis/config-sha256": wiring.configSha256 } }, spec },
            volumeClaimTemplates: [
                {
                    metadata: { name: "data", labels },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        storageClassName: storage.className,
                        resources: { requests: { storage: storage.size } },
                    },
                },
            ],
        },
    };
}

/** The StatefulSet: the topology's pod count, started in order, a retained data claim per pod. */
export function planStatefulSet(plan: KubernetesRedisPlan, wiring: StatefulSetWiring): k8s.apps.v1.StatefulSetArgs {
    const pods = topologyRoles(plan).pods;
    // The data outlives the StatefulSet: a replacement or a scale-down must not take it along.
    const storage = { ...plan.storage, whenGone: "Retain" as const };
    return statefulSet(plan.name, redisLabels(plan), redisSelector(plan), pods, storage, wiring, planPodSpec(plan, wiring.secrets));
}
