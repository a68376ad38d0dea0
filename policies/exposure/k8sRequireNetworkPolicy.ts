import type { StackValidationPolicy } from "@pulumi/policy";
import { Address4, Address6 } from "ip-address";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, knownItems, knownLabels, knownString, UNKNOWN, type Known } from "../engine/known";
import { POD_TYPES, redisPods } from "../engine/recognise";
import { cisKubernetes, docsUrl } from "../engine/metadata";
import { redisReleases, releaseDisablesNetworkPolicy } from "../engine/helmReleases";

/**
 * Whether a label selector can select pods with these labels: every matchLabels entry and every
 * matchExpressions requirement (In, NotIn, Exists, DoesNotExist) holds. Unknown, on either side,
 * counts as yes.
 */
function selects(selector: any, labels: Known<Record<string, Known<string>>>): boolean {
    const matchLabels = knownLabels(() => selector?.matchLabels);
    if (matchLabels === UNKNOWN || labels === UNKNOWN) return true;
    const labelsOk = Object.entries(matchLabels ?? {}).every(([k, v]) => v === UNKNOWN || labels[k] === UNKNOWN || labels[k] === v);
    return labelsOk && knownItems<any>(() => selector?.matchExpressions).items.every((e) => requirementHolds(e, labels));
}

/** Whether one matchExpressions requirement holds for these labels; a part not known counts as yes. */
function requirementHolds(requirement: any, labels: Record<string, Known<string>>): boolean {
    const key = knownString(() => requirement?.key);
    const operator = knownString(() => requirement?.operator);
    const values = knownItems<string>(() => requirement?.values);
    if (key === undefined || operator === undefined) return true;
    const value = labels[key];
    if (value === UNKNOWN) return true;
    switch (operator) {
        case "Exists":
            return key in labels;
        case "DoesNotExist":
            return !(key in labels);
        case "In":
            return !values.complete || (value !== undefined && values.items.includes(value));
        case "NotIn":
            return !values.complete || value === undefined || !values.items.includes(value);
        default:
            return true;
    }
}

/** The label every namespace carries (Kubernetes 1.21 and later): requiring it to exist selects them all. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Whether a label selector selects everything it is matched against: no labels, and only
 * open-ended requirements (NotIn and DoesNotExist select all but a few; Exists on a label every
 * object carries selects all). A selector that cannot be read counts as selecting a few.
 */
function selectsEverything(selector: Known<any>, labelEveryOneCarries?: string): boolean {
    if (selector === UNKNOWN || selector === null || typeof selector !== "object") return false;
    const labels = knownLabels(() => selector.matchLabels);
    if (labels === UNKNOWN || Object.keys(labels ?? {}).length > 0) return false;
    const expressions = knownItems<any>(() => selector.matchExpressions);
    return (
        expressions.complete &&
        expressions.items.every((e) => {
            const operator = known(() => e?.operator as unknown);
            return (
                operator === "NotIn" ||
                operator === "DoesNotExist" ||
                (operator === "Exists" && known(() => e?.key) === labelEveryOneCarries)
            );
        })
    );
}

/** Whether a peer admits every pod in the cluster: every namespace (`namespaceSelector: {}` or the like), and every pod in them. */
function admitsEveryPod(peer: any): boolean {
    const namespaces = known(() => peer?.namespaceSelector as unknown);
    // Without a namespaceSelector a podSelector picks pods of the policy's own namespace only.
    if (namespaces === undefined) return false;
    const pods = known(() => peer?.podSelector as unknown);
    return selectsEverything(namespaces, NAMESPACE_NAME_LABEL) && (pods === undefined || selectsEverything(pods));
}

/** The addresses a CIDR covers, as [first, last] and its family; undefined when it does not parse. */
function addressRange(cidr: string): { v6: boolean; first: bigint; last: bigint } | undefined {
    for (const [Address, v6] of [
        [Address4, false],
        [Address6, true],
    ] as const) {
        if (!Address.isValid(cidr)) continue;
        const address = new Address(cidr);
        return { v6, first: address.startAddress().bigInt(), last: address.endAddress().bigInt() };
    }
    return undefined;
}

/**
 * Whether the ipBlocks of a rule cover every IPv4 or every IPv6 address (`0.0.0.0/0`, `::/0`, or
 * blocks that add up to it): the whole internet is then a source, whatever `except` takes out.
 */
function blocksCoverAnAddressFamily(peers: any[]): boolean {
    const ranges = peers
        .map((peer) => known(() => peer?.ipBlock?.cidr as unknown))
        .flatMap((cidr) => (typeof cidr === "string" ? [addressRange(cidr)] : []))
        .filter((range) => range !== undefined);
    return [false, true].some((v6) => {
        const end = (1n << (v6 ? 128n : 32n)) - 1n;
        let next = 0n;
        for (const { first, last } of ranges
            .filter((r) => r.v6 === v6)
            .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))) {
            if (first > next) return false;
            if (last >= next) next = last + 1n;
            if (next > end) return true;
        }
        return false;
    });
}

/** Why an ingress rule admits every source, or undefined when it names its sources (or they cannot be read). */
function admitsEveryone(rule: any): string | undefined {
    const from = knownItems<any>(() => rule?.from);
    if (from.items.length === 0) return from.complete ? "a rule without `from`" : undefined;
    if (from.items.some(admitsEveryPod)) return "a `from` peer selecting every pod of every namespace";
    if (blocksCoverAnAddressFamily(from.items)) return "`ipBlock`s covering every address";
    return undefined;
}

/** Whether a policy isolates its pods for ingress; what cannot be told counts as yes. */
function coversIngress(spec: any): boolean {
    if (spec === UNKNOWN) return true;
    const types = knownItems<string>(() => spec?.policyTypes);
    return types.items.includes("Ingress") || (types.items.length === 0 && types.complete) || !types.complete;
}

/** Why a policy admits every source to its pods, or undefined when each of its rules names its sources. */
function admitsEveryoneThrough(spec: any): string | undefined {
    if (spec === UNKNOWN) return undefined;
    for (const rule of knownItems<any>(() => spec?.ingress).items) {
        const why = admitsEveryone(rule);
        if (why) return why;
    }
    return undefined;
}

const sameNamespace = (a: Known<string | undefined>, b: Known<string | undefined>) =>
    a === UNKNOWN || b === UNKNOWN || (a ?? "default") === (b ?? "default");

export const k8sRequireNetworkPolicy: StackValidationPolicy = stackPolicy({
    name: "redis-k8s-requires-network-policy",
    description:
        "Every Redis pod must be selected by a NetworkPolicy that restricts ingress, and by none that admits every source: without one, any pod in the cluster can connect to it.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: cisKubernetes("5.3.2", "Ensure that all Namespaces have NetworkPolicies defined"),
    tags: ["kubernetes", "network", "isolation", "networkpolicy"],
    remediationSteps:
        "Add a NetworkPolicy in Redis's namespace whose `podSelector` selects the Redis pods, with `policyTypes: [Ingress]` and ingress rules that each name their sources (`from`). KubernetesRedis creates one, admitting pods labelled `clientLabelKey`=`clientLabelValue` (from namespaces matching `clientNamespaceLabels`).",
    url: docsUrl("redis-k8s-requires-network-policy"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        for (const release of redisReleases(args.resources)) {
            if (releaseDisablesNetworkPolicy(release.props))
                reportViolation(
                    "Helm release of Redis turns off its chart's NetworkPolicy (networkPolicy.enabled: false); enable it and admit only client pods (networkPolicy.allowExternal: false).",
                    release.urn,
                );
        }
        const policies = args.resources
            .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .map((r) => r.props as any);
        for (const r of args.resources.filter((r) => POD_TYPES.has(r.type))) {
            const pods = redisPods(r.type, r.props);
            if (!pods) continue;
            const namespace = known(() => (r.props as any).metadata?.namespace as string | undefined);
            const selecting = policies.filter(
                (p) =>
                    sameNamespace(
                        known(() => p.metadata?.namespace as string | undefined),
                        namespace,
                    ) &&
                    selects(
                        known(() => p.spec?.podSelector),
                        pods.labels,
                    ),
            );
            // Policies add up: a pod admits what any policy selecting it admits, so one that admits
            // everyone opens the pod, whatever the others say.
            const isolating = selecting.filter((p) => coversIngress(known(() => p.spec)));
            if (isolating.length === 0) {
                reportViolation(
                    "No NetworkPolicy in this stack selects these Redis pods and restricts ingress; add one admitting only client pods.",
                    r.urn,
                );
                continue;
            }
            const open = isolating.flatMap((p) => {
                const why = admitsEveryoneThrough(known(() => p.spec));
                return why ? [`NetworkPolicy "${knownString(() => p.metadata?.name) ?? "(unnamed)"}" admits everyone through ${why}`] : [];
            });
            if (open.length > 0)
                reportViolation(
                    `${open.join("; ")}. Policies add up, so these Redis pods are open to every source; admit only client pods, by label.`,
                    r.urn,
                );
        }
    },
});
