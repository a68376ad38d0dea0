// The metrics arguments of both components, checked at construction.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { integer } from "../../redis/config/fields";
import { IMAGE_REFERENCE, imageTagAndDigest } from "../../policies/shared/syntax";
import { EXPORTER_IMAGE, METRICS_PORT } from "../../redis/metrics/exporter";
import { RedisConfigError } from "../../redis/redisConfigError";
import { labelMap } from "./labels";

/** Metrics: a redis_exporter next to every Redis server, authenticating as the `metrics` ACL user. */
export interface RedisMetricsArgs {
    /** Run redis_exporter beside every Redis server (not beside Sentinels). Default false. */
    enabled?: boolean;
    /**
     * The exporter image, pinned by a version tag (not `latest`) and/or an `@sha256` digest, with the binary at `/redis_exporter` as in the
     * official image. Default `oliver006/redis_exporter:v1.63.0`.
     */
    image?: string;
    /** Port the exporter serves `/metrics` on (1024 to 65535, not the Redis port). Default 9121. */
    port?: number;
}

/** Metrics for {@link DockerRedis}: exporters on the internal network, reachable from nowhere else unless asked. */
export interface DockerRedisMetricsArgs extends RedisMetricsArgs {
    /**
     * Name of an existing Docker network your Prometheus is on. The exporters join it too, so Prometheus can scrape them without joining
     * Redis's internal network; Redis itself stays off it. Default: none (scrape from the internal network).
     */
    scrapeNetworkName?: pulumi.Input<string>;
}

/** Metrics for {@link KubernetesRedis}: a sidecar per pod, a metrics Service port, scrapes admitted only from labelled pods. */
export interface KubernetesRedisMetricsArgs extends RedisMetricsArgs {
    /**
     * Labels of the namespaces whose pods may scrape, e.g. `{"kubernetes.io/metadata.name": "monitoring"}`. With `scrapePodLabels` too,
     * only pods carrying those labels in those namespaces. At least one of the two is required: nothing scrapes unless you say who.
     */
    scrapeNamespaceLabels?: { [key: string]: string };
    /** Labels of the pods that may scrape (in the Redis namespace unless `scrapeNamespaceLabels` is set), e.g. `{"app": "prometheus"}`. */
    scrapePodLabels?: { [key: string]: string };
    /** Declare a Prometheus Operator `ServiceMonitor` (its CRD must be installed). Default false. */
    serviceMonitor?: boolean;
    /** Declare a Prometheus Operator `PrometheusRule` with the shipped alerts (its CRD must be installed). Default false. */
    prometheusRule?: boolean;
    /** Labels on the ServiceMonitor and PrometheusRule, for the operator's selectors (e.g. `{"release": "prometheus"}`). Default none. */
    monitorLabels?: { [key: string]: string };
}

const IMAGE_ALLOWED =
    'an image reference pinned by a version tag (not "latest") and/or an @sha256 digest, e.g. oliver006/redis_exporter:v1.63.0';
const PORT_ALLOWED = "an integer from 1024 to 65535, other than the Redis port";

/** An image reference with a tag that names a version (it has a digit; not latest) or a digest. */
const pinnedImage = z
    .string({ error: IMAGE_ALLOWED })
    .regex(IMAGE_REFERENCE, { error: IMAGE_ALLOWED })
    .refine(
        (ref) => {
            const { tag, digest } = imageTagAndDigest(ref);
            return digest !== undefined || (tag !== undefined && /\d/.test(tag) && !/latest/i.test(tag));
        },
        { error: IMAGE_ALLOWED },
    );

/** zod fields of {@link RedisMetricsArgs}; each component adds its own. */
const metricsArgsShape = {
    enabled: z.boolean({ error: "true or false" }).default(false),
    image: pinnedImage.default(EXPORTER_IMAGE),
    port: integer(1024, 65535, PORT_ALLOWED).default(METRICS_PORT),
};
const DISABLED = { enabled: false, image: EXPORTER_IMAGE, port: METRICS_PORT };

export const dockerMetricsArgs = z
    .strictObject(
        {
            ...metricsArgsShape,
            // May be unknown until deployment: the engine checks the network exists.
            scrapeNetworkName: z.unknown().optional(),
        },
        { error: "an object of the documented metrics settings" },
    )
    .default(DISABLED);

export const kubernetesMetricsArgs = z
    .strictObject(
        {
            ...metricsArgsShape,
            scrapeNamespaceLabels: labelMap.optional(),
            scrapePodLabels: labelMap.optional(),
            serviceMonitor: z.boolean({ error: "true or false" }).default(false),
            prometheusRule: z.boolean({ error: "true or false" }).default(false),
            monitorLabels: labelMap.optional(),
        },
        { error: "an object of the documented metrics settings" },
    )
    .default({ ...DISABLED, serviceMonitor: false, prometheusRule: false });

/** What a component runs its exporters with. */
export interface MetricsPlan {
    image: string;
    port: number;
}

/**
 * The metrics plan, or undefined without metrics. Throws {@link RedisConfigError} for a metrics
 * setting given while metrics are off (it would be lost silently) and for a port that is Redis's.
 */
export function planMetrics<T extends MetricsPlan & { enabled: boolean }>(
    settings: T,
    given: unknown,
    redisPort: number,
): (Omit<T, "enabled"> & MetricsPlan) | undefined {
    if (!settings.enabled) {
        const set = Object.entries((given ?? {}) as Record<string, unknown>).filter(
            ([k, v]) => k !== "enabled" && v !== undefined && v !== false,
        );
        if (set.length > 0) throw new RedisConfigError(`metrics.${set[0][0]}`, "nothing unless metrics.enabled is true", "a value");
        return undefined;
    }
    if (settings.port === redisPort) throw new RedisConfigError("metrics.port", PORT_ALLOWED, JSON.stringify(settings.port));
    const plan: Partial<T> = { ...settings };
    delete plan.enabled;
    return plan as Omit<T, "enabled"> & MetricsPlan;
}

/**
 * Refuses metrics with mutual TLS on certificates of the caller's: the exporter would have no
 * client certificate but the server's own, and that key would then sit in the exporter (on Docker,
 * on a volume and a scrape network Redis never joins), enough to pose as the server.
 */
export function requireExporterIdentity(metrics: boolean, tls: { authClients: string; client?: unknown } | undefined): void {
    if (metrics && tls?.authClients === "yes" && tls.client === undefined) {
        throw new RedisConfigError(
            "metrics.enabled",
            "false with tls.requireClientCertificates on certificates of your own (the exporter would need the server's private key); " +
                "with generated certificates, or without requireClientCertificates, metrics work",
            "true",
        );
    }
}
