// A consumer's own unit test of a stack using hardened-redis: its setMocks, its @pulumi/pulumi.
// Prints what it found as JSON; the test asserts on it.
import * as pulumi from "@pulumi/pulumi";
import type { DockerRedisArgs, KubernetesRedisArgs } from "hardened-redis";

// Shaped like what @pulumi/random returns: the components validate their generated credentials.
const generated: Record<string, string> = {
    "random:index/randomPassword:RandomPassword": "Consumer-Mock-Password-0123456789",
    "random:index/randomString:RandomString": "cfgconsumer0123456789abcdef01234",
};

// The Kubernetes provider names objects that have no metadata.name.
const autonamed = (name: string, metadata: { name?: string } = {}) => ({ ...metadata, name: metadata.name ?? `${name}-1a2b3c4d` });

await pulumi.runtime.setMocks(
    {
        newResource: (args) => ({
            id: `${args.name}-id`,
            state: args.type.startsWith("kubernetes:")
                ? { ...args.inputs, metadata: autonamed(args.name, args.inputs.metadata) }
                : { ...args.inputs, result: generated[args.type] },
        }),
        call: (args) => args.inputs,
    },
    "consumer",
    "test",
    false,
);

// Imported after setMocks, as Pulumi's testing guide says.
const { DockerRedis, KubernetesRedis } = await import("hardened-redis");

const dockerArgs: DockerRedisArgs = { memoryLimitMb: 512 };
const kubernetesArgs: KubernetesRedisArgs = { replicas: 2 };
const components = {
    docker: new DockerRedis("consumer-cache", dockerArgs),
    kubernetes: new KubernetesRedis("consumer-sessions", kubernetesArgs),
};

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
const report: Record<string, { secret: boolean; scheme: string; host: string; carriesPassword: boolean }> = {};
for (const [target, component] of Object.entries(components)) {
    const url = new URL(await valueOf(component.connectionString));
    report[target] = {
        secret: await pulumi.isSecret(component.connectionString),
        scheme: url.protocol,
        host: url.hostname,
        // Compared here, so the value itself never reaches the output.
        carriesPassword: decodeURIComponent(url.password) === generated["random:index/randomPassword:RandomPassword"],
    };
}
console.log(JSON.stringify(report));
