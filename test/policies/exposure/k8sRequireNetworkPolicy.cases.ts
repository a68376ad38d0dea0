import { k8sRequireNetworkPolicy } from "../../../policies/exposure/k8sRequireNetworkPolicy";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { hardenedKubernetes, helmRelease, networkPolicy, redisStatefulSet } from "../../../harness/policy/fixtures";
import { type PolicyCase, k8sWith } from "../caseFixtures";

const NAME_LABEL = "kubernetes.io/metadata.name";
/** An ingress rule on the Redis port from these peers. */
const fromPeers = (...from: unknown[]) => ({ from, ports: [{ port: 6379 }] });
/** A namespaceSelector on the name label every namespace carries. */
const everyNamespace = (operator: string, values?: string[]) => ({
    matchExpressions: [{ key: NAME_LABEL, operator, ...(values && { values }) }],
});

export const k8sRequireNetworkPolicyCase: PolicyCase = {
    policy: k8sRequireNetworkPolicy,
    violating: [
        ["no NetworkPolicy", hardenedKubernetes().filter((r) => !r.type.includes("NetworkPolicy"))],
        ["a policy that admits every source", k8sWith(networkPolicy({ ingress: [{}] }))],
        ["a policy for other pods", k8sWith(networkPolicy({ podSelector: { matchLabels: { app: "web" } } }))],
        // Requirements are selected on too: these select other pods, not Redis's.
        [
            "a policy for other pods, with an expression",
            k8sWith(
                networkPolicy({ podSelector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "Exists" }] } }),
            ),
        ],
        [
            "a policy whose expression selects other pods",
            k8sWith(
                networkPolicy({ podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["web"] }] } }),
            ),
        ],
        [
            "a Helm release of Bitnami's redis chart with its NetworkPolicy off",
            [helmRelease("redis", { networkPolicy: { enabled: false } })],
        ],
        // Sources that look restricted and admit everyone (ways around found in review, #28).
        [
            "a peer selecting every namespace (namespaceSelector: {})",
            k8sWith(networkPolicy({ ingress: [fromPeers({ namespaceSelector: {} })] })),
        ],
        [
            "a peer selecting every pod of every namespace",
            k8sWith(networkPolicy({ ingress: [fromPeers({ namespaceSelector: {}, podSelector: {} })] })),
        ],
        [
            "namespaces selected by the name label every namespace carries (Exists)",
            k8sWith(networkPolicy({ ingress: [fromPeers({ namespaceSelector: everyNamespace("Exists") })] })),
        ],
        [
            "namespaces selected as all but one (NotIn), pods as all but one",
            k8sWith(
                networkPolicy({
                    ingress: [
                        fromPeers({
                            namespaceSelector: everyNamespace("NotIn", ["kube-system"]),
                            podSelector: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["batch"] }] },
                        }),
                    ],
                }),
            ),
        ],
        [
            "namespaces selected by a label none carries (DoesNotExist)",
            k8sWith(
                networkPolicy({
                    ingress: [fromPeers({ namespaceSelector: { matchExpressions: [{ key: "quarantine", operator: "DoesNotExist" }] } })],
                }),
            ),
        ],
        [
            "ipBlock 0.0.0.0/0, the pod network excepted",
            k8sWith(networkPolicy({ ingress: [fromPeers({ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } })] })),
        ],
        ["ipBlock ::/0", k8sWith(networkPolicy({ ingress: [fromPeers({ ipBlock: { cidr: "::/0" } })] }))],
        [
            "ipBlocks that add up to every IPv4 address (0.0.0.0/1 and 128.0.0.0/1)",
            k8sWith(networkPolicy({ ingress: [fromPeers({ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: "128.0.0.0/1" } })] })),
        ],
        [
            "a second policy admitting everyone beside the hardened one (policies add up)",
            [
                ...hardenedKubernetes(),
                { ...networkPolicy({ podSelector: {}, ingress: [{}], policyTypes: ["Ingress"] }), name: "allow-all" },
            ],
        ],
        [
            "a restricted rule beside one admitting every namespace",
            k8sWith(
                networkPolicy({
                    ingress: [
                        fromPeers({ podSelector: { matchLabels: { "cache-client": "true" } } }),
                        fromPeers({ namespaceSelector: {} }),
                    ],
                }),
            ),
        ],
        [
            "a policy in another namespace",
            k8sWith({ ...networkPolicy(), props: { ...networkPolicy().props, metadata: { name: "cache", namespace: "web" } } }),
        ],
    ],
    compliant: [
        ["the hardened deployment", hardenedKubernetes()],
        [
            "a policy selecting Redis's pods by expressions",
            k8sWith(
                networkPolicy({
                    podSelector: {
                        matchExpressions: [
                            { key: "app.kubernetes.io/name", operator: "In", values: ["redis", "valkey"] },
                            { key: "tier", operator: "DoesNotExist" },
                            { key: "app.kubernetes.io/instance", operator: "NotIn", values: ["other"] },
                        ],
                    },
                }),
            ),
        ],
        [
            "a Helm release of Bitnami's redis chart admitting only client pods",
            [helmRelease("redis", { networkPolicy: { enabled: true, allowExternal: false } })],
        ],
        ["a Helm release of another chart with NetworkPolicies off", [helmRelease("grafana", { networkPolicy: { enabled: false } })]],
        [
            "labelled client pods in every namespace",
            k8sWith(
                networkPolicy({
                    ingress: [fromPeers({ namespaceSelector: {}, podSelector: { matchLabels: { "cache-client": "true" } } })],
                }),
            ),
        ],
        [
            "every pod of labelled namespaces",
            k8sWith(networkPolicy({ ingress: [fromPeers({ namespaceSelector: { matchLabels: { team: "shop" } } })] })),
        ],
        [
            "namespaces that carry a team label (Exists on another key)",
            k8sWith(
                networkPolicy({ ingress: [fromPeers({ namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] } })] }),
            ),
        ],
        [
            "namespaces named in a list (In)",
            k8sWith(
                networkPolicy({
                    ingress: [
                        fromPeers({ namespaceSelector: { matchExpressions: [{ key: NAME_LABEL, operator: "In", values: ["shop"] }] } }),
                    ],
                }),
            ),
        ],
        [
            "private address ranges and an office network",
            k8sWith(
                networkPolicy({
                    ingress: [
                        fromPeers(
                            { ipBlock: { cidr: "10.0.0.0/8" } },
                            { ipBlock: { cidr: "192.168.0.0/16" } },
                            { ipBlock: { cidr: "2001:db8::/32" } },
                        ),
                    ],
                }),
            ),
        ],
        [
            "a default-deny policy for the namespace",
            k8sWith(networkPolicy({ podSelector: {}, ingress: undefined, policyTypes: ["Ingress"] })),
        ],
    ],
    unknown: [
        [
            "an unknown namespace",
            [
                redisStatefulSet(),
                { ...networkPolicy(), props: { ...networkPolicy().props, metadata: { name: "cache", namespace: UNKNOWN } } },
            ],
        ],
        ["an unknown pod selector", k8sWith(networkPolicy({ podSelector: UNKNOWN }))],
        ["an unknown namespaceSelector in a peer", k8sWith(networkPolicy({ ingress: [fromPeers({ namespaceSelector: UNKNOWN })] }))],
        [
            "an unknown expression operator",
            k8sWith(
                networkPolicy({ ingress: [fromPeers({ namespaceSelector: { matchExpressions: [{ key: "team", operator: UNKNOWN }] } })] }),
            ),
        ],
        [
            "an unknown ipBlock beside 0.0.0.0/1",
            k8sWith(networkPolicy({ ingress: [fromPeers({ ipBlock: { cidr: "0.0.0.0/1" } }, { ipBlock: { cidr: UNKNOWN } })] })),
        ],
    ],
};
