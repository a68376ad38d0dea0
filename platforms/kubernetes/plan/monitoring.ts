// Metrics: the exporter sidecar and its files, the metrics Service's name, the ServiceMonitor and the PrometheusRule (see topology.ts).
import type * as pulumi from "@pulumi/pulumi";
import { redisAlertRules, type AlertRuleGroup } from "../../../redis/metrics/alertRules";
import { EXPORTER_FILES, exporterAddress, exporterPasswordFile } from "../../../redis/metrics/exporter";
import { RedisConfigError } from "../../../redis/redisConfigError";
import { MetricsPlan, planMetrics } from "../../common/metricsArgs";
import {
    KubernetesMetricsPlan,
    KubernetesRedisPlan,
    announcedAddresses,
    headlessServiceName,
    redisLabels,
    topologyRoles,
} from "./topology";

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

/**
 * Where the exporter connects. Plaintext: `localhost`, which no NetworkPolicy sees. With TLS it
 * must check the server's name, so it dials the pod's own DNS name (one the certificate holds),
 * spelt with `$(POD_NAME)`/`$(POD_NAMESPACE)`, which Kubernetes expands in args from the env.
 */
export function exporterTarget(plan: KubernetesRedisPlan, host = `$(POD_NAME).${headlessServiceName(plan)}.$(POD_NAMESPACE).svc`): string {
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

/** Name of the metrics Service (and the Prometheus job a ServiceMonitor names after it). */
export function metricsServiceName(plan: Pick<KubernetesRedisPlan, "name">): string {
    return `${plan.name}-metrics`;
}

/** Labels of the metrics Service, which a ServiceMonitor selects it by: not the client Service's. */
export function metricsServiceLabels(plan: Pick<KubernetesRedisPlan, "name">): Record<string, string> {
    return { ...redisLabels(plan), "app.kubernetes.io/component": "metrics" };
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
