// What publishes a Kubernetes Service or pod beyond the cluster's own network: read by the policies
// that judge Services and pods, and by the one that judges patches of them.
import { known, knownItems, knownString, UNKNOWN } from "./known";

const isSet = (value: unknown) => value !== undefined && value !== UNKNOWN;

/** Service types that publish a Service beyond the cluster (or alias it to a host elsewhere). */
export const PUBLIC_SERVICE_TYPES: readonly string[] = ["LoadBalancer", "NodePort", "ExternalName"];

/** What a Service spec sets that publishes it: a LoadBalancer, NodePort or ExternalName type, externalIPs, a nodePort. */
export function serviceExposures(spec: any): string[] {
    const type = knownString(() => spec?.type);
    return [
        ...(type !== undefined && PUBLIC_SERVICE_TYPES.includes(type) ? [`type ${type}`] : []),
        ...(knownItems(() => spec?.externalIPs).items.length > 0 ? ["externalIPs"] : []),
        ...(knownItems<any>(() => spec?.ports).items.some((p) => isSet(known(() => p.nodePort as unknown))) ? ["a nodePort"] : []),
    ];
}

/** Gateway API route kinds (gateway.networking.k8s.io, any version), whose backends name a Service port. */
export const GATEWAY_ROUTE_KINDS: readonly string[] = ["TCPRoute", "TLSRoute", "HTTPRoute", "GRPCRoute", "UDPRoute"];
/** Traefik's TCP and UDP route kinds (traefik.io, and traefik.containo.us before Traefik 3). */
export const TRAEFIK_ROUTE_KINDS: readonly string[] = ["IngressRouteTCP", "IngressRouteUDP"];

/** Those routes as custom resources' types: `kubernetes:<group>/<version>:<kind>`. */
export const GATEWAY_ROUTE = new RegExp(`^kubernetes:gateway\\.networking\\.k8s\\.io/[^:]+:(${GATEWAY_ROUTE_KINDS.join("|")})$`);
export const TRAEFIK_ROUTE = new RegExp(`^kubernetes:traefik\\.(io|containo\\.us)/[^:]+:(${TRAEFIK_ROUTE_KINDS.join("|")})$`);

/** What puts a pod on its node's own addresses: `hostNetwork`, or a `hostPort` on one of `containers`. */
export function hostExposures(spec: any, containers: any[]): string[] {
    return [
        ...(known(() => spec?.hostNetwork as unknown) === true ? ["hostNetwork"] : []),
        ...(containers.some((c) => knownItems<any>(() => c.ports).items.some((p) => isSet(known(() => p.hostPort as unknown))))
            ? ["a hostPort"]
            : []),
    ];
}
