// Metrics for both components: the arguments, and the facts about redis_exporter (its image, port,
// user, flags and password file) that the Docker container and the Kubernetes sidecar share.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { IMAGE_REFERENCE, imageTagAndDigest } from "../../platforms/common/serverArgs";
import { RedisConfigError } from "../redisConfigError";
import { METRICS_USER } from "../acl/users";

/** oliver006/redis_exporter, pinned: a new release is a reviewed change, not a surprise at the next pull. */
export const EXPORTER_IMAGE = "oliver006/redis_exporter:v1.63.0";
/** The port redis_exporter serves /metrics on by default, and the one Prometheus setups expect. */
export const METRICS_PORT = 9121;
/** The official image's entrypoint: the exporter binary, at the root of a FROM scratch image. */
export const EXPORTER_ENTRYPOINT = "/redis_exporter";
/** The official image's user (its Dockerfile's `USER 59000:59000`). */
export const EXPORTER_UID = 59000;
/** Memory limit of an exporter container, in MiB: it holds one connection and one scrape at a time. */
export const EXPORTER_MEMORY_MB = 64;
/** Where the exporter reads its password file (and, with TLS, the CA and client identity). */
export const EXPORTER_SECRETS_DIR = "/run/secrets/redis-exporter";
export const EXPORTER_FILES = {
    passwords: "passwords.json",
    caCertificate: "ca.crt",
    certificate: "tls.crt",
    privateKey: "tls.key",
} as const;

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

const LABEL_KEY_ALLOWED = "Kubernetes label keys ([prefix/]name: name 1-63 alphanumerics, '-', '_', '.'; prefix a DNS subdomain)";
const LABEL_VALUE_ALLOWED = "Kubernetes label values (0-63 alphanumerics, '-', '_', '.', starting and ending alphanumeric)";
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** Whether `key` is a valid Kubernetes label key. */
export function isLabelKey(key: string): boolean {
    const slash = key.lastIndexOf("/");
    if (slash === -1) return LABEL_NAME.test(key);
    return DNS_SUBDOMAIN.test(key.slice(0, slash)) && LABEL_NAME.test(key.slice(slash + 1));
}

const labelSelector = z.record(
    z.string().refine(isLabelKey, { error: LABEL_KEY_ALLOWED }),
    z.string({ error: LABEL_VALUE_ALLOWED }).refine((v) => v === "" || LABEL_NAME.test(v), { error: LABEL_VALUE_ALLOWED }),
    { error: "an object of label keys to values" },
);

/** zod fields of {@link RedisMetricsArgs}; each component adds its own. */
const metricsArgsShape = {
    enabled: z.boolean({ error: "true or false" }).default(false),
    image: pinnedImage.default(EXPORTER_IMAGE),
    port: z
        .number({ error: PORT_ALLOWED })
        .int({ error: PORT_ALLOWED })
        .min(1024, { error: PORT_ALLOWED })
        .max(65535, { error: PORT_ALLOWED })
        .default(METRICS_PORT),
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
            scrapeNamespaceLabels: labelSelector.optional(),
            scrapePodLabels: labelSelector.optional(),
            serviceMonitor: z.boolean({ error: "true or false" }).default(false),
            prometheusRule: z.boolean({ error: "true or false" }).default(false),
            monitorLabels: labelSelector.optional(),
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

/** What the exporter connects with: the server's URI, and with TLS which files it presents and trusts. */
export interface ExporterTarget {
    /** `redis://host:port` or `rediss://host:port`: the host must be a name the server's certificate holds. */
    address: string;
    port: number;
    tls?: { clientCertificate: boolean };
}

/** `redis://host:port` (`rediss://` with TLS), the key the exporter looks its password up by. */
export function exporterAddress(host: string, port: number, tls: boolean): string {
    return `${tls ? "rediss" : "redis"}://${host}:${port}`;
}

/**
 * redis_exporter's argv: the metrics user, its password from a file (never argv or the
 * environment), the CONFIG metrics skipped (`-config-command=-`: the user may not run CONFIG, under
 * any name), and with TLS the CA to verify the server by and, with mutual TLS, the client identity.
 */
export function exporterArgs(target: ExporterTarget): string[] {
    const file = (name: string) => `${EXPORTER_SECRETS_DIR}/${name}`;
    return [
        `-redis.addr=${target.address}`,
        `-redis.user=${METRICS_USER}`,
        `-redis.password-file=${file(EXPORTER_FILES.passwords)}`,
        "-config-command=-",
        `-web.listen-address=:${target.port}`,
        ...(target.tls
            ? [
                  `-tls-ca-cert-file=${file(EXPORTER_FILES.caCertificate)}`,
                  ...(target.tls.clientCertificate
                      ? [
                            `-tls-client-cert-file=${file(EXPORTER_FILES.certificate)}`,
                            `-tls-client-key-file=${file(EXPORTER_FILES.privateKey)}`,
                        ]
                      : []),
              ]
            : []),
    ];
}

/**
 * The exporter's password file: the metrics user's password by server URI, as redis_exporter
 * reads it. Several URIs when one file serves several exporters (every pod of a StatefulSet).
 */
export function exporterPasswordFile(addresses: readonly string[], password: string): string {
    return JSON.stringify(Object.fromEntries(addresses.map((address) => [address, password])));
}
