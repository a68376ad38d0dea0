// What KubernetesRedis deploys, planned as plain values: the pod spec, the StatefulSet, the
// Services, the NetworkPolicy and the PodDisruptionBudget. Planning only: pure functions over one
// plan object, no resources (Pulumi and Kubernetes are imported for their types alone), so each
// decision is tested directly. The topology is decided once, in the plan; `topologyRoles` is the
// only place that reads its kind, and every other function reads the roles it returns.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { redisAlertRules, type AlertRuleGroup } from "../../redis/metrics/alertRules";
import type { ContainerCpu } from "../common/serverArgs";
import {
    EXPORTER_FILES,
    EXPORTER_MEMORY_MB,
    EXPORTER_SECRETS_DIR,
    EXPORTER_UID,
    exporterAddress,
    exporterArgs,
    exporterPasswordFile,
} from "../../redis/metrics/exporter";
import {
    CONFIG_DIR,
    DATA_DIR,
    pingCommand,
    REDIS_GID,
    REDIS_UID,
    SENTINEL_DIR,
    SENTINEL_MEMORY_MB,
    serverCommand,
    TLS_FILES,
} from "../../redis/container";
import { RedisConfigError } from "../../redis/redisConfigError";
import { APP_USER } from "../../redis/acl/users";
import { type SentinelPlan } from "../../redis/sentinel/topology";
import { sentinelCommand } from "../../redis/sentinel/sentinelConfig";
import { SENTINEL_PORT } from "../../policies/shared/ports";
import { MetricsPlan, planMetrics } from "../common/metricsArgs";

/**
 * How the Redis pods relate to one another. `standalone`: one pod. `replicated`: pod 0 is the
 * primary, the other `replicas - 1` pods replicate it read-only. `sentinel`: pod 0 starts as the
 * primary, and a StatefulSet of Sentinels promotes a replica when the primary is gone.
 */
export type KubernetesTopology =
    { kind: "standalone" } | { kind: "replicated"; replicas: number } | { kind: "sentinel"; replicas: number; sentinel: SentinelPlan };

/** Everything the planning functions need, decided once from the component's arguments. */
export interface KubernetesRedisPlan {
    /** The component's name: of the StatefulSet, the client Service and (with a suffix) the headless Service. */
    name: string;
    topology: KubernetesTopology;
    /** The port Redis listens on, in plaintext or TLS. */
    port: number;
    image: string;
    memoryLimitMb: number;
    cpu: Pick<ContainerCpu, "request" | "limit">;
    /** Each pod's data claim. */
    storage: { size: string; className?: string };
    /** Who may connect: pods carrying `label`, in the Redis namespace or in namespaces carrying all `namespaceLabels`. */
    clients: { label: Record<string, string>; namespaceLabels?: Record<string, string> };
    /** Let the Redis pods open any outbound connection, not only DNS and the topology's own peers. */
    allowAllEgress: boolean;
    /** TLS on every hop (clients, replication, probes); undefined for plaintext. */
    tls?: { requireClientCertificates: boolean };
    /** A redis_exporter sidecar in every Redis pod, scraped only by the given pods; undefined without metrics. */
    metrics?: KubernetesMetricsPlan;
}

/** What the metrics of a KubernetesRedis are planned from. */
export interface KubernetesMetricsPlan extends MetricsPlan {
    /** Who may scrape: pods carrying `podLabels` (in the Redis namespace unless `namespaceLabels`), in namespaces carrying `namespaceLabels`. */
    scrapers: { namespaceLabels?: Record<string, string>; podLabels?: Record<string, string> };
    serviceMonitor: boolean;
    prometheusRule: boolean;
    monitorLabels?: Record<string, string>;
}

/** The topology of `replicas` pods (1 to 16, checked with the other arguments), watched by Sentinels when planned. */
export function kubernetesTopology(replicas: number, sentinel?: SentinelPlan): KubernetesTopology {
    if (sentinel) return { kind: "sentinel", replicas, sentinel };
    return replicas > 1 ? { kind: "replicated", replicas } : { kind: "standalone" };
}

/** The parsed `metrics` argument of KubernetesRedis (see `kubernetesMetricsArgs`). */
export interface ParsedKubernetesMetrics extends MetricsPlan {
    enabled: boolean;
    scrapeNamespaceLabels?: Record<string, string>;
    scrapePodLabels?: Record<string, string>;
    serviceMonitor: boolean;
    prometheusRule: boolean;
    monitorLabels?: Record<string, string>;
}

const SCRAPERS_ALLOWED = "metrics.scrapeNamespaceLabels and/or metrics.scrapePodLabels, each with at least one label";

/**
 * The metrics plan, or undefined without metrics. Throws {@link RedisConfigError} as
 * {@link planMetrics} does, and when nobody is named to scrape: an empty selector would admit
 * every pod (or every namespace), so "nothing scrapes unless you say who" needs a label.
 */
export function planKubernetesMetrics(
    settings: ParsedKubernetesMetrics,
    given: unknown,
    redisPort: number,
): KubernetesMetricsPlan | undefined {
    const plan = planMetrics(settings, given, redisPort);
    if (plan === undefined) return undefined;
    const { scrapeNamespaceLabels: namespaceLabels, scrapePodLabels: podLabels } = plan;
    for (const [setting, labels] of Object.entries({ scrapeNamespaceLabels: namespaceLabels, scrapePodLabels: podLabels })) {
        if (labels !== undefined && Object.keys(labels).length === 0)
            throw new RedisConfigError(`metrics.${setting}`, SCRAPERS_ALLOWED, "{}");
    }
    if (namespaceLabels === undefined && podLabels === undefined) {
        throw new RedisConfigError("metrics.scrapeNamespaceLabels", SCRAPERS_ALLOWED, "neither");
    }
    return {
        image: plan.image,
        port: plan.port,
        scrapers: { namespaceLabels, podLabels },
        serviceMonitor: plan.serviceMonitor,
        prometheusRule: plan.prometheusRule,
        monitorLabels: plan.monitorLabels,
    };
}

/** Labels every object of the component carries. */
export function redisLabels(plan: Pick<KubernetesRedisPlan, "name">): Record<string, string> {
    return { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": plan.name, "app.kubernetes.io/managed-by": "hardened-redis" };
}

/** The labels that select the component's Redis pods (all of them). */
export function redisSelector(plan: Pick<KubernetesRedisPlan, "name">): Record<string, string> {
    return { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": plan.name };
}

/** Name of the headless Service that gives each pod a stable DNS name. */
export function headlessServiceName(plan: Pick<KubernetesRedisPlan, "name">): string {
    return `${plan.name}-headless`;
}

/** Name of pod `ordinal` of the StatefulSet (named after the component). */
export function podName(plan: Pick<KubernetesRedisPlan, "name">, ordinal: number): string {
    return `${plan.name}-${ordinal}`;
}

/** Name of the Sentinels' StatefulSet and of their headless Service (so a Sentinel pod is `<name>-sentinel-<n>.<name>-sentinel`). */
export function sentinelName(plan: Pick<KubernetesRedisPlan, "name">): string {
    return `${plan.name}-sentinel`;
}

/** Labels of the Sentinel pods and objects: not the Redis pods' `app.kubernetes.io/name`, so no Redis selector picks them. */
export function sentinelLabels(plan: Pick<KubernetesRedisPlan, "name">): Record<string, string> {
    return { ...redisLabels(plan), "app.kubernetes.io/name": "redis-sentinel" };
}

/** The labels that select the component's Sentinel pods. */
export function sentinelSelector(plan: Pick<KubernetesRedisPlan, "name">): Record<string, string> {
    return { ...redisSelector(plan), "app.kubernetes.io/name": "redis-sentinel" };
}

/**
 * A pod's own DNS name through a headless Service, spelled in the shell: the pod learns its name
 * from its hostname and its namespace from the downward API (`POD_NAMESPACE`). The
 * `<pod>.<service>.<namespace>.svc` form resolves through the search path whatever the cluster domain.
 */
function ownDnsName(service: string): string {
    return `\${HOSTNAME}.${service}.\${POD_NAMESPACE}.svc`;
}

/** The pod's namespace as `POD_NAMESPACE`, for {@link ownDnsName}. */
const POD_NAMESPACE_ENV = { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } };

/** The pod's name as `POD_NAME`, for the exporter's `$(POD_NAME)` (Kubernetes expands it in args; no shell runs there). */
const POD_NAME_ENV = { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } };

/** What a topology decides about the Redis pods. */
export interface TopologyRoles {
    /** Pods in the StatefulSet. */
    pods: number;
    /** The container's command: which rendered file each pod starts Redis from. */
    command: string[];
    /** The pod the others start replicating from; undefined when no pod replicates (no replica.conf, no replication user). */
    replication?: { primaryPod: string };
    /** What the client Service sends clients to: the pods that take writes, or the Sentinels that name the primary. */
    clientService: { selector: Record<string, string>; port: number; portName: string };
    /** Pods other than clients that connect to the Redis port and that the Redis pods connect to (replication). */
    peers: k8s.types.input.networking.v1.NetworkPolicyPeer[];
    /** Pods that connect to the Redis port but that Redis never connects to (Sentinels). */
    watchers: k8s.types.input.networking.v1.NetworkPolicyPeer[];
    /** The Redis pods' disruption budget; undefined when there is nothing to keep available through a voluntary eviction. */
    disruptionBudget?: { maxUnavailable: number };
    /** The Sentinels, when they run: their StatefulSet, Services, NetworkPolicy and budget are planned from it. */
    sentinel?: SentinelPlan;
    /** Environment the Redis container needs (the downward API, for names it announces). */
    env?: k8s.types.input.core.v1.EnvVar[];
}

/**
 * The roles the plan's topology gives the Redis pods. The one switch over the topology: a new
 * topology is a new case here (and whatever resources of its own it adds), not an edit of every
 * planning function.
 */
export function topologyRoles(plan: Pick<KubernetesRedisPlan, "name" | "topology" | "port">): TopologyRoles {
    const topology = plan.topology;
    const writers = (selector: Record<string, string>) => ({ selector, port: plan.port, portName: "redis" });
    // The pod's ordinal is the hostname's last '-' field: pod 0 starts as the primary, the others from replica.conf.
    const primaryOrReplica = (extra: string[]) => {
        const [primary, replica] = [serverCommand("redis.conf"), serverCommand("replica.conf")].map((c) => [...c, ...extra].join(" "));
        return ["sh", "-c", `if [ "\${HOSTNAME##*-}" = 0 ]; then exec ${primary}; else exec ${replica}; fi`];
    };
    const primaryPod = podName(plan, 0);
    const redisPods = [{ podSelector: { matchLabels: redisSelector(plan) } }];
    switch (topology.kind) {
        case "standalone":
            return { pods: 1, command: serverCommand(), clientService: writers(redisSelector(plan)), peers: [], watchers: [] };
        case "replicated":
            return {
                pods: topology.replicas,
                command: primaryOrReplica([]),
                replication: { primaryPod },
                // Writes must reach the primary only; replicas are read-only copies.
                clientService: writers({ ...redisSelector(plan), "statefulset.kubernetes.io/pod-name": primaryPod }),
                peers: redisPods,
                watchers: [],
                disruptionBudget: { maxUnavailable: 1 },
            };
        case "sentinel":
            return {
                pods: topology.replicas,
                // Sentinels and replicas know each server by the name it announces, which survives pod restarts; an address would not.
                // Quoted: the variables expand to one word, so no value can add options of its own.
                command: primaryOrReplica(["--replica-announce-ip", `"${ownDnsName(headlessServiceName(plan))}"`]),
                env: [POD_NAMESPACE_ENV],
                replication: { primaryPod },
                // No label follows a promotion, so no Service can front the primary: clients ask the Sentinels behind it.
                clientService: { selector: sentinelSelector(plan), port: SENTINEL_PORT, portName: "sentinel" },
                peers: redisPods,
                watchers: [{ podSelector: { matchLabels: sentinelSelector(plan) } }],
                disruptionBudget: { maxUnavailable: 1 },
                sentinel: topology.sentinel,
            };
    }
}

/**
 * Where replicas find the primary, for replica.conf; undefined when no pod replicates.
 * `<pod>.<service>.<namespace>.svc` resolves through the pod's DNS search path, whatever the
 * cluster domain is.
 */
export function replicaOf(
    plan: Pick<KubernetesRedisPlan, "name" | "topology" | "port">,
    namespace: string,
): { host: string; port: number } | undefined {
    const replication = topologyRoles(plan).replication;
    if (replication === undefined) return undefined;
    return { host: `${replication.primaryPod}.${headlessServiceName(plan)}.${namespace}.svc`, port: plan.port };
}

/**
 * Each Redis pod and each Sentinel pod by the DNS name it announces (through its headless
 * Service; the `<pod>.<service>.<namespace>.svc` form the pods spell from their hostname and the
 * downward API), with its port.
 */
export function announcedAddresses(
    plan: Pick<KubernetesRedisPlan, "name" | "topology" | "port">,
    namespace: string,
): { servers: Array<{ host: string; port: number }>; sentinels: Array<{ host: string; port: number }> } {
    const roles = topologyRoles(plan);
    const pods = (service: string, pod: (i: number) => string, count: number, port: number) =>
        Array.from({ length: count }, (_, i) => ({ host: `${pod(i)}.${service}.${namespace}.svc`, port }));
    return {
        servers: pods(headlessServiceName(plan), (i) => podName(plan, i), roles.pods, plan.port),
        sentinels: pods(sentinelName(plan), (i) => `${sentinelName(plan)}-${i}`, roles.sentinel?.sentinels ?? 0, SENTINEL_PORT),
    };
}

/**
 * Every name clients, replicas and Sentinels reach a server by, for the certificate's SANs: the
 * client Service (as the `host` output spells it first, then the shorter forms the DNS search path
 * resolves), and each Redis and Sentinel pod by the name it announces.
 */
export function kubernetesDnsNames(plan: Pick<KubernetesRedisPlan, "name" | "topology" | "port">, namespace: string): string[] {
    const { name } = plan;
    const { servers, sentinels } = announcedAddresses(plan, namespace);
    const pods = [...servers, ...sentinels].map((a) => a.host);
    return [
        `${name}.${namespace}.svc.cluster.local`,
        `${name}.${namespace}.svc`,
        `${name}.${namespace}`,
        name,
        ...pods,
        ...pods.map((pod) => `${pod}.cluster.local`),
    ];
}

/** The Secrets a pod mounts, by name: the rendered files, and with TLS the certificate's `kubernetes.io/tls` Secret. */
export interface PodSecretNames {
    config: pulumi.Input<string>;
    /** Required exactly when the plan has TLS. */
    tls?: pulumi.Input<string>;
    /** The exporter's files (see {@link exporterFiles}); required exactly when the plan has metrics. */
    metrics?: pulumi.Input<string>;
}

/** Non-root as the image's redis user, RuntimeDefault seccomp: every pod of the component. */
const POD_SECURITY = {
    runAsNonRoot: true,
    runAsUser: REDIS_UID,
    runAsGroup: REDIS_GID,
    fsGroup: REDIS_GID,
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
};

/** No privilege, no capability, a read-only root filesystem: every container of the component. */
const CONTAINER_SECURITY = {
    runAsNonRoot: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
};

/**
 * Prefer a node of its own for each pod carrying `selector` (a soft rule: a cluster with fewer
 * nodes still schedules them all), so one node going down takes one server or one Sentinel.
 */
function spreadOverNodes(selector: Record<string, string>): k8s.types.input.core.v1.Affinity {
    return {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } } },
            ],
        },
    };
}

/** The rendered files at CONFIG_DIR, with TLS the certificate's Secret projected beside them; group-readable for fsGroup only. */
function configVolume(plan: KubernetesRedisPlan, secrets: PodSecretNames): k8s.types.input.core.v1.Volume {
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
 * Exec probes pinging `port` with redis-cli. `sh -c` so they can filter its reply; the password
 * (of the app user, in the mounted `password` file) only travels on stdin.
 */
function pingProbe(plan: KubernetesRedisPlan, port: number, accepted: string[], authenticated: boolean) {
    return {
        exec: {
            command: [
                "sh",
                "-c",
                pingCommand(port, accepted, {
                    auth: authenticated ? { user: APP_USER, passwordFile: `${CONFIG_DIR}/password` } : undefined,
                    tls: plan.tls && { clientCertificate: plan.tls.requireClientCertificates },
                }),
            ],
        },
        timeoutSeconds: 5,
    };
}

/**
 * Where the exporter connects. Plaintext: `localhost`, which no NetworkPolicy sees. With TLS it
 * must check the server's name, so it dials the pod's own DNS name (one the certificate holds),
 * spelt with `$(POD_NAME)`/`$(POD_NAMESPACE)`, which Kubernetes expands in args from the env.
 */
function exporterTarget(plan: KubernetesRedisPlan, host = `$(POD_NAME).${headlessServiceName(plan)}.$(POD_NAMESPACE).svc`): string {
    return plan.tls ? exporterAddress(host, plan.port, true) : exporterAddress("localhost", plan.port, false);
}

/**
 * Every address an exporter of the StatefulSet dials, spelt out: the password file maps each
 * literal address to the password (redis_exporter looks it up by its `-redis.addr` as given,
 * after Kubernetes expanded it), and one Secret serves every pod.
 */
export function exporterAddresses(plan: KubernetesRedisPlan, namespace: string): string[] {
    if (!plan.tls) return [exporterTarget(plan)];
    return announcedAddresses(plan, namespace).servers.map((server) => exporterTarget(plan, server.host));
}

/** What the exporter's Secret holds, besides the password: the CA to verify Redis by and, with mutual TLS, the identity it presents. */
export interface ExporterTls {
    caCertificate: string;
    client?: { certificate: string; privateKey: string };
}

/**
 * The files of the exporter's Secret (all secret): the password file and, with TLS, the CA and
 * (with `requireClientCertificates`) the client identity the caller chose.
 */
export function exporterFiles(plan: KubernetesRedisPlan, namespace: string, password: string, tls?: ExporterTls): Record<string, string> {
    if ((plan.tls === undefined) !== (tls === undefined)) {
        throw new Error(`exporterFiles: the CA must be given exactly when TLS is planned (tls: ${plan.tls !== undefined})`);
    }
    if (plan.tls && plan.tls.requireClientCertificates !== (tls?.client !== undefined)) {
        throw new Error("exporterFiles: a client identity must be given exactly with requireClientCertificates");
    }
    return {
        [EXPORTER_FILES.passwords]: exporterPasswordFile(exporterAddresses(plan, namespace), password),
        ...(tls && { [EXPORTER_FILES.caCertificate]: tls.caCertificate }),
        ...(tls?.client && { [EXPORTER_FILES.certificate]: tls.client.certificate, [EXPORTER_FILES.privateKey]: tls.client.privateKey }),
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
        // Redis fsyncs the AOF and exits on SIGTERM; a large AOF needs more than the default 30 s.
        terminationGracePeriodSeconds: 60,
        securityContext: POD_SECURITY,
        ...(roles.pods > 1 && { affinity: spreadOverNodes(redisSelector(plan)) }),
        containers: [
            {
                name: "redis",
                image: plan.image,
                command: roles.command,
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
                // Ready only once it answers an authenticated PING (not while LOADING).
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
function statefulSet(
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

/** Each Sentinel's claim: its rewritten config, a few kilobytes (the smallest size most provisioners round up from). */
export const SENTINEL_STORAGE = "64Mi";

/**
 * The Sentinels' pod: hardened as the Redis pod, on the Sentinel port, starting from the rendered
 * `sentinel.conf` on a copy in its claim that keeps what it learnt across restarts, and
 * announcing its own DNS name.
 */
export function planSentinelPodSpec(plan: KubernetesRedisPlan, secrets: PodSecretNames): k8s.types.input.core.v1.PodSpec | undefined {
    const sentinel = topologyRoles(plan).sentinel;
    if (sentinel === undefined) return undefined;
    const memory = `${SENTINEL_MEMORY_MB}Mi`;
    const alive = ["PONG", "NOAUTH"];
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: 30,
        securityContext: POD_SECURITY,
        affinity: spreadOverNodes(sentinelSelector(plan)),
        containers: [
            {
                name: "sentinel",
                image: plan.image,
                command: sentinelCommand({
                    renderedFile: `${CONFIG_DIR}/sentinel.conf`,
                    dataDir: SENTINEL_DIR,
                    masterName: sentinel.masterName,
                    announceHost: ownDnsName(sentinelName(plan)),
                }),
                env: [POD_NAMESPACE_ENV],
                ports: [{ name: "sentinel", containerPort: SENTINEL_PORT, protocol: "TCP" }],
                resources: { requests: { cpu: "50m", memory }, limits: { memory } },
                securityContext: CONTAINER_SECURITY,
                volumeMounts: [
                    { name: "data", mountPath: SENTINEL_DIR },
                    { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
                startupProbe: { ...pingProbe(plan, SENTINEL_PORT, alive, false), periodSeconds: 2, failureThreshold: 30 },
                livenessProbe: { ...pingProbe(plan, SENTINEL_PORT, alive, false), periodSeconds: 10, failureThreshold: 6 },
                readinessProbe: { ...pingProbe(plan, SENTINEL_PORT, ["PONG"], true), periodSeconds: 5, failureThreshold: 3 },
            },
        ],
        volumes: [configVolume(plan, secrets), { name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
    };
}

/** The Sentinels' StatefulSet, or undefined without Sentinel. */
export function planSentinelStatefulSet(plan: KubernetesRedisPlan, wiring: StatefulSetWiring): k8s.apps.v1.StatefulSetArgs | undefined {
    const sentinel = topologyRoles(plan).sentinel;
    const spec = planSentinelPodSpec(plan, wiring.secrets);
    if (sentinel === undefined || spec === undefined) return undefined;
    // A Sentinel's claim holds only what it learnt, which a Sentinel scaled away and back, or disabled and enabled again, must not
    // bring back: it would name a primary from long ago.
    const storage = { size: SENTINEL_STORAGE, className: plan.storage.className, whenGone: "Delete" as const };
    return statefulSet(sentinelName(plan), sentinelLabels(plan), sentinelSelector(plan), sentinel.sentinels, storage, wiring, spec);
}

/**
 * The Services: `headless` for stable per-pod DNS names, `client` (ClusterIP) for clients,
 * `sentinel` (headless) with Sentinels, `metrics` (ClusterIP) with metrics.
 */
export interface PlannedServices {
    headless: k8s.core.v1.ServiceArgs;
    client: k8s.core.v1.ServiceArgs;
    sentinel?: k8s.core.v1.ServiceArgs;
    metrics?: k8s.core.v1.ServiceArgs;
}

/** Name of the metrics Service (and the Prometheus job a ServiceMonitor names after it). */
export function metricsServiceName(plan: Pick<KubernetesRedisPlan, "name">): string {
    return `${plan.name}-metrics`;
}

/** Labels of the metrics Service, which a ServiceMonitor selects it by: not the client Service's. */
export function metricsServiceLabels(plan: Pick<KubernetesRedisPlan, "name">): Record<string, string> {
    return { ...redisLabels(plan), "app.kubernetes.io/component": "metrics" };
}

/** The Services, never NodePort, LoadBalancer or external IPs. */
export function planServices(plan: KubernetesRedisPlan, namespace: pulumi.Input<string>): PlannedServices {
    const roles = topologyRoles(plan);
    const port = (name: string, number: number) => [{ name, port: number, targetPort: name, protocol: "TCP" }];
    const front = roles.clientService;
    return {
        headless: {
            metadata: { name: headlessServiceName(plan), namespace, labels: redisLabels(plan) },
            // Stable per-pod DNS names, so replicas find pod 0 before it is ready.
            spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: redisSelector(plan), ports: port("redis", plan.port) },
        },
        client: {
            metadata: { name: plan.name, namespace, labels: redisLabels(plan) },
            spec: { type: "ClusterIP", selector: front.selector, ports: port(front.portName, front.port) },
        },
        // A Service of its own, not a port on the client Service: that one fronts only the primary
        // (replicated) or only the Sentinels, and every Redis server's exporter must be a target.
        ...(plan.metrics && {
            metrics: {
                metadata: { name: metricsServiceName(plan), namespace, labels: metricsServiceLabels(plan) },
                // Not-ready pods too: a server that is loading or failing is when its metrics matter most.
                spec: {
                    type: "ClusterIP",
                    publishNotReadyAddresses: true,
                    selector: redisSelector(plan),
                    ports: port("metrics", plan.metrics.port),
                },
            },
        }),
        ...(roles.sentinel && {
            sentinel: {
                metadata: { name: sentinelName(plan), namespace, labels: sentinelLabels(plan) },
                // Each Sentinel by name, as the connection string lists them; they find each other before they are ready.
                spec: {
                    clusterIP: "None",
                    publishNotReadyAddresses: true,
                    selector: sentinelSelector(plan),
                    ports: port("sentinel", SENTINEL_PORT),
                },
            },
        }),
    };
}

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** Labelled client pods, in the Redis namespace or in namespaces carrying all of `namespaceLabels`. */
function clientPeers(plan: KubernetesRedisPlan): NetworkPolicyPeer[] {
    const clients: NetworkPolicyPeer[] = [{ podSelector: { matchLabels: plan.clients.label } }];
    if (plan.clients.namespaceLabels) {
        // One peer with both selectors: labelled pods in matching namespaces (AND, not OR).
        clients.push({
            namespaceSelector: { matchLabels: plan.clients.namespaceLabels },
            podSelector: { matchLabels: plan.clients.label },
        });
    }
    return clients;
}

/** Egress: everything with `allowAllEgress`; otherwise the cluster DNS and each `[peers, port]` given. */
function egress(
    plan: KubernetesRedisPlan,
    ...to: Array<[NetworkPolicyPeer[], number]>
): k8s.types.input.networking.v1.NetworkPolicyEgressRule[] {
    if (plan.allowAllEgress) return [{}];
    // Cluster DNS only (names are resolved, never addresses kept); not port 53 anywhere, which
    // would leave a tunnel out of a compromised pod.
    const dns = {
        to: [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
        ],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    };
    // An egress rule with an empty `to` admits every destination: add a peers' rule only when there are peers.
    return [dns, ...to.filter(([peers]) => peers.length > 0).map(([peers, port]) => ({ to: peers, ports: [{ protocol: "TCP", port }] }))];
}

/**
 * The NetworkPolicy of the Redis pods: ingress on the Redis port from labelled clients, the
 * topology's peers and its watchers (Sentinels); egress to the cluster DNS and the peers only,
 * unless `allowAllEgress`.
 */
export function planNetworkPolicy(plan: KubernetesRedisPlan, namespace: pulumi.Input<string>): k8s.networking.v1.NetworkPolicyArgs {
    const roles = topologyRoles(plan);
    // With TLS the exporter dials its own pod by name, not localhost: the pod's own address, which
    // some network plugins hold to the policy like any other. The replicating topologies admit
    // the Redis pods already; a lone pod must admit itself.
    const peers =
        plan.metrics && plan.tls && roles.peers.length === 0 ? [{ podSelector: { matchLabels: redisSelector(plan) } }] : roles.peers;
    return {
        metadata: { namespace, labels: redisLabels(plan) },
        spec: {
            podSelector: { matchLabels: redisSelector(plan) },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                { from: [...clientPeers(plan), ...peers, ...roles.watchers], ports: [{ protocol: "TCP", port: plan.port }] },
                ...(plan.metrics ? [{ from: [scraperPeer(plan.metrics)], ports: [{ protocol: "TCP", port: plan.metrics.port }] }] : []),
            ],
            egress: egress(plan, [peers, plan.port]),
        },
    };
}

/** The pods that may scrape: one peer, so with both selectors it takes labelled pods in labelled namespaces (AND, not OR). */
function scraperPeer(metrics: KubernetesMetricsPlan): NetworkPolicyPeer {
    const { namespaceLabels, podLabels } = metrics.scrapers;
    return {
        ...(namespaceLabels && { namespaceSelector: { matchLabels: namespaceLabels } }),
        ...(podLabels && { podSelector: { matchLabels: podLabels } }),
    };
}

/** A Prometheus Operator resource (ServiceMonitor or PrometheusRule), as `k8s.apiextensions.CustomResource` takes it. */
export interface PlannedCustomResource {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string> };
    spec: Record<string, unknown>;
}

/** The ServiceMonitor, or undefined unless asked for: every Redis server's exporter, through the metrics Service's `metrics` port. */
export function planServiceMonitor(plan: KubernetesRedisPlan, namespace: pulumi.Input<string>): PlannedCustomResource | undefined {
    if (!plan.metrics?.serviceMonitor) return undefined;
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: metricsServiceName(plan), namespace, labels: { ...plan.metrics.monitorLabels, ...redisLabels(plan) } },
        spec: {
            selector: { matchLabels: metricsServiceLabels(plan) },
            namespaceSelector: { matchNames: [namespace] },
            endpoints: [{ port: "metrics", path: "/metrics", scheme: "http" }],
        },
    };
}

/** The shipped alerts, for the Prometheus job the ServiceMonitor names after the metrics Service. */
export function planAlertRules(plan: KubernetesRedisPlan): AlertRuleGroup[] {
    return redisAlertRules({ job: metricsServiceName(plan), replicas: topologyRoles(plan).pods > 1 });
}

/** The PrometheusRule, or undefined unless asked for. */
export function planPrometheusRule(plan: KubernetesRedisPlan, namespace: pulumi.Input<string>): PlannedCustomResource | undefined {
    if (!plan.metrics?.prometheusRule) return undefined;
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: plan.name, namespace, labels: { ...plan.metrics.monitorLabels, ...redisLabels(plan) } },
        spec: { groups: planAlertRules(plan) },
    };
}

/** Where the metrics Service serves `/metrics` (one pod's, whichever the Service picks), or undefined without metrics. */
export function metricsEndpoint(plan: KubernetesRedisPlan, namespace: string): string | undefined {
    return plan.metrics && `http://${metricsServiceName(plan)}.${namespace}.svc:${plan.metrics.port}/metrics`;
}

/**
 * The Sentinels' NetworkPolicy, or undefined without Sentinel: ingress on the Sentinel port from
 * labelled clients and the other Sentinels; egress to the cluster DNS, the Redis pods and the
 * other Sentinels only, unless `allowAllEgress`.
 */
export function planSentinelNetworkPolicy(
    plan: KubernetesRedisPlan,
    namespace: pulumi.Input<string>,
): k8s.networking.v1.NetworkPolicyArgs | undefined {
    if (topologyRoles(plan).sentinel === undefined) return undefined;
    const sentinels = [{ podSelector: { matchLabels: sentinelSelector(plan) } }];
    const redis = [{ podSelector: { matchLabels: redisSelector(plan) } }];
    return {
        metadata: { namespace, labels: sentinelLabels(plan) },
        spec: {
            podSelector: { matchLabels: sentinelSelector(plan) },
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [...clientPeers(plan), ...sentinels], ports: [{ protocol: "TCP", port: SENTINEL_PORT }] }],
            egress: egress(plan, [redis, plan.port], [sentinels, SENTINEL_PORT]),
        },
    };
}

/** The Redis pods' PodDisruptionBudget, or undefined when the topology needs none (a single pod). */
export function planDisruptionBudget(
    plan: KubernetesRedisPlan,
    namespace: pulumi.Input<string>,
): k8s.policy.v1.PodDisruptionBudgetArgs | undefined {
    const budget = topologyRoles(plan).disruptionBudget;
    if (budget === undefined) return undefined;
    return { metadata: { namespace, labels: redisLabels(plan) }, spec: { ...budget, selector: { matchLabels: redisSelector(plan) } } };
}

/**
 * The Sentinels' PodDisruptionBudget, or undefined without Sentinel: a drain never leaves fewer
 * than `quorum` Sentinels (at least a majority), the number a failover needs to start and be authorised.
 */
export function planSentinelDisruptionBudget(
    plan: KubernetesRedisPlan,
    namespace: pulumi.Input<string>,
): k8s.policy.v1.PodDisruptionBudgetArgs | undefined {
    const sentinel = topologyRoles(plan).sentinel;
    if (sentinel === undefined) return undefined;
    return {
        metadata: { namespace, labels: sentinelLabels(plan) },
        spec: { minAvailable: sentinel.quorum, selector: { matchLabels: sentinelSelector(plan) } },
    };
}
