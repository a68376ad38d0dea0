// Redis installed by a Helm chart as one resource (`helm.sh/v3:Release`): Pulumi, and so the pack,
// sees the chart's name and its values, never the objects it renders. The values are where such
// a Redis shows its exposure. (A `helm.sh/v4:Chart` registers what it renders as resources of the
// stack, which every policy judges as written by hand.)
import { known, knownItems, knownString } from "./known";
import { serviceExposures } from "./k8sExposure";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/**
 * Charts that install Redis or a server of its protocol, by the last part of their name
 * (`redis`, `bitnami/redis`, `oci://registry-1.docker.io/bitnamicharts/valkey`).
 */
export const REDIS_CHARTS: readonly string[] = ["redis", "redis-cluster", "redis-ha", "valkey", "valkey-cluster", "keydb", "dragonfly"];

/** Whether a Release installs one of {@link REDIS_CHARTS}. */
export function isRedisRelease(props: any): boolean {
    const chart = knownString(() => props?.chart);
    if (chart === undefined) return false;
    const name = chart.slice(chart.lastIndexOf("/") + 1).replace(/[:@].*$/, "");
    return REDIS_CHARTS.includes(name);
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
};

/** What the Release's values publish: each Service they make public, and how (as a Service spec would). */
export function releaseExposures(props: any): Array<{ at: string; role: "Redis" | "Sentinel"; how: string }> {
    const found: Array<{ at: string; role: "Redis" | "Sentinel"; how: string }> = [];
    for (const [at, role] of Object.entries(RELEASE_SERVICE_VALUES)) {
        const service = known(() => at.split(".").reduce<any>((v, key) => v?.[key], props?.values));
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
        for (const how of serviceExposures(spec)) found.push({ at, role, how });
    }
    return found;
}

/** Whether the Release's values turn off the NetworkPolicy the chart would install (`networkPolicy.enabled: false`). */
export function releaseDisablesNetworkPolicy(props: any): boolean {
    return known(() => props?.values?.networkPolicy?.enabled as unknown) === false;
}
