import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema, resourcePolicy } from "../engine/exemptions";
import { known, knownItems, UNKNOWN } from "../engine/known";
import { containersOf, isRedisK8sContainer, POD_TYPES, redisPods, redisServerArgs, strings } from "../engine/recognise";
import { REDIS_PORT, SENTINEL_PORT } from "../shared/ports";
import { cisKubernetes, docsUrl } from "../engine/metadata";
import { hostExposures } from "../engine/k8sExposure";
import { HELM_RELEASE_TYPE, isRedisRelease, releaseHostNetwork } from "../engine/helmReleases";

/**
 * The pod's containers whose host ports reach Redis: the Redis containers, and any other (a
 * sidecar) declaring a port Redis listens on, since every container of a pod shares its network:
 * 6379, 26379, a Redis container's declared ports or the `--port` it is started with.
 */
function onRedisPorts(pods: { spec: any; containers: any[] }): any[] {
    const redisPorts = new Set<unknown>([REDIS_PORT, SENTINEL_PORT]);
    for (const c of pods.containers) {
        for (const p of knownItems<any>(() => c.ports).items) redisPorts.add(known(() => p.containerPort as unknown));
        const args = redisServerArgs([...strings(() => c.command), ...strings(() => c.args)]) ?? [];
        const at = args.indexOf("--port");
        if (at >= 0 && args[at + 1] !== undefined) redisPorts.add(Number(args[at + 1]));
    }
    const sidecars = containersOf(pods.spec).filter(
        (c) =>
            !isRedisK8sContainer(c) &&
            knownItems<any>(() => c.ports).items.some((p) => redisPorts.has(known(() => p.containerPort as unknown))),
    );
    return [...pods.containers, ...sidecars];
}

export const k8sNoHostNetwork: ResourceValidationPolicy = resourcePolicy({
    name: "redis-k8s-no-host-network",
    description:
        "Redis pods must not use hostNetwork or hostPort: either publishes Redis on the node's own addresses, outside any NetworkPolicy.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: cisKubernetes("5.2.5", "Minimize the admission of containers wishing to share the host network namespace"),
    tags: ["kubernetes", "network", "exposure", "isolation"],
    remediationSteps:
        "Remove `hostNetwork: true` from the pod spec and `hostPort` from the Redis container's ports (KubernetesRedis sets neither); clients use the ClusterIP Service. At level `remediate` the pack does both itself.",
    url: docsUrl("redis-k8s-no-host-network"),
    configSchema: configSchema(),
    validateResource: (args, reportViolation) => {
        if (args.type === HELM_RELEASE_TYPE && isRedisRelease(args.props)) {
            for (const at of releaseHostNetwork(args.props))
                reportViolation(`Helm release of Redis puts its pods on the node's network (values ${at}: true); remove it.`);
            return;
        }
        if (!POD_TYPES.has(args.type)) return;
        const pods = redisPods(args.type, args.props);
        if (!pods) return;
        for (const how of hostExposures(pods.spec, onRedisPorts(pods)))
            reportViolation(`Redis pod uses ${how}; remove it and reach Redis through a ClusterIP Service.`);
    },
    // Safe: only the node's own addresses stop serving Redis, which is what the policy forbids.
    // In-cluster clients reach the pod on the pod network (through its Service) as before.
    remediateResource: (args) => {
        if (!POD_TYPES.has(args.type)) return undefined;
        const pods = redisPods(args.type, args.props);
        if (!pods) return undefined;
        let changed = false;
        if (known(() => pods.spec.hostNetwork as unknown) === true) {
            // Edit in place: the props object keeps the other inputs' secret markings, a copy would not.
            pods.spec.hostNetwork = false;
            changed = true;
        }
        for (const c of onRedisPorts(pods)) {
            for (const p of knownItems<{ hostPort?: unknown }>(() => c.ports).items) {
                const hostPort = known(() => p.hostPort);
                if (hostPort !== undefined && hostPort !== UNKNOWN) {
                    delete p.hostPort;
                    changed = true;
                }
            }
        }
        return changed ? args.props : undefined;
    },
});
