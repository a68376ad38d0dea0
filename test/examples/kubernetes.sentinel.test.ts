import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { allRegistered, installMocks, registered, unwrapSecrets, valueOf } from "../../harness/mocks/pulumiMocks";

// The program in examples/kubernetes/ with `replicas: 3` and `sentinel: true` in its stack config.
describe("examples/kubernetes with Sentinel", () => {
    let program: Record<string, pulumi.Output<unknown>>;
    beforeAll(async () => {
        await installMocks("hardened-redis-kubernetes");
        pulumi.runtime.setAllConfig({ "hardened-redis-kubernetes:replicas": "3", "hardened-redis-kubernetes:sentinel": "true" });
        program = await import("../../examples/kubernetes/index");
        await valueOf(program.connectionString);
        await allRegistered();
    });

    it("deploys the Sentinels and hands out a Sentinel connection string", async () => {
        const statefulSets = registered.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").map((r) => r.name);
        expect(statefulSets.sort()).toEqual(["cache", "cache-sentinel"]);
        expect(String(await valueOf(program.connectionString))).toMatch(
            /^redis\+sentinel:\/\/app:[^@]+@cache-sentinel-0\.cache-sentinel\./,
        );
        expect(await valueOf(program.port)).toBe(26379);
    });

    it("points the example client at the Sentinels through the client Service, as the app user", () => {
        const deployment = unwrapSecrets(
            registered.find((r) => r.type === "kubernetes:apps/v1:Deployment")?.inputs,
        ) as k8s.types.output.apps.v1.Deployment;
        const command = deployment.spec.template.spec.containers[0].command.join(" ");
        expect(command).toMatch(/-p 26379 --user app --askpass ping/);
    });
});
