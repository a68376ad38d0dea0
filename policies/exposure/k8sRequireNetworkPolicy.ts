import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, knownItems, knownLabels, UNKNOWN, type Known } from "../engine/known";
import { POD_TYPES, redisPods } from "../engine/recognise";
import { cisKubernetes, docsUrl } from "../engine/metadata";

/** Whether a label selector (matchLabels only) can select pods with these labels; unknown, on either side, counts as yes. */
function selects(selector: any, labels: Known<Record<string, Known<string>>>): boolean {
    const matchLabels = knownLabels(() => selector?.matchLabels);
    if (matchLabels === UNKNOWN || labels === UNKNOWN) return true;
    const expressions = knownItems<any>(() => selector?.matchExpressions).items;
    const labelsOk = Object.entries(matchLabels ?? {}).every(([k, v]) => v === UNKNOWN || labels[k] === UNKNOWN || labels[k] === v);
    // matchExpressions are not evaluated: a policy using them is given the benefit of the doubt.
    return labelsOk || expressions.length > 0;
}

/**
 * Whether a policy restricts ingress: it covers Ingress and none of its rules admits every source.
 * What cannot be told at this point (a policy type, a rule's sources) counts as restricting.
 */
function restrictsIngress(spec: any): boolean {
    if (spec === UNKNOWN) return true;
    const types = knownItems<string>(() => spec?.policyTypes);
    const coversIngress = types.items.includes("Ingress") || (types.items.length === 0 && types.complete) || !types.complete;
    if (!coversIngress) return false;
    return knownItems<any>(() => spec?.ingress).items.every((rule) => {
        const from = knownItems(() => rule.from);
        return from.items.length > 0 || !from.complete;
    });
}

const sameNamespace = (a: Known<string | undefined>, b: Known<string | undefined>) =>
    a === UNKNOWN || b === UNKNOWN || (a ?? "default") === (b ?? "default");

export const k8sRequireNetworkPolicy: StackValidationPolicy = stackPolicy({
    name: "redis-k8s-requires-network-policy",
    description:
        "Every Redis pod must be selected by a NetworkPolicy that restricts ingress: without one, any pod in the cluster can connect to it.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: cisKubernetes("5.3.2", "Ensure that all Namespaces have NetworkPolicies defined"),
    tags: ["kubernetes", "network", "isolation", "networkpolicy"],
    remediationSteps:
        "Add a NetworkPolicy in Redis's namespace whose `podSelector` selects the Redis pods, with `policyTypes: [Ingress]` and ingress rules that each name their sources (`from`). KubernetesRedis creates one, admitting pods labelled `clientLabelKey`=`clientLabelValue` (from namespaces matching `clientNamespaceLabels`).",
    url: docsUrl("redis-k8s-requires-network-policy"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const policies = args.resources
            .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map((r) => r.props as any);
        for (const r of args.resources.filter((r) => POD_TYPES.has(r.type))) {
            const pods = redisPods(r.type, r.props);
            if (!pods) continue;
            const namespace = known(() => (r.props as any).metadata?.namespace as string | undefined);
            const covered = policies.some(
                (p) =>
                    sameNamespace(
                        known(() => p.metadata?.namespace as string | undefined),
                        namespace,
                    ) &&
                    selects(
                        known(() => p.spec?.podSelector),
                        pods.labels,
                    ) &&
                    restrictsIngress(known(() => p.spec)),
            );
            if (!covered) {
                reportViolation(
                    "No NetworkPolicy in this stack selects these Redis pods and restricts ingress; add one admitting only client pods.",
                    r.urn,
                );
            }
        }
    },
});
