// What KubernetesRedis deploys, planned as plain values: pure functions over one plan object, no
// resources (Pulumi and Kubernetes are imported for their types alone), so each decision is tested
// directly. This file holds the plan and the topology: decided once, in the plan; `topologyRoles`
// is the only place that reads its kind, and every other function reads the roles it returns.
// Beside it: pods.ts (the Redis pods), network.ts (Services, NetworkPolicy, disruption budget),
// sentinel.ts (the Sentinels' pods, policy and budget) and monitoring.ts (exporter, ServiceMonitor,
// PrometheusRule).
import type * as k8s from "@pulumi/kubernetes";
import type { ContainerCpu } from "../../common/serverArgs";
import { serverCommand } from "../../../redis/container";
import type { RedisServerKind } from "../../../redis/servers";
import type { ServerFamily } from "../../../policies/shared/programs";
import { type SentinelPlan } from "../../../redis/sentinel/topology";
import { sentinelServerCommand } from "../../../redis/sentinel/sentinelConfig";
import { SENTINEL_PORT } from "../../../policies/shared/ports";
import { MetricsPlan } from "../../common/metricsArgs";
import type { DnsPeerPlan } from "./network";

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
    /** The server it runs (Redis 7, Redis 8, Valkey 8). */
    server: RedisServerKind;
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
    /** The DNS servers the pods may query unless `allowAllEgress`: the cluster DNS (network.ts's CLUSTER_DNS) unless the arguments name others. */
    dns: DnsPeerPlan[];
    /** `preferred`: a node of its own for each pod where there is one; `required`: a node of its own or none (the pod stays Pending). */
    antiAffinity: "preferred" | "required";
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
export function ownDnsName(service: string): string {
    return `\${HOSTNAME}.${service}.\${POD_NAMESPACE}.svc`;
}

/** The pod's namespace as `POD_NAMESPACE`, for {@link ownDnsName}. */
export const POD_NAMESPACE_ENV = { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } };

/** The pod's name as `POD_NAME`, for the exporter's `$(POD_NAME)` (Kubernetes expands it in args; no shell runs there). */
export const POD_NAME_ENV = { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } };

/** What a topology decides about the Redis pods. */
export interface TopologyRoles {
    /** Pods in the StatefulSet. */
    pods: number;
    /** The container's command, with the programs of the server's family: which rendered file each pod starts Redis from. */
    command(family: ServerFamily): string[];
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
    /** Whether a stopped primary hands over first (a Sentinel topology's): its stop grace covers the handover. */
    handsOver?: boolean;
    /** Environment the Redis container needs (the downward API, for names it announces). */
    env?: k8s.types.input.core.v1.EnvVar[];
}

/**
 * The roles the plan's topology gives the Redis pods. The one switch over the topology: a new
 * topology is a new case here (and whatever resources of its own it adds), not an edit of every
 * planning function.
 */
export function topologyRoles(plan: Pick<KubernetesRedisPlan, "name" | "topology" | "port" | "tls">): TopologyRoles {
    const topology = plan.topology;
    const writers = (selector: Record<string, string>) => ({ selector, port: plan.port, portName: "redis" });
    // The pod's ordinal is the hostname's last '-' field: pod 0 starts as the primary, the others from replica.conf.
    const primaryOrReplica = (family: ServerFamily) => {
        const [primary, replica] = ["redis.conf", "replica.conf"].map((file) => serverCommand(family, file).join(" "));
        return ["sh", "-c", `if [ "\${HOSTNAME##*-}" = 0 ]; then exec ${primary}; else exec ${replica}; fi`];
    };
    const primaryPod = podName(plan, 0);
    const redisPods = [{ podSelector: { matchLabels: redisSelector(plan) } }];
    switch (topology.kind) {
        case "standalone":
            return {
                pods: 1,
                command: (family) => serverCommand(family),
                clientService: writers(redisSelector(plan)),
                peers: [],
                watchers: [],
            };
        case "replicated":
            return {
                pods: topology.replicas,
                command: primaryOrReplica,
                replication: { primaryPod },
                // Writes must reach the primary only; replicas are read-only copies.
                clientService: writers({ ...redisSelector(plan), "statefulset.kubernetes.io/pod-name": primaryPod }),
                peers: redisPods,
                watchers: [],
                disruptionBudget: { maxUnavailable: 1 },
            };
        case "sentinel": {
            // Each pod in the role the Sentinels name, handing over when the kubelet stops a primary (its
            // SIGTERM reaches the start script, Redis's parent): see policies/shared/serverStart.ts.
            // Sentinels and replicas know each server by the name it announces, which survives pod
            // restarts (an address would not), spelt as the pods spell their own: the namespace from
            // the downward API.
            const { servers, sentinels } = podAddresses(plan, "${POD_NAMESPACE}", topology.replicas, topology.sentinel.sentinels);
            return {
                pods: topology.replicas,
                command: (family) =>
                    sentinelServerCommand(family, {
                        self: ownDnsName(headlessServiceName(plan)),
                        firstPrimary: servers[0].host,
                        port: plan.port,
                        sentinels,
                        sentinel: topology.sentinel,
                        tls: plan.tls && { clientCertificate: plan.tls.requireClientCertificates },
                    }),
                handsOver: true,
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
    return podAddresses(plan, namespace, roles.pods, roles.sentinel?.sentinels ?? 0);
}

/** The announced names of `servers` Redis pods and `sentinels` Sentinel pods, with their ports. */
function podAddresses(
    plan: Pick<KubernetesRedisPlan, "name" | "port">,
    namespace: string,
    servers: number,
    sentinels: number,
): { servers: Array<{ host: string; port: number }>; sentinels: Array<{ host: string; port: number }> } {
    const pods = (service: string, pod: (i: number) => string, count: number, port: number) =>
        Array.from({ length: count }, (_, i) => ({ host: `${pod(i)}.${service}.${namespace}.svc`, port }));
    return {
        servers: pods(headlessServiceName(plan), (i) => podName(plan, i), servers, plan.port),
        sentinels: pods(sentinelName(plan), (i) => `${sentinelName(plan)}-${i}`, sentinels, SENTINEL_PORT),
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
