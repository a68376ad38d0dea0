// Redis installed by a Helm chart as one resource (`helm.sh/v3:Release`): Pulumi, and so the pack,
// sees the chart's name and its values, never the objects it renders. The values are where such
// a Redis shows its exposure. (A `helm.sh/v4:Chart` registers what it renders as resources of the
// stack, which every policy judges as written by hand.)
import type { PolicyResource } from "@pulumi/policy";
import { known, knownItems, knownString } from "./known";
import { serviceExposures } from "./k8sExposure";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/**
 * Charts that install Redis or a server of its protocol, by the last part of their name
 * (`redis`, `bitnami/redis`, `oci://registry-1.docker.io/bitnamicharts/valkey`).
 */
export const REDIS_CHARTS: readonly string[] = ["redis", "redis-cluster", "redis-ha", "valkey", "valkey-cluster", "keydb", "dragonfly"];

/** A Release's chart by name: `redis` for `redis`, `bitnami/redis`, an OCI reference or a packaged `./charts/redis-17.3.7.tgz`. */
function chartName(props: any): string | undefined {
    const chart = knownString(() => props?.chart);
    if (chart === undefined) return undefined;
    return chart
        .slice(chart.lastIndexOf("/") + 1)
        .replace(/[:@].*$/, "")
        .replace(/-v?\d+\.\d+\.\d+[^/]*\.tgz$/, "")
        .replace(/\.tgz$/, "");
}

/** Whether a Release installs one of {@link REDIS_CHARTS}. */
export function isRedisRelease(props: any): boolean {
    const name = chartName(props);
    return name !== undefined && REDIS_CHARTS.includes(name);
}

/** The stack's Releases of Redis charts. */
export function redisReleases(resources: PolicyResource[]): PolicyResource[] {
    return resources.filter((r) => r.type === HELM_RELEASE_TYPE && isRedisRelease(r.props));
}

/** A value of a Release at a dotted path (`sentinel.service.type`), or UNKNOWN. */
function valueAt(props: any, path: string): unknown {
    return known(() => path.split(".").reduce<any>((v, key) => v?.[key], props?.values));
}

/**
 * Where those charts' values configure a Service (Bitnami's redis and valkey charts, and the
 * others'), and whose it is. Each takes `type`, `externalIPs` and `nodePorts` (or `nodePort`).
 */
export const RELEASE_SERVICE_VALUES: Readonly<Record<string, "Redis" | "Sentinel">> = {
    service: "Redis",
    "master.service": "Redis",
    "primary.service": "Redis",
    "replica.service": "Redis",
    "sentinel.service": "Sentinel",
    // Bitnami's Service in front of whichever server the Sentinels name primary.
    "sentinel.masterService": "Redis",
};

/** Where the charts turn on a public address per server (`externalAccess.enabled`: a LoadBalancer each). */
export const RELEASE_EXTERNAL_ACCESS_VALUES: readonly string[] = [
    "externalAccess.enabled",
    "cluster.externalAccess.enabled",
    "sentinel.externalAccess.enabled",
];

/** Where the charts put their pods on the node's network. */
export const RELEASE_HOST_NETWORK_VALUES: readonly string[] = [
    "hostNetwork",
    "redis.hostNetwork",
    "master.hostNetwork",
    "primary.hostNetwork",
    "replica.hostNetwork",
    "sentinel.hostNetwork",
];

/** What the Release's values publish: each Service they make public, and how (as a Service spec would). */
export function releaseExposures(props: any): Array<{ at: string; role: "Redis" | "Sentinel"; how: string; fix: string }> {
    const found: Array<{ at: string; role: "Redis" | "Sentinel"; how: string; fix: string }> = [];
    for (const at of RELEASE_EXTERNAL_ACCESS_VALUES) {
        if (valueAt(props, at) === true)
            found.push({
                at,
                role: at.startsWith("sentinel.") ? "Sentinel" : "Redis",
                how: "a public address per server (externalAccess)",
                fix: `set ${at} to false`,
            });
    }
    for (const [at, role] of Object.entries(RELEASE_SERVICE_VALUES)) {
        const service = valueAt(props, at) as any;
        if (service === null || typeof service !== "object") continue;
        // The charts default every node port to "" (none chosen): only a set one publishes.
        const byName = known(() => service.nodePorts as unknown);
        const named =
            byName !== null && typeof byName === "object"
                ? Object.keys(byName).map((k) => known(() => service.nodePorts[k] as unknown))
                : [];
        const nodePorts = [...named, known(() => service.nodePort as unknown)].filter((p) => p !== undefined && p !== null && p !== "");
        const spec = {
            type: knownString(() => service.type),
            externalIPs: knownItems(() => service.externalIPs).items,
            ports: nodePorts.map((nodePort) => ({ nodePort })),
        };
        for (const how of serviceExposures(spec))
            found.push({ at, role, how, fix: `set ${at}.type to ClusterIP with no nodePorts or externalIPs` });
    }
    return found;
}

/** Where the Release's values put its pods on the node's network. */
export function releaseHostNetwork(props: any): string[] {
    return RELEASE_HOST_NETWORK_VALUES.filter((at) => valueAt(props, at) === true);
}

/** Whether the Release's values turn off the chart's authentication (`auth.enabled: false`). */
export function releaseDisablesAuth(props: any): boolean {
    return valueAt(props, "auth.enabled") === false;
}

/** The TCP and UDP service maps an ingress-nginx Release's values give its controller (`tcp`, `udp`). */
export function ingressNginxServiceMaps(props: any): unknown[] {
    return chartName(props) === "ingress-nginx" ? [valueAt(props, "tcp"), valueAt(props, "udp")] : [];
}

/** Whether the Release's values turn off the NetworkPolicy the chart would install (`networkPolicy.enabled: false`). */
export function releaseDisablesNetworkPolicy(props: any): boolean {
    return valueAt(props, "networkPolicy.enabled") === false;
}
