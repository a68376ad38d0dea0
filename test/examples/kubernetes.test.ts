import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
    allRegistered,
    installMocks,
    isSecretValue,
    plainStrings,
    registered,
    single,
    unwrapSecrets,
    valueOf,
} from "../../harness/mocks/pulumiMocks";

// The program `pulumi up` runs in examples/kubernetes/.
describe("examples/kubernetes", () => {
    let program: Record<string, pulumi.Output<unknown>>;
    let password: string;
    beforeAll(async () => {
        await installMocks("hardened-redis-kubernetes");
        pulumi.runtime.setAllConfig({
            "hardened-redis-kubernetes:replicas": "2",
            "hardened-redis-kubernetes:storageSize": "5Gi",
            "hardened-redis-kubernetes:metricsNamespace": "monitoring",
            "hardened-redis-kubernetes:prometheusOperator": "true",
        });
        program = await import("../../examples/kubernetes/index");
        const url = new URL(String(await valueOf(program.connectionString)));
        expect(url.username).toBe("app");
        password = url.password;
        await allRegistered();
    });

    it("reads stack config into the component", () => {
        const statefulSet = single(registered, "kubernetes:apps/v1:StatefulSet").inputs as unknown as k8s.types.output.apps.v1.StatefulSet;
        expect(statefulSet.spec.replicas).toBe(2);
        expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("5Gi");
        expect(statefulSet.spec.template.spec.containers.map((c) => c.name)).toEqual(["redis", "redis-exporter"]);
        const policy = single(registered, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
            .inputs as unknown as k8s.types.output.networking.v1.NetworkPolicy;
        expect(policy.spec.ingress.at(-1)?.from).toEqual([
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } },
        ]);
        const operatorTypes = registered.map((r) => r.type).filter((type) => type.startsWith("kubernetes:monitoring.coreos.com/"));
        expect(operatorTypes.sort()).toEqual([
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
        ]);
    });

    it("labels the client pods so the NetworkPolicy lets them in, and hands them the password as a file only", async () => {
        const deployment = unwrapSecrets(single(registered, "kubernetes:apps/v1:Deployment").inputs) as k8s.types.output.apps.v1.Deployment;
        const pod = deployment.spec.template;
        expect(pod.metadata.labels).toMatchObject(await valueOf(program.clientLabel as pulumi.Output<Record<string, string>>));
        const container = pod.spec.containers[0];
        expect(container.env).toBeUndefined();
        // As the least-privilege app user: the default user is off.
        expect(container.command.join(" ")).toContain("--user app --askpass ping < /run/secrets/redis/password");
        const clientSecret = registered.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "cache-client");
        expect(isSecretValue(clientSecret?.inputs.stringData)).toBe(true);
        const plain = decodeURIComponent(password);
        const leaks = registered.flatMap((r) =>
            plainStrings(r.inputs)
                .filter(({ text }) => text.includes(plain))
                .map(({ path }) => `${r.name}: ${path}`),
        );
        expect(leaks).toEqual([]);
    });
});
