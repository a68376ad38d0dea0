import { k8sPodHardening } from "../../../policies/container/k8sPodHardening";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { redisStatefulSet } from "../../../harness/policy/fixtures";
import { type PolicyCase } from "../caseFixtures";

export const k8sPodHardeningCase: PolicyCase = {
    policy: k8sPodHardening,
    violating: [
        [
            "a privileged container",
            [
                redisStatefulSet(
                    {},
                    {
                        securityContext: {
                            privileged: true,
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            runAsNonRoot: true,
                            capabilities: { drop: ["ALL"] },
                        },
                    },
                ),
            ],
        ],
        ["no container security context", [redisStatefulSet({ securityContext: undefined }, { securityContext: undefined })]],
        ["root", [redisStatefulSet({ securityContext: { runAsUser: 0, runAsNonRoot: true } })]],
        ["hostPID", [redisStatefulSet({ hostPID: true })]],
        ["a hostPath volume", [redisStatefulSet({ volumes: [{ name: "data", hostPath: { path: "/srv/redis" } }] })]],
    ],
    compliant: [
        ["the hardened StatefulSet", [redisStatefulSet()]],
        [
            "an unhardened nginx",
            [
                {
                    type: "kubernetes:apps/v1:Deployment",
                    name: "web",
                    props: { spec: { template: { spec: { hostPID: true, containers: [{ name: "nginx", image: "nginx:1.27" }] } } } },
                },
            ],
        ],
    ],
    unknown: [["an unknown security context", [redisStatefulSet({}, { securityContext: UNKNOWN })]]],
};
