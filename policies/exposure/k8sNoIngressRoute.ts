import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema, resourcePolicy } from "../engine/exemptions";
import { known, knownItems, knownString } from "../engine/known";
import { redisSecurity, docsUrl } from "../engine/metadata";
import { portRole } from "../engine/recognise";
import { GATEWAY_ROUTE, TRAEFIK_ROUTE } from "../engine/k8sExposure";
import { HELM_RELEASE_TYPE, ingressNginxServiceMaps } from "../engine/helmReleases";

/** Ports and port names that are Redis's or Sentinel's. */
const isRedisPort = (port: unknown) => portRole(port) !== undefined;

function routesToRedis(backend: any): boolean {
    const port = known(() => backend?.service?.port);
    return isRedisPort(known(() => port?.number)) || isRedisPort(knownString(() => port?.name));
}

/**
 * The target ports of an ingress-nginx TCP/UDP service map, recognised by its entries whatever the
 * chart named it (`tcp-services`, `<release>-ingress-nginx-tcp`): a port as key, and as value
 * `<namespace>/<service>:<port>` with up to two `:PROXY` flags. Entries of another shape are
 * skipped, as the controller skips them, so they cannot hide the others.
 */
function serviceMapTargets(data: unknown): string[] {
    if (data === null || typeof data !== "object") return [];
    return Object.keys(data)
        .filter((key) => /^\d+$/.test(key))
        .map((key) => knownString(() => (data as Record<string, unknown>)[key]))
        .flatMap((value) => /^[^/\s]+\/[^:\s]+:([^:\s]+)(:PROXY){0,2}$/.exec(value ?? "")?.[1] ?? []);
}

/** The Service ports a Gateway API route or a Traefik TCP route sends traffic to. */
function routeBackendPorts(type: string, spec: any): unknown[] {
    const rules = knownItems<any>(() => (GATEWAY_ROUTE.test(type) ? spec?.rules : spec?.routes)).items;
    return rules.flatMap((rule) =>
        knownItems<any>(() => (GATEWAY_ROUTE.test(type) ? rule.backendRefs : rule.services)).items.map((backend) =>
            known(() => backend?.port as unknown),
        ),
    );
}

export const k8sNoIngressRoute: ResourceValidationPolicy = resourcePolicy({
    name: "redis-k8s-no-ingress-route",
    description:
        "No Ingress, Gateway API route, Traefik TCP route or ingress-controller TCP mapping may route to Redis or its Sentinels: it would publish them through the cluster's edge.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: redisSecurity("Security model", "It is not a good idea to expose the Redis instance directly to the internet"),
    tags: ["kubernetes", "network", "exposure", "ingress"],
    remediationSteps:
        "Remove the Ingress, route (Gateway API `TCPRoute`/`TLSRoute`/`HTTPRoute`, Traefik `IngressRouteTCP`) or backend that points at port 6379 or 26379 (or a port named redis or sentinel), and the entry for it from ingress-nginx's TCP/UDP service map, whatever its name. Redis is reached from inside the cluster only.",
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
        } else if (args.type === "kubernetes:core/v1:ConfigMap" || args.type === HELM_RELEASE_TYPE) {
            // The map as a ConfigMap, or as an ingress-nginx Release's `tcp`/`udp` values, which the chart turns into one.
            const maps = args.type === HELM_RELEASE_TYPE ? ingressNginxServiceMaps(props) : [known(() => props.data as unknown)];
            const targets = maps.flatMap(serviceMapTargets);
            if (targets.some((port) => isRedisPort(port) || isRedisPort(Number(port)))) {
                reportViolation("Ingress controller TCP/UDP service map exposes a Redis or Sentinel port; remove that entry.");
            }
        } else if (GATEWAY_ROUTE.test(args.type) || TRAEFIK_ROUTE.test(args.type)) {
            if (
                routeBackendPorts(
                    args.type,
                    known(() => props.spec),
                ).some(isRedisPort)
            ) {
                reportViolation(`${args.type.split(":").pop()} sends traffic to a Redis or Sentinel port; remove that backend.`);
            }
        }
    },
});
