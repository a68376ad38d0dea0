import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema, resourcePolicy } from "../engine/exemptions";
import { known, knownItems, knownString } from "../engine/known";
import { redisSecurity, docsUrl } from "../engine/metadata";
import { REDIS_PORT } from "../shared/ports";

function routesToRedis(backend: any): boolean {
    const port = known(() => backend?.service?.port);
    return known(() => port?.number) === REDIS_PORT || knownString(() => port?.name) === "redis";
}

/** ingress-nginx's TCP/UDP service maps: `"<port>": "<namespace>/<service>:<port>"`. */
const TCP_SERVICE_MAPS = /^(tcp|udp)-services$/;

export const k8sNoIngressRoute: ResourceValidationPolicy = resourcePolicy({
    name: "redis-k8s-no-ingress-route",
    description:
        "No Ingress or ingress-controller TCP mapping may route to Redis: it would publish the Redis port through the cluster's edge.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: redisSecurity("Security model", "It is not a good idea to expose the Redis instance directly to the internet"),
    tags: ["kubernetes", "network", "exposure", "ingress"],
    remediationSteps:
        "Remove the Ingress backend that points at Redis's Service or port 6379, and the `6379` entry from ingress-nginx's `tcp-services` ConfigMap. Redis is reached from inside the cluster only.",
    url: docsUrl("redis-k8s-no-ingress-route"),
    configSchema: configSchema(),
    validateResource: (args, reportViolation) => {
        const props = args.props as any;
        if (args.type === "kubernetes:networking.k8s.io/v1:Ingress") {
            const backends = [
                known(() => props.spec?.defaultBackend),
                ...knownItems<any>(() => props.spec?.rules).items.flatMap((rule) =>
                    knownItems<any>(() => rule.http?.paths).items.map((path) => known(() => path.backend)),
                ),
            ];
            if (backends.some(routesToRedis))
                reportViolation("Ingress routes to a Redis port (6379 or a port named redis); remove that route.");
        } else if (args.type === "kubernetes:core/v1:ConfigMap" && TCP_SERVICE_MAPS.test(knownString(() => props.metadata?.name) ?? "")) {
            const data = known(() => props.data as Record<string, unknown> | undefined);
            const targets = data && typeof data === "object" ? Object.keys(data).map((k) => knownString(() => (data as any)[k])) : [];
            if (targets.some((t) => t !== undefined && new RegExp(`:${REDIS_PORT}(:|$)`).test(t))) {
                reportViolation("Ingress controller TCP/UDP service map exposes a Redis port; remove that entry.");
            }
        }
    },
});
