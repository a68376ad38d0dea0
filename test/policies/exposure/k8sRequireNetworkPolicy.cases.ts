import { k8sRequireNetworkPolicy } from "../../../policies/exposure/k8sRequireNetworkPolicy";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { hardenedKubernetes, networkPolicy, redisStatefulSet } from "../../../harness/policy/fixtures";
import { type PolicyCase, k8sWith } from "../caseFixtures";

export const k8sRequireNetworkPolicyCase: PolicyCase = {
    policy: k8sRequireNetworkPolicy,
    violating: [
        ["no NetworkPolicy", hardenedKubernetes().filter((r) => !r.type.includes("NetworkPolicy"))],
        ["a policy that admits every source", k8sWith(networkPolicy({ ingress: [{}] }))],
        ["a policy for other pods", k8sWith(networkPolicy({ podSelector: { matchLabels: { app: "web" } } }))],
        [
            "a policy in another namespace",
            k8sWith({ ...networkPolicy(), props: { ...networkPolicy().props, metadata: { name: "cache", namespace: "web" } } }),
        ],
    ],
    compliant: [
        ["the hardened deployment", hardenedKubernetes()],
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
    ],
};
