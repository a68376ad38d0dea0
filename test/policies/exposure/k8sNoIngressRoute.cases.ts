import { k8sNoIngressRoute } from "../../../policies/exposure/k8sNoIngressRoute";
import { UNKNOWN, type TestResource } from "../../../harness/policy/inProcess";
import { type PolicyCase } from "../caseFixtures";
import { helmRelease, service } from "../../../harness/policy/fixtures";

const configMap = (name: string, data: Record<string, string>) => ({
    type: "kubernetes:core/v1:ConfigMap",
    name,
    props: { metadata: { name }, data },
});
/** A custom resource as Pulumi types it: `kubernetes:<group>/<version>:<kind>`. */
const route = (groupVersionKind: string, spec: unknown) => ({ type: `kubernetes:${groupVersionKind}`, name: "edge", props: { spec } });

export const k8sNoIngressRouteCase: PolicyCase = {
    policy: k8sNoIngressRoute,
    violating: [
        // To a Service that fronts Redis by the pods it selects, on ports that say nothing.
        [
            "a TCPRoute to a Service selecting Valkey pods",
            [
                route("gateway.networking.k8s.io/v1alpha2:TCPRoute", {
                    rules: [{ backendRefs: [{ name: "kv", namespace: "redis", port: 7000 }] }],
                }),
                service(
                    { type: "ClusterIP", selector: { "app.kubernetes.io/name": "valkey" }, ports: [{ port: 7000, targetPort: 7001 }] },
                    "kv",
                ),
            ],
        ],
        // Through a Service port that forwards to Redis's (7000 -> 6379): the route names 7000 only.
        ...[
            ["an ingress-nginx TCP map", configMap("tcp", { "6379": "redis/cache:7000" })],
            [
                "a Traefik IngressRouteTCP",
                route("traefik.io/v1alpha1:IngressRouteTCP", {
                    routes: [{ match: "HostSNI(`*`)", services: [{ name: "cache", namespace: "redis", port: 7000 }] }],
                }),
            ],
            [
                "a Gateway API TCPRoute",
                route("gateway.networking.k8s.io/v1alpha2:TCPRoute", {
                    rules: [{ backendRefs: [{ name: "cache", namespace: "redis", port: 7000 }] }],
                }),
            ],
            [
                "an Ingress",
                {
                    type: "kubernetes:networking.k8s.io/v1:Ingress",
                    name: "edge",
                    props: {
                        metadata: { name: "edge", namespace: "redis" },
                        spec: { defaultBackend: { service: { name: "cache", port: { number: 7000 } } } },
                    },
                },
            ],
        ].map(([what, r]): [string, TestResource[]] => [
            `${what as string} to a Service port forwarding to 6379`,
            [r as TestResource, service({ type: "ClusterIP", selector: { app: "cache" }, ports: [{ port: 7000, targetPort: 6379 }] })],
        ]),
        // The chart turns its tcp/udp values into the controller's service map.
        ["an ingress-nginx release mapping a TCP port to Redis", [helmRelease("ingress-nginx", { tcp: { "6379": "redis/cache:6379" } })]],
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
        // Ways around found in review (#28): other names, other routes, Sentinel's port.
        ["the Helm chart's TCP map, named for its release", [configMap("edge-ingress-nginx-tcp", { "6379": "redis/cache:6379:PROXY" })]],
        [
            "a TCP map entry to Sentinel beside a junk entry",
            [configMap("tcp-services", { x: "y", "26379": "redis/cache-sentinel:sentinel" })],
        ],
        [
            "a Gateway API TCPRoute to port 6379",
            [route("gateway.networking.k8s.io/v1alpha2:TCPRoute", { rules: [{ backendRefs: [{ name: "cache", port: 6379 }] }] })],
        ],
        [
            "a Gateway API TLSRoute to Sentinel",
            [route("gateway.networking.k8s.io/v1alpha3:TLSRoute", { rules: [{ backendRefs: [{ name: "cache-sentinel", port: 26379 }] }] })],
        ],
        [
            "an HTTPRoute with a backend on port 6379",
            [route("gateway.networking.k8s.io/v1:HTTPRoute", { rules: [{ backendRefs: [{ name: "cache", port: 6379 }] }] })],
        ],
        [
            "a Traefik IngressRouteTCP",
            [
                route("traefik.io/v1alpha1:IngressRouteTCP", {
                    routes: [{ match: "HostSNI(`*`)", services: [{ name: "cache", port: 6379 }] }],
                }),
            ],
        ],
        [
            "an older Traefik IngressRouteTCP to a named port",
            [route("traefik.containo.us/v1alpha1:IngressRouteTCP", { routes: [{ services: [{ name: "cache", port: "redis" }] }] })],
        ],
    ],
    compliant: [
        [
            "a route to a Service of the same name in another namespace",
            [
                route("gateway.networking.k8s.io/v1alpha2:TCPRoute", {
                    rules: [{ backendRefs: [{ name: "cache", namespace: "other", port: 7000 }] }],
                }),
                service({ type: "ClusterIP", selector: { app: "cache" }, ports: [{ port: 7000, targetPort: 6379 }] }),
            ],
        ],
        [
            "a TCPRoute to a Service port forwarding to another port",
            [
                route("gateway.networking.k8s.io/v1alpha2:TCPRoute", {
                    rules: [{ backendRefs: [{ name: "web", namespace: "redis", port: 7000 }] }],
                }),
                service({ type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 7000, targetPort: 8080 }] }, "web"),
            ],
        ],
        [
            "an ingress-nginx release mapping a TCP port to another service",
            [helmRelease("ingress-nginx", { tcp: { "8080": "web/app:80" } })],
        ],
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
        [
            "a TCPRoute to Postgres",
            [route("gateway.networking.k8s.io/v1alpha2:TCPRoute", { rules: [{ backendRefs: [{ name: "pg", port: 5432 }] }] })],
        ],
        [
            "a Traefik IngressRouteTCP to Postgres",
            [route("traefik.io/v1alpha1:IngressRouteTCP", { routes: [{ services: [{ name: "pg", port: 5432 }] }] })],
        ],
        ["a ConfigMap of app settings with a numeric key", [configMap("app", { "6379": "the default Redis port" })]],
    ],
    unknown: [
        [
            "a route to a Service of a namespace not known yet",
            [
                route("gateway.networking.k8s.io/v1alpha2:TCPRoute", {
                    rules: [{ backendRefs: [{ name: "cache", namespace: UNKNOWN, port: 7000 }] }],
                }),
                service({ type: "ClusterIP", selector: { app: "cache" }, ports: [{ port: 7000, targetPort: 6379 }] }),
            ],
        ],
        [
            "a Service whose namespace is not known yet",
            [
                route("gateway.networking.k8s.io/v1alpha2:TCPRoute", { rules: [{ backendRefs: [{ name: "cache", port: 7000 }] }] }),
                {
                    ...service({ type: "ClusterIP", selector: { app: "cache" }, ports: [{ port: 7000, targetPort: 6379 }] }),
                    props: {
                        metadata: { name: "cache", namespace: UNKNOWN },
                        spec: { type: "ClusterIP", ports: [{ port: 7000, targetPort: 6379 }] },
                    },
                },
            ],
        ],
        ["a TCPRoute with unknown backends", [route("gateway.networking.k8s.io/v1alpha2:TCPRoute", { rules: [{ backendRefs: UNKNOWN }] })]],
        ["a TCP map with an unknown target", [configMap("tcp-services", { "6379": UNKNOWN })]],
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
