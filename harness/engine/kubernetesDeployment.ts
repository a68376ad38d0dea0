import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from "node:tls";
import type Docker from "dockerode";
import type { KubernetesRedisArgs } from "../../index";
import type { RedisUnderTest } from "../local/localRedis";
import { resourcesOf, unwrapSecrets, valueOf } from "../mocks/pulumiMocks";
import { clientTls, componentSecrets, sentinelAccess, type SentinelAccess } from "./deployments";
import { dockerEngine } from "./engine";
import { realisePods, type Pod, type RealisedPods } from "./realisePod";

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

export interface KubernetesSentinelDeployment extends SentinelAccess {
    docker: Docker;
    realised: RealisedPods;
    masterName: string;
    /** The Redis pods (pod 0 started as primary) and the Sentinel pods, with the DNS names they announce. */
    servers: Array<Pod & { dnsName: string }>;
    sentinels: Array<Pod & { dnsName: string }>;
    /**
     * With TLS: the CA, and a name check that holds each pod's certificate to the DNS name at the
     * address the host reaches (the host connects by address, through `natMap`).
     */
    tls?: ConnectionOptions & { caCertificate: string };
    stop(): Promise<void>;
}

/** Deploys `new KubernetesRedis(name, args)` with Sentinel: the Redis and the Sentinel StatefulSets' pods. Mocks must be installed first. */
export async function deployKubernetesSentinel(name: string, args: KubernetesRedisArgs): Promise<KubernetesSentinelDeployment> {
    const { KubernetesRedis } = await import("../../index");
    const redis = new KubernetesRedis(name, args);
    const secrets = await componentSecrets(redis);
    const [masterName, sentinelAddresses, namespace, caCertificate] = await Promise.all([
        valueOf(redis.masterName),
        valueOf(redis.sentinelAddresses),
        valueOf(redis.namespace),
        valueOf(redis.caCertificate),
    ]);
    if (masterName === undefined) throw new Error(`${name} has no Sentinel`);
    const docker = await dockerEngine();
    const realised = await realisePods(docker, resourcesOf(name));
    try {
        const pods = (statefulSet: string, service: string) =>
            (realised.statefulSets.get(statefulSet) ?? []).map((pod) =>
                Object.assign(pod, { dnsName: `${pod.name}.${service}.${namespace}.svc` }),
            );
        const servers = pods(name, `${name}-headless`);
        const sentinels = pods(`${name}-sentinel`, `${name}-sentinel`);
        if (sentinels.map((s) => `${s.dnsName}:26379`).join() !== sentinelAddresses.join()) {
            throw new Error(`the realised Sentinels are not those the component names: ${sentinelAddresses.join()}`);
        }
        const named = (pods: typeof servers) => pods.map((pod) => ({ name: pod.dnsName, address: pod.address }));
        // The Redis container's port, as the StatefulSet declares it.
        const redisPort = (
            unwrapSecrets(resourcesOf(name).find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name === name)?.state) as {
                spec: { template: { spec: { containers: Array<{ ports: Array<{ containerPort: number }> }> } } };
            }
        ).spec.template.spec.containers[0].ports[0].containerPort;
        const nameAt = new Map([...servers, ...sentinels].map((pod) => [pod.address, pod.dnsName]));
        const tls =
            caCertificate === undefined
                ? undefined
                : {
                      caCertificate,
                      ca: caCertificate,
                      checkServerIdentity: (host: string, cert: PeerCertificate) => checkServerIdentity(nameAt.get(host) ?? host, cert),
                  };
        return {
            docker,
            realised,
            masterName,
            servers,
            sentinels,
            tls,
            // The Redis pods' port: the component's `port` output is the Sentinels' with Sentinel.
            ...sentinelAccess(secrets, named(servers), named(sentinels), redisPort),
            stop: () => realised.remove(),
        };
    } catch (e) {
        await realised.remove();
        throw e;
    }
}
