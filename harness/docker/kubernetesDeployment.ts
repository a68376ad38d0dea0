import type Docker from "dockerode";
import type { KubernetesRedisArgs } from "../../index";
import type { RedisUnderTest } from "../localRedis";
import { resourcesOf } from "../pulumiMocks";
import { clientTls, componentSecrets } from "./deployments";
import { dockerEngine } from "./engine";
import { realisePods, type RealisedPods } from "./realisePod";

export interface KubernetesDeployment extends RedisUnderTest {
    docker: Docker;
    realised: RealisedPods;
    password: string;
    configCommandName: string;
}

/** Deploys `new KubernetesRedis(name, args)`'s pods on the local Docker engine. Mocks must be installed first. */
export async function deployKubernetesRedis(name: string, args?: KubernetesRedisArgs): Promise<KubernetesDeployment> {
    const { KubernetesRedis } = await import("../../index");
    const redis = new KubernetesRedis(name, args);
    const { connectionString, adminConnectionString, password, configCommandName } = await componentSecrets(redis);
    const tls = await clientTls(redis, connectionString);
    const docker = await dockerEngine();
    const realised = await realisePods(docker, resourcesOf(name));
    // The client Service sends everything to pod 0; the host reaches it at its address.
    const onPod0 = (connection: string) => {
        const url = new URL(connection);
        url.hostname = realised.pods[0].address;
        return url.toString();
    };
    return {
        docker,
        realised,
        password,
        configCommandName,
        connectionString: onPod0(connectionString),
        adminConnectionString: onPod0(adminConnectionString),
        tls,
        stop: () => realised.remove(),
    };
}
