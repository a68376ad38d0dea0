// Who reaches the Redis pods and how many may be down: the Services, the NetworkPolicy and the disruption budget (see topology.ts).
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { SENTINEL_PORT } from "../../../policies/shared/ports";
import { metricsServiceLabels, metricsServiceName } from "./monitoring";
import {
    KubernetesMetricsPlan,
    KubernetesRedisPlan,
    headlessServiceName,
    redisLabels,
    redisSelector,
    sentinelLabels,
    sentinelName,
    sentinelSelector,
    topologyRoles,
} from "./topology";

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

export type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/**
 * A DNS server the pods may query when egress is restricted: pods by their labels and their
 * namespace's (one peer, so both must hold), or an address range, and the ports it answers on
 * (UDP and TCP each, as the pods reach it after a Service's port translation).
 */
export interface DnsPeerPlan {
    /** Namespaces carrying all of these labels; without `podLabels`, every pod in them. */
    namespaceLabels?: Record<string, string>;
    /** Pods carrying all of these labels; without `namespaceLabels`, in the Redis namespace only. */
    podLabels?: Record<string, string>;
    /** An address range in CIDR notation (never with the labels: a NetworkPolicy peer is one or the other). */
    ipBlock?: string;
    ports: number[];
}

/** The cluster DNS of most clusters: the kube-dns or CoreDNS pods (`k8s-app: kube-dns`) in `kube-system`, on port 53. */
export const CLUSTER_DNS: DnsPeerPlan[] = [
    { namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" }, podLabels: { "k8s-app": "kube-dns" }, ports: [53] },
];

// The plan's DNS servers, declared here beside the egress rules they make (the plan itself lives in topology.ts).
/** The NetworkPolicy peer of a DNS server. */
function dnsPeer({ namespaceLabels, podLabels, ipBlock }: DnsPeerPlan): NetworkPolicyPeer {
    if (ipBlock !== undefined) return { ipBlock: { cidr: ipBlock } };
    return {
        ...(namespaceLabels && { namespaceSelector: { matchLabels: namespaceLabels } }),
        ...(podLabels && { podSelector: { matchLabels: podLabels } }),
    };
}

/** Labelled client pods, in the Redis namespace or in namespaces carrying all of `namespaceLabels`. */
export function clientPeers(plan: KubernetesRedisPlan): NetworkPolicyPeer[] {
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

/**
 * Egress: everything with `allowAllEgress`; otherwise the plan's DNS servers (a rule each, first)
 * and each `[peers, port]` given.
 */
export function egress(
    plan: KubernetesRedisPlan,
    ...to: Array<[NetworkPolicyPeer[], number]>
): k8s.types.input.networking.v1.NetworkPolicyEgressRule[] {
    if (plan.allowAllEgress) return [{}];
    // The DNS servers only (names are resolved, never addresses kept); not port 53 anywhere, which
    // would leave a tunnel out of a compromised pod.
    const dns = plan.dns.map((server) => ({
        to: [dnsPeer(server)],
        ports: server.ports.flatMap((port) => [
            { protocol: "UDP", port },
            { protocol: "TCP", port },
        ]),
    }));
    // An egress rule with an empty `to` admits every destination: add a peers' rule only when there are peers.
    return [
        ...dns,
        ...to.filter(([peers]) => peers.length > 0).map(([peers, port]) => ({ to: peers, ports: [{ protocol: "TCP", port }] })),
    ];
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

/** The Redis pods' PodDisruptionBudget, or undefined when the topology needs none (a single pod). */
export function planDisruptionBudget(
    plan: KubernetesRedisPlan,
    namespace: pulumi.Input<string>,
): k8s.policy.v1.PodDisruptionBudgetArgs | undefined {
    const budget = topologyRoles(plan).disruptionBudget;
    if (budget === undefined) return undefined;
    return { metadata: { namespace, labels: redisLabels(plan) }, spec: { ...budget, selector: { matchLabels: redisSelector(plan) } } };
}
