import { beforeAll, describe, expect, it } from "vitest";
import { packageSchema, type PackageSchema } from "../../harness/mocks/packageSchema";

// What `pulumi package add` computes for Python/Go/C#/YAML consumers, by Pulumi's own analyzer.
describe("the package schema", () => {
    let schema: PackageSchema;
    beforeAll(async () => {
        schema = await packageSchema();
    }, 120_000);

    it("declares DockerRedis as a component under the package token", () => {
        expect(schema.name).toBe("hardened-redis");
        expect(schema.resources["hardened-redis:index:DockerRedis"].isComponent).toBe(true);
    });

    it("types and describes every input, all optional", () => {
        const component = schema.resources["hardened-redis:index:DockerRedis"];
        const inputs = component.inputProperties;
        expect(component.requiredInputs).toEqual([]);
        expect(inputs).toMatchObject({
            image: { type: "string" },
            memoryLimitMb: { type: "number" },
            maxmemory: { type: "string" },
            maxmemoryPolicy: { type: "string" },
            appendonly: { type: "boolean" },
            appendfsync: { type: "string" },
            savePoints: { type: "array", items: { $ref: "#/types/hardened-redis:index:RedisSavePoint" } },
            disabledCommands: { type: "array", items: { type: "string" } },
            port: { type: "number" },
            networkName: { type: "string" },
            alias: { type: "string" },
            credentialKeepers: { type: "object" },
            credentialGeneration: { type: "number" },
            retirePreviousCredentials: { type: "boolean" },
            extraUsers: { type: "array", items: { $ref: "#/types/hardened-redis:index:RedisExtraUser" } },
            restartPolicy: { type: "string" },
            logMaxSize: { type: "string" },
            logMaxFiles: { type: "number" },
        });
        for (const [name, property] of Object.entries(inputs)) {
            expect(property.description, name).toMatch(/\w{3,}/);
            // Settings are plain, so they are known, and checked, at preview in every language;
            // only references to other resources may be outputs.
            expect(property.plain, name).toBe(name === "networkName" || name === "credentialKeepers" ? undefined : true);
        }
        expect(schema.types["hardened-redis:index:RedisSavePoint"].properties).toMatchObject({
            seconds: { type: "number", description: expect.any(String) },
            changes: { type: "number", description: expect.any(String) },
        });
        const list = { type: "array", items: { type: "string" }, description: expect.stringMatching(/\w{3,}/) };
        expect(Object.keys(schema.types["hardened-redis:index:RedisExtraUser"].properties)).toHaveLength(8);
        expect(schema.types["hardened-redis:index:RedisExtraUser"].properties).toMatchObject({
            name: { type: "string", description: expect.stringMatching(/\w{3,}/) },
            allowCategories: list,
            denyCategories: list,
            allowCommands: list,
            denyCommands: list,
            keyPatterns: list,
            channelPatterns: list,
            sentinelHelloChannel: { type: "boolean", description: expect.stringMatching(/^DANGEROUS\./) },
        });
    });

    it("types the tls settings of each component, with what each brings its own certificates by", () => {
        const docker = schema.resources["hardened-redis:index:DockerRedis"].inputProperties;
        const kubernetes = schema.resources["hardened-redis:index:KubernetesRedis"].inputProperties;
        expect(docker.tls).toMatchObject({ $ref: "#/types/hardened-redis:index:DockerRedisTlsArgs" });
        expect(kubernetes.tls).toMatchObject({ $ref: "#/types/hardened-redis:index:KubernetesRedisTlsArgs" });
        const common = {
            enabled: { type: "boolean" },
            requireClientCertificates: { type: "boolean" },
            certificateValidityDays: { type: "number" },
        };
        const dockerTls = schema.types["hardened-redis:index:DockerRedisTlsArgs"].properties;
        expect(dockerTls).toMatchObject({
            ...common,
            caCertificate: { type: "string" },
            certificate: { type: "string" },
            privateKey: { type: "string" },
        });
        const kubernetesTls = schema.types["hardened-redis:index:KubernetesRedisTlsArgs"].properties;
        expect(kubernetesTls).toMatchObject({ ...common, secretName: { type: "string" } });
        for (const [name, property] of Object.entries({ ...dockerTls, ...kubernetesTls })) {
            expect(property.description, name).toMatch(/\w{3,}/);
        }
    });

    it("types and describes every output", () => {
        const outputs = schema.resources["hardened-redis:index:DockerRedis"].properties;
        expect(Object.keys(outputs).sort()).toEqual(
            [
                "adminConnectionString",
                "caCertificate",
                "clientCertificate",
                "clientPrivateKey",
                "configCommandName",
                "connectionString",
                "containerName",
                "extraConnectionStrings",
                "host",
                "masterName",
                "metricsEndpoint",
                "metricsEndpoints",
                "networkName",
                "password",
                "port",
                "sentinelAddresses",
                "volumeName",
            ].sort(),
        );
        expect(outputs.port.type).toBe("number");
        expect(outputs.extraConnectionStrings).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
        expect(outputs.sentinelAddresses).toMatchObject({ type: "array", items: { type: "string" } });
        expect(outputs.metricsEndpoints).toMatchObject({ type: "array", items: { type: "string" } });
        for (const [name, property] of Object.entries(outputs)) {
            if (!["port", "extraConnectionStrings", "sentinelAddresses", "metricsEndpoints"].includes(name))
                expect(property.type, name).toBe("string");
            expect(property.description, name).toMatch(/\w{3,}/);
        }
    });

    it("types and describes KubernetesRedis's inputs and outputs", () => {
        const component = schema.resources["hardened-redis:index:KubernetesRedis"];
        expect(component.isComponent).toBe(true);
        expect(component.requiredInputs).toEqual([]);
        expect(component.inputProperties).toMatchObject({
            namespace: { type: "string" },
            replicas: { type: "number" },
            storageSize: { type: "string" },
            clientNamespaceLabels: { type: "object", additionalProperties: { type: "string" } },
            savePoints: { type: "array", items: { $ref: "#/types/hardened-redis:index:RedisSavePoint" } },
            allowAllEgress: { type: "boolean" },
            antiAffinity: { type: "string" },
            dnsPeers: { type: "array", items: { $ref: "#/types/hardened-redis:index:KubernetesRedisDnsPeer" } },
            sentinel: { $ref: "#/types/hardened-redis:index:RedisSentinelArgs" },
            metrics: { $ref: "#/types/hardened-redis:index:KubernetesRedisMetricsArgs" },
        });
        expect(schema.types["hardened-redis:index:KubernetesRedisMetricsArgs"].properties).toMatchObject({
            enabled: { type: "boolean" },
            image: { type: "string" },
            port: { type: "number" },
            scrapeNamespaceLabels: { type: "object", additionalProperties: { type: "string" } },
            scrapePodLabels: { type: "object", additionalProperties: { type: "string" } },
            serviceMonitor: { type: "boolean" },
            prometheusRule: { type: "boolean" },
            monitorLabels: { type: "object", additionalProperties: { type: "string" } },
        });
        const dnsPeer = schema.types["hardened-redis:index:KubernetesRedisDnsPeer"].properties;
        expect(Object.keys(dnsPeer).sort()).toEqual(["ipBlock", "namespaceLabels", "podLabels", "ports"]);
        expect(dnsPeer).toMatchObject({
            namespaceLabels: { type: "object", additionalProperties: { type: "string" }, description: expect.stringMatching(/\w{3,}/) },
            podLabels: { type: "object", additionalProperties: { type: "string" }, description: expect.stringMatching(/\w{3,}/) },
            ipBlock: { type: "string", description: expect.stringMatching(/\w{3,}/) },
            ports: { type: "array", items: { type: "number" }, description: expect.stringMatching(/\w{3,}/) },
        });
        for (const [name, property] of Object.entries(component.inputProperties)) {
            expect(property.description, name).toMatch(/\w{3,}/);
        }
        expect(Object.keys(component.properties).sort()).toEqual(
            [
                "adminConnectionString",
                "caCertificate",
                "clientCertificate",
                "clientPrivateKey",
                "clientLabel",
                "configCommandName",
                "connectionString",
                "extraConnectionStrings",
                "host",
                "masterName",
                "metricsEndpoint",
                "namespace",
                "password",
                "port",
                "sentinelAddresses",
                "serviceName",
                "statefulSetName",
            ].sort(),
        );
        expect(component.properties.clientLabel).toMatchObject({ type: "object", additionalProperties: { type: "string" } });
        for (const [name, property] of Object.entries(component.properties)) {
            expect(property.description, name).toMatch(/\w{3,}/);
        }
    });
});
