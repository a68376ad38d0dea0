import { describe, expect, it } from "vitest";
import { k8sNoHostNetwork } from "../../../policies/exposure/k8sNoHostNetwork";
import { evaluate, remediate } from "../../../harness/policy/inProcess";
import { redisStatefulSet } from "../../../harness/policy/fixtures";
import { k8sNoHostNetworkCase } from "./k8sNoHostNetwork.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sNoHostNetworkCase);

describe("redis-k8s-no-host-network remediation", () => {
    it("takes the pod off the host network and drops hostPorts, keeping the rest of the workload", async () => {
        const exposed = redisStatefulSet({ hostNetwork: true }, { ports: [{ name: "redis", containerPort: 6379, hostPort: 6379 }] });
        const fixed = await remediate(k8sNoHostNetwork, exposed);
        // Exactly the same StatefulSet, off the host network and without the hostPort.
        expect(fixed).toEqual(redisStatefulSet({ hostNetwork: false }, { ports: [{ name: "redis", containerPort: 6379 }] }).props);
        expect((await evaluate(k8sNoHostNetwork, [{ ...exposed, props: fixed ?? {} }])).violations).toEqual([]);
    });

    it("leaves a compliant Redis and a web server on the host network alone", async () => {
        expect(await remediate(k8sNoHostNetwork, redisStatefulSet())).toBeUndefined();
        const web = {
            type: "kubernetes:apps/v1:Deployment",
            name: "web",
            props: { spec: { template: { spec: { hostNetwork: true, containers: [{ name: "nginx", image: "nginx:1.27" }] } } } },
        };
        expect(await remediate(k8sNoHostNetwork, web)).toBeUndefined();
    });
});
