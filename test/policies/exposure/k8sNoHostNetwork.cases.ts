import { k8sNoHostNetwork } from "../../../policies/exposure/k8sNoHostNetwork";
import { UNKNOWN, type TestResource } from "../../../harness/policy/inProcess";
import { helmRelease, imageDeployment, OTHER_REDIS_IMAGES, redisStatefulSet } from "../../../harness/policy/fixtures";
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
        ["a Helm release of redis-cluster on the node's network", [helmRelease("redis-cluster", { redis: { hostNetwork: true } })]],
        // Other kinds that run pods from a template.
        ...["kubernetes:core/v1:ReplicationController", "kubernetes:argoproj.io/v1alpha1:Rollout"].map((type): [string, TestResource[]] => [
            `a ${type.split(":").pop()} on the host network`,
            [{ ...imageDeployment("redis:7.2-alpine", { hostNetwork: true }), type }],
        ]),
        // Every container of a pod shares its network: a sidecar's host port on Redis's port reaches Redis.
        [
            "a sidecar's host port on the port Redis is started on",
            [
                redisStatefulSet({
                    containers: [
                        { name: "redis", image: "redis:7-alpine", command: ["redis-server", "--port", "7000"] },
                        {
                            name: "proxy",
                            image: "busybox:1.36",
                            command: ["sleep", "infinity"],
                            ports: [{ containerPort: 7000, hostPort: 7000 }],
                        },
                    ],
                }),
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
            "an exporter sidecar's host port on its own port",
            [
                redisStatefulSet({
                    containers: [
                        { name: "redis", image: "redis:7-alpine", ports: [{ containerPort: 6379 }] },
                        { name: "metrics", image: "oliver006/redis_exporter:v1.62.0", ports: [{ containerPort: 9121, hostPort: 9121 }] },
                    ],
                }),
            ],
        ],
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
