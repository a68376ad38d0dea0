import { k8sNoPublicService } from "../../../policies/exposure/k8sNoPublicService";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { helmRelease, redisServicePorts, service } from "../../../harness/policy/fixtures";
import { type PolicyCase } from "../caseFixtures";

export const k8sNoPublicServiceCase: PolicyCase = {
    policy: k8sNoPublicService,
    violating: [
        // Only the pods it selects say what it fronts.
        [
            "a LoadBalancer selecting Valkey pods",
            [service({ type: "LoadBalancer", selector: { "app.kubernetes.io/name": "valkey" }, ports: [{ port: 80 }] })],
        ],
        [
            "a NodePort selecting Valkey's Sentinels",
            [service({ type: "NodePort", selector: { app: "valkey-sentinel" }, ports: [{ port: 80 }] })],
        ],
        ["a LoadBalancer", [service({ type: "LoadBalancer", ports: redisServicePorts })]],
        // A Release renders its objects out of the pack's sight: its values are what shows.
        ["Bitnami's redis chart with a LoadBalancer primary", [helmRelease("redis", { master: { service: { type: "LoadBalancer" } } })]],
        [
            "Bitnami's redis chart with NodePort Sentinels",
            [helmRelease("bitnami/redis", { sentinel: { enabled: true, service: { type: "NodePort" } } })],
        ],
        [
            "Bitnami's valkey chart from OCI with a fixed node port",
            [helmRelease("oci://registry-1.docker.io/bitnamicharts/valkey", { primary: { service: { nodePorts: { valkey: "30079" } } } })],
        ],
        [
            "Bitnami's Sentinel master Service as a LoadBalancer",
            [helmRelease("redis", { sentinel: { masterService: { type: "LoadBalancer" } } })],
        ],
        [
            "redis-cluster with a public address per server",
            [helmRelease("redis-cluster", { cluster: { externalAccess: { enabled: true } } })],
        ],
        [
            "a packaged chart with a LoadBalancer primary",
            [helmRelease("./charts/redis-17.3.7.tgz", { master: { service: { type: "LoadBalancer" } } })],
        ],
        ["the redis-ha chart with external IPs", [helmRelease("redis-ha", { service: { externalIPs: ["203.0.113.7"] } })]],
        // The usual NodePort: Kubernetes picks the node port.
        ["a NodePort", [service({ type: "NodePort", ports: redisServicePorts })]],
        ["an explicit nodePort on a ClusterIP", [service({ type: "ClusterIP", ports: [{ port: 6379, nodePort: 30079 }] })]],
        ["externalIPs", [service({ type: "ClusterIP", externalIPs: ["203.0.113.7"], ports: redisServicePorts })]],
        ["ExternalName selecting Redis by label", [service({ type: "ExternalName", selector: { app: "redis" } })]],
        // Sentinels tell clients where the primary is and take password guesses (#28).
        ["a Sentinel LoadBalancer on 26379", [service({ type: "LoadBalancer", ports: [{ port: 26379 }] }, "sentinel")]],
        [
            "a NodePort with the Bitnami chart's port names",
            [service({ type: "NodePort", ports: [{ name: "tcp-sentinel", port: 5000, targetPort: "tcp-sentinel" }] }, "sentinel")],
        ],
        [
            "externalIPs on a Service selecting the Sentinel pods",
            [
                service(
                    { type: "ClusterIP", externalIPs: ["203.0.113.7"], selector: { app: "redis-sentinel" }, ports: [{ port: 5000 }] },
                    "sentinel",
                ),
            ],
        ],
        [
            "a LoadBalancer selecting the Sentinel component of redis",
            [
                service(
                    {
                        type: "LoadBalancer",
                        selector: { "app.kubernetes.io/name": "redis", "app.kubernetes.io/component": "sentinel" },
                        ports: [{ port: 5000 }],
                    },
                    "sentinel",
                ),
            ],
        ],
    ],
    compliant: [
        ["a ClusterIP Service", [service({ type: "ClusterIP", ports: redisServicePorts })]],
        // The charts' own defaults: ClusterIP, node ports "" (none chosen).
        [
            "Bitnami's redis chart with its default services",
            [
                helmRelease("redis", {
                    master: { service: { type: "ClusterIP", nodePorts: { redis: "" } } },
                    auth: { existingSecret: "cache" },
                }),
            ],
        ],
        [
            "a LoadBalancer from another chart",
            [helmRelease("ingress-nginx", { service: { type: "LoadBalancer" }, controller: { service: { type: "LoadBalancer" } } })],
        ],
        ["a ClusterIP Sentinel Service", [service({ type: "ClusterIP", ports: [{ name: "sentinel", port: 26379 }] }, "sentinel")]],
        [
            "a web LoadBalancer",
            [service({ type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 443, targetPort: 8443 }] }, "web")],
        ],
    ],
    unknown: [
        ["an unknown type", [service({ type: UNKNOWN, ports: redisServicePorts })]],
        ["unknown ports", [service({ type: "LoadBalancer", ports: UNKNOWN })]],
    ],
};
