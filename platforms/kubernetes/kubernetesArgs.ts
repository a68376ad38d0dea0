// The arguments of KubernetesRedis: declared for every Pulumi language (the schema analyzer reads
// this interface) and checked by one zod schema.

import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { integer } from "../../redis/config/fields";
import { DNS_LABEL } from "../../redis/container";
import { sentinelArgs, type RedisSentinelArgs } from "../../redis/sentinel/topology";
import { labelKey, labelMap, labelValue } from "../common/labels";
import { kubernetesMetricsArgs, type KubernetesRedisMetricsArgs } from "../common/metricsArgs";
import { redisServerArgsShape, type RedisServerArgs } from "../common/serverArgs";
import { tlsArgsShape, type KubernetesRedisTlsArgs } from "../common/tlsArgs";

/** Arguments of {@link KubernetesRedis}. Every field is optional: the defaults are the hardened deployment. */
export interface KubernetesRedisArgs extends RedisServerArgs {
    /** Existing namespace to deploy into. Default: a namespace of its own that enforces the `restricted` Pod Security Standard. */
    namespace?: pulumi.Input<string>;
    /**
     * Pods in the StatefulSet (1 to 16). Pod 0 is the primary and the only one behind the client Service; the others replicate it
     * read-only. Default 1.
     */
    replicas?: number;
    /** Size of each pod's data volume as a Kubernetes quantity. Default `1Gi`. */
    storageSize?: string;
    /** Storage class of the data volumes. Default: the cluster's default class. */
    storageClassName?: string;
    /** Label key a client pod must carry to reach Redis. Default `<name>-client`. */
    clientLabelKey?: string;
    /** Value of the client label. Default `true`. */
    clientLabelValue?: string;
    /** Also admit labelled client pods from namespaces carrying all of these labels. Default: the Redis namespace only. */
    clientNamespaceLabels?: { [key: string]: string };
    /** Let Redis pods open any outbound connection. Default false: DNS only (and replication between the pods). */
    allowAllEgress?: boolean;
    /**
     * The DNS servers the Redis and Sentinel pods may query (unless `allowAllEgress`), each a NetworkPolicy egress rule of its own.
     * Default: the kube-dns or CoreDNS pods (`k8s-app: kube-dns` in `kube-system`) on port 53. Name others where the cluster
     * resolves elsewhere: NodeLocal DNSCache `[{ ipBlock: "169.254.20.10/32" }, <the default>]`, OpenShift
     * `[{ namespaceLabels: { "kubernetes.io/metadata.name": "openshift-dns" }, podLabels: { "dns.operator.openshift.io/daemonset-dns":
     * "default" }, ports: [5353] }]`. Replaces the default: list it too to keep it.
     */
    dnsPeers?: KubernetesRedisDnsPeer[];
    /**
     * How the Redis pods (with `replicas` above 1), and separately the Sentinel pods, keep off each other's nodes (anti-affinity on
     * `kubernetes.io/hostname`): `preferred` (a node of its own for each pod where the cluster has one; with fewer nodes, some share) or
     * `required` (a node of its own or none: a pod with no free node stays Pending, and a rollout or drain waits for a free node). Default
     * `preferred`.
     */
    antiAffinity?: string;
    /** TLS for clients, replication and probes: off by default; generated certificates or an existing `kubernetes.io/tls` Secret. */
    tls?: KubernetesRedisTlsArgs;
    /**
     * Automatic failover by a StatefulSet of Sentinels (needs `replicas` of 2 or more). The client Service then fronts the Sentinels, and the
     * connection strings name each Sentinel. Its `quorum` must stay below `sentinels` here: the Sentinels' PodDisruptionBudget keeps
     * `quorum` of them up, so a quorum of every Sentinel would block every node drain. Default off.
     */
    sentinel?: RedisSentinelArgs;
    /**
     * Metrics: a redis_exporter sidecar in every Redis pod (not the Sentinels'), authenticating as the least-privilege `metrics` user, behind
     * a `<name>-metrics` Service that only the pods named by `scrapeNamespaceLabels`/`scrapePodLabels` may reach; optionally a
     * ServiceMonitor and a PrometheusRule. Default off.
     */
    metrics?: KubernetesRedisMetricsArgs;
}

/**
 * A DNS server the pods may query: pods by their labels and their namespace's, or an address range (not both: a NetworkPolicy peer
 * is one or the other), on the ports it answers on.
 */
export interface KubernetesRedisDnsPeer {
    /**
     * Labels of the namespaces the DNS pods run in, e.g. `{"kubernetes.io/metadata.name": "kube-system"}`. With `podLabels`, only the pods
     * carrying those in these namespaces; alone, every pod in them.
     */
    namespaceLabels?: { [key: string]: string };
    /** Labels of the DNS pods, e.g. `{"k8s-app": "kube-dns"}`; without `namespaceLabels`, pods in the Redis namespace only. */
    podLabels?: { [key: string]: string };
    /**
     * An address range in CIDR notation for a DNS server outside the pod network, e.g. `169.254.20.10/32` (NodeLocal DNSCache, on each node)
     * or `fd00::10/128`; not every address (`0.0.0.0/0`, `::/0`). Not with `namespaceLabels` or `podLabels`.
     */
    ipBlock?: string;
    /**
     * Ports the server answers on, each allowed over UDP and TCP: the pods' own port, after a Service's translation (OpenShift's DNS pods
     * answer on 5353 behind the Service's 53). Default `[53]`.
     */
    ports?: number[];
}

const STORAGE_ALLOWED = 'a positive storage quantity such as "1Gi" or "500Mi"';
const storageQuantity = z
    .string({ error: STORAGE_ALLOWED })
    .regex(/^(?=.*[1-9])\d+(\.\d+)?(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, { error: STORAGE_ALLOWED });

const CIDR_ALLOWED = 'an address range in CIDR notation other than every address, e.g. "169.254.20.10/32" or "fd00::10/128"';
const cidr = z
    .string({ error: CIDR_ALLOWED })
    .refine((s) => z.cidrv4().safeParse(s).success || z.cidrv6().safeParse(s).success, { error: CIDR_ALLOWED })
    // Every address on the DNS ports would be the tunnel out that restricting egress closes: allowAllEgress says so plainly.
    .refine((s) => !s.endsWith("/0"), { error: CIDR_ALLOWED });
const DNS_PORTS_ALLOWED = "a list of ports, each an integer from 1 to 65535, at least one, none twice";
const DNS_PEER_ALLOWED =
    "an object of namespaceLabels and/or podLabels, or ipBlock (not both), with optional ports, e.g. " +
    '{"namespaceLabels": {"kubernetes.io/metadata.name": "kube-system"}, "podLabels": {"k8s-app": "kube-dns"}}';
const someLabels = labelMap.refine((labels) => Object.keys(labels).length > 0, {
    error: "at least one label (an empty selector selects everything)",
});
const dnsPeer = z
    .strictObject(
        {
            namespaceLabels: someLabels.optional(),
            podLabels: someLabels.optional(),
            ipBlock: cidr.optional(),
            ports: z
                .array(integer(1, 65535, DNS_PORTS_ALLOWED), { error: DNS_PORTS_ALLOWED })
                .min(1, { error: DNS_PORTS_ALLOWED })
                .refine((ports) => new Set(ports).size === ports.length, { error: DNS_PORTS_ALLOWED })
                .default([53]),
        },
        { error: DNS_PEER_ALLOWED },
    )
    .refine((peer) => (peer.ipBlock === undefined) !== (peer.namespaceLabels === undefined && peer.podLabels === undefined), {
        error: DNS_PEER_ALLOWED,
    });

/** What `antiAffinity` takes: a string checked here, since the schema analyzer takes no unions of literals. */
export const ANTI_AFFINITY = ["preferred", "required"] as const;

const DNS_SUBDOMAIN_ALLOWED = "a DNS subdomain: lowercase letters, digits, '-' and '.', at most 253 characters";
export const kubernetesArgsSchema = z.strictObject({
    ...redisServerArgsShape,
    replicas: integer(1, 16, "an integer from 1 to 16").default(1),
    storageSize: storageQuantity.default("1Gi"),
    storageClassName: z
        .string({ error: DNS_SUBDOMAIN_ALLOWED })
        .max(253, { error: DNS_SUBDOMAIN_ALLOWED })
        .refine((s) => s.split(".").every((part) => DNS_LABEL.test(part)), { error: DNS_SUBDOMAIN_ALLOWED })
        .optional(),
    clientLabelKey: labelKey.optional(),
    clientLabelValue: labelValue.default("true"),
    clientNamespaceLabels: labelMap
        .refine((labels) => Object.keys(labels).length > 0, { error: "at least one label (omit it to admit the Redis namespace only)" })
        .optional(),
    allowAllEgress: z.boolean({ error: "true or false" }).default(false),
    dnsPeers: z
        .array(dnsPeer, { error: `a list of DNS servers, each ${DNS_PEER_ALLOWED}` })
        .min(1, { error: "at least one DNS server (omit dnsPeers for the cluster's kube-dns)" })
        .optional(),
    antiAffinity: z.enum(ANTI_AFFINITY, { error: `one of ${ANTI_AFFINITY.map((a) => JSON.stringify(a)).join(", ")}` }).default("preferred"),
    tls: z
        .strictObject(
            {
                ...tlsArgsShape,
                // May be unknown until deployment: the Secret is read and checked then.
                secretName: z.unknown().optional(),
            },
            { error: "an object of the documented tls settings" },
        )
        .default({ enabled: false, requireClientCertificates: false, certificateValidityDays: 365 }),
    sentinel: sentinelArgs,
    metrics: kubernetesMetricsArgs,
    // Inputs that may be unknown until deployment are checked elsewhere.
    namespace: z.unknown().optional(),
});

/** The arguments, parsed: every default applied. */
export type ParsedKubernetesArgs = z.output<typeof kubernetesArgsSchema>;
