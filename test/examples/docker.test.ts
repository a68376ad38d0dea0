import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { allRegistered, installMocks, resourcesOf, single, unwrapSecrets, valueOf } from "../../harness/mocks/pulumiMocks";

// The program `pulumi up` runs from the repository root (Pulumi.yaml `main`).
describe("examples/docker", () => {
    let program: Record<string, pulumi.Output<unknown>>;
    beforeAll(async () => {
        await installMocks("hardened-redis-docker");
        pulumi.runtime.setAllConfig({
            "hardened-redis-docker:memoryLimitMb": "512",
            "hardened-redis-docker:maxmemoryPolicy": "allkeys-lru",
            "hardened-redis-docker:credentialGeneration": "1",
            "hardened-redis-docker:tls": "true",
            "hardened-redis-docker:metrics": "true",
            "hardened-redis-docker:metricsScrapeNetwork": "monitoring",
        });
        program = await import("../../examples/docker/index");
        await valueOf(program.containerName);
        await allRegistered();
    });

    it("reads stack config into the component", () => {
        const containers = resourcesOf("cache").filter((r) => r.type === "docker:index/container:Container");
        expect(
            single(
                containers.filter((c) => c.name === "cache"),
                "docker:index/container:Container",
            ).inputs.memory,
        ).toBe(512);
        const writer = single(
            containers.filter((c) => c.name === "cache-config"),
            "docker:index/container:Container",
        ).inputs;
        const [upload] = (unwrapSecrets(writer.uploads) as Array<{ file: string; content: string }>).filter((u) =>
            u.file.endsWith("/redis.conf"),
        );
        expect(upload.content).toMatch(/^maxmemory-policy allkeys-lru$/m);
        expect(upload.content).toMatch(/^maxmemory 402653184$/m);
        // Generation 1 overlaps generation 0: two passwords open the app user.
        expect(upload.content).toMatch(/^user app reset on #[0-9a-f]{64} #[0-9a-f]{64} /m);
        expect(upload.content).toMatch(/^tls-port 6379$/m);
        const exporter = single(
            containers.filter((c) => c.name === "cache-metrics"),
            "docker:index/container:Container",
        ).inputs;
        expect(exporter.networksAdvanced).toEqual([
            { name: expect.any(String), aliases: ["cache-metrics"] },
            { name: "monitoring", aliases: ["cache-metrics"] },
        ]);
    });

    it("exports the outputs, credentials as secrets", async () => {
        for (const name of ["host", "port", "networkName", "volumeName", "containerName", "caCertificate", "metricsEndpoint"]) {
            expect(await pulumi.isSecret(program[name]), name).toBe(false);
        }
        for (const name of ["password", "configCommandName", "connectionString", "adminConnectionString"]) {
            expect(await pulumi.isSecret(program[name]), name).toBe(true);
        }
        expect(await valueOf(program.host)).toBe("cache");
        expect(await valueOf(program.metricsEndpoint)).toBe("http://cache-metrics:9121/metrics");
        expect(await valueOf(program.caCertificate)).toMatch(/^-----BEGIN CERTIFICATE-----/);
        expect(new URL((await valueOf(program.connectionString)) as string).protocol).toBe("rediss:");
    });
});
