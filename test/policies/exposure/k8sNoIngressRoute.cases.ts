import { k8sNoIngressRoute } from "../../../policies/exposure/k8sNoIngressRoute";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { type PolicyCase } from "../caseFixtures";

export const k8sNoIngressRouteCase: PolicyCase = {
    policy: k8sNoIngressRoute,
    violating: [
        [
            "an Ingress to port 6379",
            [
                {
                    type: "kubernetes:networking.k8s.io/v1:Ingress",
                    name: "edge",
                    props: {
                        spec: {
                            rules: [{ http: { paths: [{ path: "/", backend: { service: { name: "cache", port: { number: 6379 } } } }] } }],
                        },
                    },
                },
            ],
        ],
        [
            "an ingress-nginx TCP mapping",
            [
                {
                    type: "kubernetes:core/v1:ConfigMap",
                    name: "tcp",
                    props: { metadata: { name: "tcp-services" }, data: { "6379": "redis/cache:6379" } },
                },
            ],
        ],
    ],
    compliant: [
        [
            "an Ingress to a web port",
            [
                {
                    type: "kubernetes:networking.k8s.io/v1:Ingress",
                    name: "edge",
                    props: { spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } } },
                },
            ],
        ],
        [
            "a TCP mapping to Postgres",
            [
                {
                    type: "kubernetes:core/v1:ConfigMap",
                    name: "tcp",
                    props: { metadata: { name: "tcp-services" }, data: { "5432": "db/pg:5432" } },
                },
            ],
        ],
    ],
    unknown: [
        [
            "an unknown backend port",
            [
                {
                    type: "kubernetes:networking.k8s.io/v1:Ingress",
                    name: "edge",
                    props: { spec: { defaultBackend: { service: { name: "cache", port: UNKNOWN } } } },
                },
            ],
        ],
    ],
};
