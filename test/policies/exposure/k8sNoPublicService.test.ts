import { describe, expect, it } from "vitest";
import { k8sNoPublicService } from "../../../policies/exposure/k8sNoPublicService";
import { evaluate, remediate } from "../../../harness/policy/inProcess";
import { redisServicePorts, service } from "../../../harness/policy/fixtures";
import { k8sNoPublicServiceCase } from "./k8sNoPublicService.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sNoPublicServiceCase);

describe("redis-k8s-no-public-service remediation", () => {
    it("turns a LoadBalancer or NodePort in front of Redis into ClusterIP, dropping what only those may carry", async () => {
        const exposed = service({
            type: "LoadBalancer",
            selector: { app: "redis" },
            ports: [{ name: "redis", port: 6379, targetPort: "redis", nodePort: 30079 }],
            externalIPs: ["203.0.113.7"],
            loadBalancerSourceRanges: ["0.0.0.0/0"],
            externalTrafficPolicy: "Local",
        });
        const fixed = await remediate(k8sNoPublicService, exposed);
        expect(fixed).toEqual({
            metadata: { name: "cache", namespace: "redis" },
            spec: { type: "ClusterIP", selector: { app: "redis" }, ports: [{ name: "redis", port: 6379, targetPort: "redis" }] },
        });
        expect((await evaluate(k8sNoPublicService, [{ ...exposed, props: fixed ?? {} }])).violations).toEqual([]);
        const nodePort = await remediate(k8sNoPublicService, service({ type: "NodePort", ports: redisServicePorts }));
        expect(nodePort).toMatchObject({ spec: { type: "ClusterIP", ports: redisServicePorts } });
    });

    it("leaves an ExternalName (a DNS alias elsewhere), a compliant Service and a web LoadBalancer alone", async () => {
        expect(await remediate(k8sNoPublicService, service({ type: "ExternalName", selector: { app: "redis" } }))).toBeUndefined();
        expect(await remediate(k8sNoPublicService, service({ type: "ClusterIP", ports: redisServicePorts }))).toBeUndefined();
        const web = service({ type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 443, targetPort: 8443 }] }, "web");
        expect(await remediate(k8sNoPublicService, web)).toBeUndefined();
    });
});
