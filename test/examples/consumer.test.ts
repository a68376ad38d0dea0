import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
    allRegistered,
    existingStacks,
    installMocks,
    isSecretValue,
    plainStrings,
    registered,
    single,
    unwrapSecrets,
    valueOf,
} from "../../harness/mocks/pulumiMocks";

// examples/consumer under mocks, against a Redis stack with TLS: what it declares, and that the
// secret stays inside secret values. test/deployed/docker.app.test.ts runs it for real.
const PASSWORD = "p@ss/w:rd-consumer-test-0123456789";
const STACK = "organization/hardened-redis-docker/dev";
const CONNECTION_STRING = `rediss://app:${encodeURIComponent(PASSWORD)}@cache:6379/0`;
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

describe("examples/consumer", () => {
    const byName = (type: string, name: string) =>
        single(
            registered.filter((r) => r.name === name),
            type,
        );

    beforeAll(async () => {
        await installMocks("hardened-redis-consumer");
        existingStacks.set(STACK, {
            outputs: { networkName: "cache-net-1a2b", connectionString: CONNECTION_STRING, caCertificate: CA },
            secretOutputNames: ["connectionString"],
        });
        pulumi.runtime.setAllConfig({ "hardened-redis-consumer:redisStack": STACK });
        const program = (await import("../../examples/consumer/index")) as unknown as Record<string, pulumi.Output<string>>;
        await valueOf(program.appContainer);
        await allRegistered();
    });

    it("builds examples/app locally, on the Dockerfile's default bases unless configured", () => {
        const image = byName("docker:index/image:Image", "app").inputs;
        expect(image).toMatchObject({ imageName: "hardened-redis-example-app:local", skipPush: true });
        expect(image.build).toEqual({ context: "../app", args: {}, platform: "linux/amd64" });
    });

    it("hands the connection string over as a 0440 file in a volume, inside a secret", () => {
        const writer = byName("docker:index/container:Container", "app-secrets").inputs;
        expect(writer).toMatchObject({ start: false, mustRun: false, networkMode: "none" });
        expect(isSecretValue(writer.uploads)).toBe(true);
        expect(unwrapSecrets(writer.uploads)).toEqual([
            { file: "/run/secrets/redis-url", content: CONNECTION_STRING, permissions: "0440" },
            { file: "/run/secrets/redis-ca.crt", content: CA, permissions: "0444" },
        ]);
    });

    it("runs the app on the Redis stack's network only, locked down, told where the secrets are and never what", () => {
        const app = byName("docker:index/container:Container", "app").inputs;
        expect(app).toMatchObject({
            user: "1000:0",
            readOnly: true,
            capabilities: { drops: ["ALL"] },
            securityOpts: ["no-new-privileges:true"],
            networksAdvanced: [{ name: "cache-net-1a2b", aliases: ["app"] }],
            envs: ["REDIS_URL_FILE=/run/secrets/redis-url", "REDIS_CA_FILE=/run/secrets/redis-ca.crt"],
            wait: true,
        });
        expect(app.ports).toBeUndefined();
        expect(unwrapSecrets(app.volumes)).toEqual([{ volumeName: expect.any(String), containerPath: "/run/secrets", readOnly: true }]);
    });

    it("shows the password in no plain input of any resource", () => {
        for (const resource of registered) {
            for (const { path, text } of plainStrings(resource.inputs)) {
                expect(text.includes(PASSWORD) || text.includes(encodeURIComponent(PASSWORD)), `${resource.name}.${path}`).toBe(false);
            }
        }
    });
});
