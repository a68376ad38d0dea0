import { k8sNoPublicService } from "../../../policies/exposure/k8sNoPublicService";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { redisServicePorts, service } from "../../../harness/policy/fixtures";
import { type PolicyCase } from "../caseFixtures";

export const k8sNoPublicServiceCase: PolicyCase = {
    policy: k8sNoPublicService,
    violating: [
        ["a LoadBalancer", [service({ type: "LoadBalancer", ports: redisServicePorts })]],
        // The usual NodePort: Kubernetes picks the node port.
        ["a NodePort", [service({ type: "NodePort", ports: redisServicePorts })]],
        ["an explicit nodePort on a ClusterIP", [service({ type: "ClusterIP", ports: [{ port: 6379, nodePort: 30079 }] })]],
        ["externalIPs", [service({ type: "ClusterIP", externalIPs: ["203.0.113.7"], ports: redisServicePorts })]],
        ["ExternalName selecting Redis by label", [service({ type: "ExternalName", selector: { app: "redis" } })]],
    ],
    compliant: [
        ["a ClusterIP Service", [service({ type: "ClusterIP", ports: redisServicePorts })]],
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
