// What KubernetesRedis deploys, planned as plain values: the pod spec, the StatefulSet, the
// Services, the NetworkPolicy and the PodDisruptionBudget. Planning only: pure functions over one
// plan object, no resources (Pulumi and Kubernetes are imported for their types alone), so each
// decision is tested directly. The topology is decided once, in the plan; `topologyRoles` is the
// only place that reads its kind, and every other function reads the roles it returns.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerCpu } from "./containerSettings";
import { CONFIG_DIR, DATA_DIR, pingCommand, REDIS_GID, REDIS_UID, serverCommand, TLS_FILES } from "./redisContainer";
import { APP_USER } from "./redisUsers";

/**
 * How the Redis pods relate to one another. `standalone`: one pod. `replicated`: pod 0 is the
 * primary, the other `replicas - 1` pods replicate it read-only.
 */
export type KubernetesTopology = { kind: "standalone" } | { kind: "replicated"; replicas: number };

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
}

/** The topology of `replicas` pods (1 to 16, checked with the other arguments). */
export function kubernetesTopology(replicas: number): KubernetesTopology {
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

/** What a topology decides about the Redis pods. */
export interface TopologyRoles {
    /** Pods in the StatefulSet. */
    pods: number;
    /** The container's command: which rendered file each pod starts Redis from. */
    command: string[];
    /** The pod the others start replicating from; undefined when no pod replicates (no replica.conf, no replication user). */
    replication?: { primaryPod: string };
    /** Labels narrowing the client Service, beyond the pods' selector, down to the pods that take writes. */
    writerSelector: Record<string, string>;
    /** Pods other than clients that connect to the Redis port and that the Redis pods connect to (replication). */
    peers: k8s.types.input.networking.v1.NetworkPolicyPeer[];
    /** The Redis pods' disruption budget; undefined when there is nothing to keep available through a voluntary eviction. */
    disruptionBudget?: { maxUnavailable: number };
}

/**
 * The roles the plan's topology gives the Redis pods. The one switch over the topology: a new
 * topology is a new case here (and whatever resources of its own it adds), not an edit of every
 * planning function.
 */
export function topologyRoles(plan: Pick<KubernetesRedisPlan, "name" | "topology">): TopologyRoles {
    const topology = plan.topology;
    switch (topology.kind) {
        case "standalone":
            return { pods: 1, command: serverCommand(), writerSelector: {}, peers: [] };
        case "replicated": {
            const primaryPod = podName(plan, 0);
            const [primary, replica] = [serverCommand("redis.conf").join(" "), serverCommand("replica.conf").join(" ")];
            // The pod's ordinal is the hostname's last '-' field: pod 0 starts as the primary, the others from replica.conf.
            const primaryOrReplica = `if [ "\${HOSTNAME##*-}" = 0 ]; then exec ${primary}; else exec ${replica}; fi`;
            return {
                pods: topology.replicas,
                command: ["sh", "-c", primaryOrReplica],
                replication: { primaryPod },
                // Writes must reach the primary only; replicas are read-only copies.
                writerSelector: { "statefulset.kubernetes.io/pod-name": primaryPod },
                peers: [{ podSelector: { matchLabels: redisSelector(plan) } }],
                disruptionBudget: { maxUnavailable: 1 },
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
 * Every name clients and replicas reach Redis by, for the certificate's SANs: the client Service
 * (as the `host` output spells it first, then the shorter forms the DNS search path resolves)
 * and each pod through the headless Service (replicas connect to pod 0 that way).
 */
export function kubernetesDnsNames(plan: Pick<KubernetesRedisPlan, "name" | "topology">, namespace: string): string[] {
    const { name } = plan;
    const pods = Array.from(
        { length: topologyRoles(plan).pods },
        (_, i) => `${podName(plan, i)}.${headlessServiceName(plan)}.${namespace}.svc`,
    );
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
}

/** The Redis pod: hardened security contexts, the topology's command, probes (over TLS with it) and the config volume. */
export function planPodSpec(plan: KubernetesRedisPlan, secrets: PodSecretNames): k8s.types.input.core.v1.PodSpec {
    if ((plan.tls === undefined) !== (secrets.tls === undefined)) {
        throw new Error(`planPodSpec: the TLS Secret must be given exactly when TLS is planned (tls: ${plan.tls !== undefined})`);
    }
    const { port, cpu } = plan;
    const memory = `${plan.memoryLimitMb}Mi`;
    // `sh -c` so the probes can filter redis-cli's reply; the password only travels on stdin.
    const ping = (accepted: string[], authenticated: boolean) => ({
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
    });
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        // Redis fsyncs the AOF and exits on SIGTERM; a large AOF needs more than the default 30 s.
        terminationGracePeriodSeconds: 60,
        securityContext: {
            runAsNonRoot: true,
            runAsUser: REDIS_UID,
            runAsGroup: REDIS_GID,
            fsGroup: REDIS_GID,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
        },
        containers: [
            {
                name: "redis",
                image: plan.image,
                command: topologyRoles(plan).command,
                ports: [{ name: "redis", containerPort: port, protocol: "TCP" }],
                resources: {
                    requests: { cpu: cpu.request, memory },
                    limits: { memory, ...(cpu.limit ? { cpu: cpu.limit } : {}) },
                },
                securityContext: {
                    runAsNonRoot: true,
                    privileged: false,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [
                    { name: "data", mountPath: DATA_DIR },
                    { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
                // A NOAUTH or LOADING reply proves the server is alive; loading a large AOF
                // may take minutes, which the startup probe tolerates (120 × 5 s).
                startupProbe: { ...ping(["PONG", "NOAUTH", "LOADING"], false), periodSeconds: 5, failureThreshold: 120 },
                livenessProbe: { ...ping(["PONG", "NOAUTH", "LOADING"], false), periodSeconds: 10, failureThreshold: 6 },
                // Ready only once it answers an authenticated PING (not while LOADING).
                readinessProbe: { ...ping(["PONG"], true), periodSeconds: 5, failureThreshold: 3 },
            },
        ],
        volumes: [
            // Group-readable for fsGroup 1000, i.e. the Redis process only (the TLS key included).
            secrets.tls
                ? {
                      name: "config",
                      // One directory for the rendered files and the certificate, as on Docker.
                      projected: {
                          defaultMode: 0o440,
                          sources: [
                              { secret: { name: secrets.config } },
                              {
                                  secret: {
                                      name: secrets.tls,
                                      items: Object.values(TLS_FILES).map((file) => ({ key: file, path: file })),
                                  },
                              },
                          ],
                      },
                  }
                : { name: "config", secret: { secretName: secrets.config, defaultMode: 0o440 } },
            { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
        ],
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

/** The StatefulSet: the topology's pod count, started in order, a retained data claim per pod. */
export function planStatefulSet(plan: KubernetesRedisPlan, wiring: StatefulSetWiring): k8s.apps.v1.StatefulSetArgs {
    const labels = redisLabels(plan);
    return {
        metadata: { name: plan.name, namespace: wiring.namespace, labels },
        spec: {
            serviceName: wiring.serviceName,
            replicas: topologyRoles(plan).pods,
            selector: { matchLabels: redisSelector(plan) },
            podManagementPolicy: "OrderedReady",
            updateStrategy: { type: "RollingUpdate" },
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            template: {
                metadata: { labels, annotations: { "hardened-redis/config-sha256": wiring.configSha256 } },
                spec: planPodSpec(plan, wiring.secrets),
            },
            volumeClaimTemplates: [
                {
                    metadata: { name: "data", labels },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        storageClassName: plan.storage.className,
                        resources: { requests: { storage: plan.storage.size } },
                    },
                },
            ],
        },
    };
}

/** The two Services: `headless` for stable per-pod DNS names, `client` (ClusterIP) for the pods that take writes. */
export interface PlannedServices {
    headless: k8s.core.v1.ServiceArgs;
    client: k8s.core.v1.ServiceArgs;
}

/** The Services, never NodePort, LoadBalancer or external IPs. */
export function planServices(plan: KubernetesRedisPlan, namespace: pulumi.Input<string>): PlannedServices {
    const labels = redisLabels(plan);
    const selector = redisSelector(plan);
    const ports = [{ name: "redis", port: plan.port, targetPort: "redis", protocol: "TCP" }];
    return {
        headless: {
            metadata: { name: headlessServiceName(plan), namespace, labels },
            // Stable per-pod DNS names, so replicas find pod 0 before it is ready.
            spec: { clusterIP: "None", publishNotReadyAddresses: true, selector, ports },
        },
        client: {
            metadata: { name: plan.name, namespace, labels },
            spec: { type: "ClusterIP", selector: { ...selector, ...topologyRoles(plan).writerSelector }, ports },
        },
    };
}

/**
 * The NetworkPolicy of the Redis pods: ingress on the Redis port from labelled clients and the
 * topology's peers; egress to the cluster DNS and the peers only, unless `allowAllEgress`.
 */
export function planNetworkPolicy(plan: KubernetesRedisPlan, namespace: pulumi.Input<string>): k8s.networking.v1.NetworkPolicyArgs {
    const redisPort = [{ protocol: "TCP", port: plan.port }];
    const clients: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [{ podSelector: { matchLabels: plan.clients.label } }];
    if (plan.clients.namespaceLabels) {
        // One peer with both selectors: labelled pods in matching namespaces (AND, not OR).
        clients.push({
            namespaceSelector: { matchLabels: plan.clients.namespaceLabels },
            podSelector: { matchLabels: plan.clients.label },
        });
    }
    const { peers } = topologyRoles(plan);
    // Cluster DNS only (replicas resolve the primary's name); not port 53 anywhere, which
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
    return {
        metadata: { namespace, labels: redisLabels(plan) },
        spec: {
            podSelector: { matchLabels: redisSelector(plan) },
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [...clients, ...peers], ports: redisPort }],
            // An egress rule with an empty `to` admits every destination: add the peers' rule only when there are peers.
            egress: plan.allowAllEgress ? [{}] : [dns, ...(peers.length > 0 ? [{ to: peers, ports: redisPort }] : [])],
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
