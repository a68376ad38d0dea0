// Deploys the components onto the real Docker engine: the component runs under Pulumi mocks,
// and every resource it declared is realised by realise.ts. What the tests get back is the
// same `{ connectionString, adminConnectionString, stop() }` as a local Redis, plus handles for inspecting it.
import type Docker from "dockerode";
import type * as pulumi from "@pulumi/pulumi";
import type { DockerRedisArgs } from "../../index";
import type { RedisTlsUnderTest, RedisUnderTest } from "../localRedis";
import { allRegistered, resourcesOf, valueOf } from "../pulumiMocks";
import { dockerEngine } from "./engine";
import { addressOn, realiseDockerResources, type Realised } from "./realise";

export interface DockerDeployment extends RedisUnderTest {
    docker: Docker;
    realised: Realised;
    /** The Redis container. */
    container: Docker.Container;
    /** The Docker network it is on, and its address there (reachable from the host). */
    network: string;
    address: string;
    password: string;
    configCommandName: string;
}

/** The component's connection string, pointed at an address the host can reach. */
function reachable(connectionString: string, address: string): string {
    const url = new URL(connectionString);
    url.hostname = address;
    return url.toString();
}

/** The secret outputs every component has, resolved (once its registration is done). */
export async function componentSecrets(redis: {
    connectionString: pulumi.Output<string>;
    adminConnectionString: pulumi.Output<string>;
    password: pulumi.Output<string>;
    configCommandName: pulumi.Output<string>;
}): Promise<{ connectionString: string; adminConnectionString: string; password: string; configCommandName: string }> {
    const [connectionString, adminConnectionString, password, configCommandName] = await Promise.all(
        [redis.connectionString, redis.adminConnectionString, redis.password, redis.configCommandName].map(valueOf),
    );
    await allRegistered();
    return { connectionString, adminConnectionString, password, configCommandName };
}

/**
 * What a TLS client needs besides the connection string, whose host a test rewrites to an address
 * it can reach: the CA, and the name the certificate was issued for (the string's original host).
 */
export async function clientTls(
    redis: { caCertificate: pulumi.Output<string | undefined> },
    connectionString: string,
): Promise<RedisTlsUnderTest | undefined> {
    const caCertificate = await valueOf(redis.caCertificate);
    return caCertificate === undefined ? undefined : { caCertificate, servername: new URL(connectionString).hostname };
}

/** Deploys `new DockerRedis(name, args)` on the local engine. Mocks must be installed first. */
export async function deployDockerRedis(name: string, args?: DockerRedisArgs): Promise<DockerDeployment> {
    const { DockerRedis } = await import("../../index");
    const redis = new DockerRedis(name, args);
    const { connectionString, adminConnectionString, password, configCommandName } = await componentSecrets(redis);
    const tls = await clientTls(redis, connectionString);
    const docker = await dockerEngine();
    const realised = await realiseDockerResources(docker, resourcesOf(name));
    try {
        const container = realised.containers.get(name);
        const network = realised.networks.get(`${name}-net`);
        if (!container || !network) throw new Error(`deployment of ${name} has no Redis container or network`);
        const address = await addressOn(container, network);
        return {
            docker,
            realised,
            container,
            network,
            address,
            password,
            configCommandName,
            connectionString: reachable(connectionString, address),
            adminConnectionString: reachable(adminConnectionString, address),
            tls,
            stop: () => realised.remove(),
        };
    } catch (e) {
        await realised.remove();
        throw e;
    }
}
