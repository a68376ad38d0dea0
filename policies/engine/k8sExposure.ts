// What publishes a Kubernetes Service or pod beyond the cluster's own network: read by the policies
// that judge Services and pods, and by the one that judges patches of them.
import { known, knownItems, knownString, UNKNOWN } from "./known";

const isSet = (value: unknown) => value !== undefined && value !== UNKNOWN;

/** What a Service spec sets that publishes it: a LoadBalancer, NodePort or ExternalName type, externalIPs, a nodePort. */
export function serviceExposures(spec: any): string[] {
    const type = knownString(() => spec?.type);
    return [
        ...(type === "LoadBalancer" || type === "NodePort" || type === "ExternalName" ? [`type ${type}`] : []),
        ...(knownItems(() => spec?.externalIPs).items.length > 0 ? ["externalIPs"] : []),
        ...(knownItems<any>(() => spec?.ports).items.some((p) => isSet(known(() => p.nodePort as unknown))) ? ["a nodePort"] : []),
    ];
}

/** What puts a pod on its node's own addresses: `hostNetwork`, or a `hostPort` on one of `containers`. */
export function hostExposures(spec: any, containers: any[]): string[] {
    return [
        ...(known(() => spec?.hostNetwork as unknown) === true ? ["hostNetwork"] : []),
        ...(containers.some((c) => knownItems<any>(() => c.ports).items.some((p) => isSet(known(() => p.hostPort as unknown))))
            ? ["a hostPort"]
            : []),
    ];
}
