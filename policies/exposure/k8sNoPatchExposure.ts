import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, knownString, UNKNOWN, type Known } from "../engine/known";
import { cisKubernetes, docsUrl } from "../engine/metadata";
import { hostExposures, serviceExposures } from "../engine/k8sExposure";
import { containersOf, podSpecOf, POD_TYPES, redisPods, redisServiceRole } from "../engine/recognise";

/** A Patch resource's type, e.g. `kubernetes:apps/v1:StatefulSetPatch`, and the type it patches. */
const patched = (type: string) => (type.endsWith("Patch") ? type.slice(0, -"Patch".length) : undefined);

const namespaceOf = (props: any): Known<string> => {
    const namespace = known(() => props?.metadata?.namespace as unknown);
    return namespace === UNKNOWN ? UNKNOWN : typeof namespace === "string" ? namespace : "default";
};

/** The resources of the stack a patch applies to: same type, name and namespace (an unknown one matches). */
function targetsOf(resources: PolicyResource[], type: string, props: any): PolicyResource[] {
    const name = knownString(() => props?.metadata?.name);
    const namespace = namespaceOf(props);
    return resources.filter((r) => {
        if (r.type !== type) return false;
        const ns = namespaceOf(r.props);
        return knownString(() => (r.props as any).metadata?.name) === name && (ns === namespace || ns === UNKNOWN || namespace === UNKNOWN);
    });
}

export const k8sNoPatchExposure: StackValidationPolicy = stackPolicy({
    name: "redis-k8s-no-exposure-by-patch",
    description:
        "Server-side apply patches (ServicePatch, StatefulSetPatch, DeploymentPatch…) must not publish Redis or its Sentinels: a patch turning their Service into a LoadBalancer or NodePort, or their pods onto hostNetwork or host ports, exposes what the resource itself keeps private.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: cisKubernetes("5.2.5", "Minimize the admission of containers wishing to share the host network namespace"),
    tags: ["kubernetes", "network", "exposure", "patch"],
    remediationSteps:
        "Remove the patch's `type` (or set ClusterIP), `externalIPs` and `nodePort` for a Redis or Sentinel Service, and `hostNetwork` and `hostPort` for a Redis workload. A patch is judged by the resource it names in this stack, or by what it says itself when that resource is not in the stack.",
    url: docsUrl("redis-k8s-no-exposure-by-patch"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        for (const patch of args.resources) {
            const type = patched(patch.type);
            if (!type) continue;
            const props = patch.props as any;
            const targets = targetsOf(args.resources, type, props);
            if (type === "kubernetes:core/v1:Service") {
                const spec = known(() => props.spec);
                if (spec === UNKNOWN) continue;
                const role =
                    redisServiceRole(spec) ?? targets.map((t) => redisServiceRole(known(() => (t.props as any).spec))).find(Boolean);
                const how = role && serviceExposures(spec).join(", ");
                if (how)
                    reportViolation(
                        `This patch gives the ${role} Service ${how}; keep it ClusterIP without external addresses.`,
                        patch.urn,
                    );
            } else if (POD_TYPES.has(type)) {
                const redis = redisPods(type, props) ?? targets.map((t) => redisPods(type, t.props)).find(Boolean);
                const spec = podSpecOf(type, props);
                const how = redis && spec && spec !== UNKNOWN && hostExposures(spec, containersOf(spec)).join(", ");
                if (how)
                    reportViolation(
                        `This patch puts Redis pods on ${how}: reachable on the node's own addresses, outside any NetworkPolicy.`,
                        patch.urn,
                    );
            }
        }
    },
});
