// Deploys the components onto the real Docker engine: the component runs under Pulumi mocks,
// and every resource it declared is realised by realise.ts. What the tests get back is the
// same `{ connectionString, adminConnectionString, stop() }` as a local Redis, plus handles for inspecting it.
import type Docker from "dockerode";
import type * as pulumi from "@pulumi/pulumi";
import type { DockerRedisArgs } from "../../index";
import type { RedisTlsUnderTest, RedisUnderTest } from "../local/localRedis";
import { allRegistered, registered, resourcesOf, valueOf, type RegisteredResource } from "../mocks/pulumiMocks";
import { dockerEngine } from "./engine";
import { addressOn, realiseDockerResources, type Realised } from "./realise";
import { SENTINEL_PORT } from "../../policies/shared/ports";

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
    /** The outputs as the stack exports them, unchanged: their host is the alias on `network`, which only resolves inside it. */
    exported: { connectionString: string; adminConnectionString: string; caCertificate?: string; metricsEndpoints: string[] };
}

/** The component's connection string, pointed at an address the host can reach. */
function reachable(connectionString: string, address: string): string {
    const url = new URL(connectionString);
    url.hostname = address;
    return url.toString();
}

/** The password in a connection string; `new URL` refuses a Sentinel string's list of hosts, so read the userinfo directly. */
export function passwordOf(connectionString: string): string {
    return decodeURIComponent(/^[a-z+]+:\/\/[^:]+:([^@]+)@/.exec(connectionString)?.[1] ?? "");
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
 * Registers component `name` again, as a later `pulumi up` of the same program does (a raised
 * `credentialGeneration`, a changed setting): what it declares now, and its secrets. Realised
 * deployments take the resources to their `revise`.
 */
export async function registerAgain(
    name: string,
    register: () => Parameters<typeof componentSecrets>[0],
): Promise<{ resources: RegisteredResource[]; secrets: Awaited<ReturnType<typeof componentSecrets>> }> {
    const mark = registered.length;
    const secrets = await componentSecrets(register());
    return { resources: resourcesOf(name, registered.slice(mark)), secrets };
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
    const metricsEndpoints = await valueOf(redis.metricsEndpoints);
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
            exported: { connectionString, adminConnectionString, caCertificate: tls?.caCertificate, metricsEndpoints },
            tls,
            stop: () => realised.remove(),
        };
    } catch (e) {
        await realised.remove();
        throw e;
    }
}

export interface DockerSentinelDeployment extends SentinelAccess {
    docker: Docker;
    realised: Realised;
    network: string;
    masterName: string;
    /** The Redis containers, the first started as primary, with their resource names, aliases, addresses and network holders. */
    servers: Array<{ resource: string; alias: string; container: Docker.Container; holder: Docker.Container; address: string }>;
    sentinels: Array<{ resource: string; alias: string; container: Docker.Container; holder: Docker.Container; address: string }>;
    stop(): Promise<void>;
}

/** What a test needs to reach a Sentinel topology from the host, on either platform. */
export interface SentinelAccess {
    /** The component's Sentinel connection strings, unchanged. */
    connectionString: string;
    adminConnectionString: string;
    /**
     * What the host needs to follow them: the Sentinels answer with names (aliases, pod DNS names)
     * that only resolve inside the network, so `name:port` maps to the address (ioredis `natMap`).
     */
    natMap: Record<string, { host: string; port: number }>;
    password: string;
    adminPassword: string;
    configCommandName: string;
}

/** {@link SentinelAccess} from a component's secrets and its servers and Sentinels by the name each announces. */
export function sentinelAccess(
    secrets: Awaited<ReturnType<typeof componentSecrets>>,
    servers: Array<{ name: string; address: string }>,
    sentinels: Array<{ name: string; address: string }>,
    redisPort: number,
): SentinelAccess {
    return {
        connectionString: secrets.connectionString,
        adminConnectionString: secrets.adminConnectionString,
        natMap: Object.fromEntries([
            ...servers.map((s) => [`${s.name}:${redisPort}`, { host: s.address, port: redisPort }]),
            ...sentinels.map((s) => [`${s.name}:${SENTINEL_PORT}`, { host: s.address, port: SENTINEL_PORT }]),
        ]),
        password: secrets.password,
        adminPassword: passwordOf(secrets.adminConnectionString),
        configCommandName: secrets.configCommandName,
    };
}

/** Deploys `new DockerRedis(name, args)` with Sentinel on the local engine. Mocks must be installed first. */
export async function deployDockerSentinel(name: string, args: DockerRedisArgs): Promise<DockerSentinelDeployment> {
    const { DockerRedis } = await import("../../index");
    const redis = new DockerRedis(name, args);
    const secrets = await componentSecrets(redis);
    const [masterName, sentinelAddresses] = await Promise.all([valueOf(redis.masterName), valueOf(redis.sentinelAddresses)]);
    if (masterName === undefined) throw new Error(`${name} has no Sentinel`);
    const docker = await dockerEngine();
    const realised = await realiseDockerResources(docker, resourcesOf(name));
    try {
        const network = realised.networks.get(`${name}-net`);
        if (!network) throw new Error(`deployment of ${name} has no network`);
        const port = await valueOf(redis.port);
        const find = async (resource: string, alias: string) => {
            const container = realised.containers.get(resource);
            // The address belongs to the container holding the network namespace, which outlives the process.
            const holder = realised.containers.get(`${resource}-network`);
            if (!container || !holder) throw new Error(`deployment of ${name} has no container ${resource} or its network holder`);
            return { resource, alias, container, holder, address: await addressOn(holder, network) };
        };
        const replicas = args.replicas ?? 1;
        const servers = await Promise.all(
            Array.from({ length: replicas }, (_, i) => find(i === 0 ? name : `${name}-${i}`, `${name}-${i}`)),
        );
        const sentinels = await Promise.all(sentinelAddresses.map((a, i) => find(`${name}-sentinel-${i}`, a.split(":")[0])));
        const named = (list: typeof servers) => list.map((s) => ({ name: s.alias, address: s.address }));
        return {
            docker,
            realised,
            network,
            masterName,
            servers,
            sentinels,
            ...sentinelAccess(secrets, named(servers), named(sentinels), port),
            stop: () => realised.remove(),
        };
    } catch (e) {
        await realised.remove();
        throw e;
    }
}
