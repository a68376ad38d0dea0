import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, knownItems, knownString, UNKNOWN, type Known } from "../engine/known";
import { redisSecurity, docsUrl } from "../engine/metadata";
import { portRole, redisServiceRole } from "../engine/recognise";
import { GATEWAY_ROUTE, TRAEFIK_ROUTE } from "../engine/k8sExposure";
import { HELM_RELEASE_TYPE, ingressNginxServiceMaps } from "../engine/helmReleases";

/** Where a route sends traffic: a Service (by name, in a namespace if it says one) and a port of it (number or name). */
interface Backend {
    service?: string;
    /** Absent: the route's own. */
    namespace?: Known<string>;
    port: unknown;
}

/**
 * Whether a backend reaches Redis or a Sentinel: its port is theirs (6379, 26379, a Redis port
 * name), or it names one of the stack's Services that fronts them (by its ports or the pods it
 * selects, as redis-k8s-no-public-service judges it), such as a Service port 7000 with targetPort 6379.
 */
function reachesRedis(backend: Backend, routeNamespace: Known<string>, services: PolicyResource[]): boolean {
    if (portRole(backend.port) !== undefined) return true;
    // A namespace not known yet cannot be matched to a Service.
    const namespace = backend.namespace === undefined ? routeNamespace : backend.namespace;
    if (backend.service === undefined || namespace === UNKNOWN) return false;
    const service = services.find((r) => {
        const metadata = known(() => (r.props as any).metadata as unknown) as any;
        const ns = known(() => (metadata?.namespace ?? "default") as unknown);
        return knownString(() => metadata?.name) === backend.service && ns === namespace;
    });
    const spec = service && known(() => (service.props as any).spec);
    return spec !== undefined && spec !== UNKNOWN && redisServiceRole(spec) !== undefined;
}

/**
 * The backends of an ingress-nginx TCP/UDP service map, recognised by its entries whatever the
 * chart named it (`tcp-services`, `<release>-ingress-nginx-tcp`): a port as key, and as value
 * `<namespace>/<service>:<port>` with up to two `:PROXY` flags. Entries of another shape are
 * skipped, as the controller skips them, so they cannot hide the others.
 */
function serviceMapBackends(data: unknown): Backend[] {
    if (data === null || typeof data !== "object") return [];
    return Object.keys(data)
        .filter((key) => /^\d+$/.test(key))
        .map((key) => knownString(() => (data as Record<string, unknown>)[key]))
        .flatMap((value) => {
            const m = /^([^/\s]+)\/([^:\s]+):([^:\s]+)(:PROXY){0,2}$/.exec(value ?? "");
            return m ? [{ namespace: m[1], service: m[2], port: /^\d+$/.test(m[3]) ? Number(m[3]) : m[3] }] : [];
        });
}

/** An Ingress's backends: its default backend and each path's. */
function ingressBackends(spec: any): Backend[] {
    const backends = [
        known(() => spec?.defaultBackend),
        ...knownItems<any>(() => spec?.rules).items.flatMap((rule) =>
            knownItems<any>(() => rule.http?.paths).items.map((path) => known(() => path.backend)),
        ),
    ];
    return backends.map((b: any) => {
        const port = known(() => b?.service?.port);
        return {
            service: knownString(() => b?.service?.name),
            port: known(() => port?.number as unknown) ?? knownString(() => port?.name),
        };
    });
}

/** The backends of a Gateway API route or a Traefik TCP route. */
function routeBackends(type: string, spec: any): Backend[] {
    const gateway = GATEWAY_ROUTE.test(type);
    const rules = knownItems<any>(() => (gateway ? spec?.rules : spec?.routes)).items;
    return rules.flatMap((rule) =>
        knownItems<any>(() => (gateway ? rule.backendRefs : rule.services)).items.map((b) => ({
            service: knownString(() => b?.name),
            namespace: known(() => b?.namespace as unknown) === UNKNOWN ? UNKNOWN : knownString(() => b?.namespace),
            port: known(() => b?.port as unknown),
        })),
    );
}

export const k8sNoIngressRoute: StackValidationPolicy = stackPolicy({
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
    validateStack: (args, reportViolation) => {
        const services = args.resources.filter((r) => r.type === "kubernetes:core/v1:Service");
        for (const r of args.resources) {
            const props = r.props as any;
            const namespace = known(() => props.metadata?.namespace as unknown);
            const routeNamespace = namespace === UNKNOWN ? UNKNOWN : typeof namespace === "string" ? namespace : "default";
            const reaches = (backends: Backend[]) => backends.some((b) => reachesRedis(b, routeNamespace, services));
            if (r.type === "kubernetes:networking.k8s.io/v1:Ingress") {
                if (reaches(ingressBackends(known(() => props.spec))))
                    reportViolation(
                        "Ingress routes to a Redis or Sentinel port (directly or through a Service port forwarding to one); remove that route.",
                        r.urn,
                    );
            } else if (r.type === "kubernetes:core/v1:ConfigMap" || r.type === HELM_RELEASE_TYPE) {
                // The map as a ConfigMap, or as an ingress-nginx Release's `tcp`/`udp` values, which the chart turns into one.
                const maps = r.type === HELM_RELEASE_TYPE ? ingressNginxServiceMaps(props) : [known(() => props.data as unknown)];
                if (reaches(maps.flatMap(serviceMapBackends)))
                    reportViolation("Ingress controller TCP/UDP service map exposes a Redis or Sentinel port; remove that entry.", r.urn);
            } else if (GATEWAY_ROUTE.test(r.type) || TRAEFIK_ROUTE.test(r.type)) {
                if (
                    reaches(
                        routeBackends(
                            r.type,
                            known(() => props.spec),
                        ),
                    )
                )
                    reportViolation(`${r.type.split(":").pop()} sends traffic to a Redis or Sentinel port; remove that backend.`, r.urn);
            }
        }
    },
});
