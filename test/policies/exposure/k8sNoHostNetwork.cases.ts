import { k8sNoHostNetwork } from "../../../policies/exposure/k8sNoHostNetwork";
import { UNKNOWN, type TestResource } from "../../../harness/policy/inProcess";
import { imageDeployment, OTHER_REDIS_IMAGES, redisStatefulSet } from "../../../harness/policy/fixtures";
import { type PolicyCase } from "../caseFixtures";

export const k8sNoHostNetworkCase: PolicyCase = {
    policy: k8sNoHostNetwork,
    violating: [
        ...OTHER_REDIS_IMAGES.map(([what, image]): [string, TestResource[]] => [
            `${what} on the host network`,
            [imageDeployment(image, { hostNetwork: true })],
        ]),
        [
            "a hand-written Sentinel pod on a host port",
            [
                imageDeployment(
                    "example/sentinel:1",
                    {},
                    { command: ["redis-sentinel", "/etc/sentinel/sentinel.conf"], ports: [{ containerPort: 26379, hostPort: 26379 }] },
                ),
            ],
        ],
        [
            "keydb-server from another image on a host port",
            [imageDeployment("example/app:1", {}, { command: ["keydb-server"], ports: [{ containerPort: 7000, hostPort: 7000 }] })],
        ],
        ["hostNetwork", [redisStatefulSet({ hostNetwork: true })]],
        ["a hostPort", [redisStatefulSet({}, { ports: [{ containerPort: 6379, hostPort: 6379 }] })]],
        [
            "a bare Pod",
            [
                {
                    type: "kubernetes:core/v1:Pod",
                    name: "p",
                    props: { spec: { hostNetwork: true, containers: [{ name: "r", image: "redis:7" }] } },
                },
            ],
        ],
    ],
    compliant: [
        ["the hardened StatefulSet", [redisStatefulSet()]],
        [
            "an nginx Deployment on the host network",
            [
                {
                    type: "kubernetes:apps/v1:Deployment",
                    name: "web",
                    props: {
                        spec: { template: { spec: { hostNetwork: true, containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
                    },
                },
            ],
        ],
    ],
    unknown: [
        ["an unknown hostNetwork", [redisStatefulSet({ hostNetwork: UNKNOWN })]],
        ["an unknown pod spec", [{ type: "kubernetes:apps/v1:StatefulSet", name: "x", props: { spec: { template: UNKNOWN } } }]],
    ],
};
