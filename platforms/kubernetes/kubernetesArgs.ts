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

const STORAGE_ALLOWED = 'a positive storage quantity such as "1Gi" or "500Mi"';
const storageQuantity = z
    .string({ error: STORAGE_ALLOWED })
    .regex(/^(?=.*[1-9])\d+(\.\d+)?(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, { error: STORAGE_ALLOWED });

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
