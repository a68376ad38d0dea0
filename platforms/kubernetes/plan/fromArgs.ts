// The Kubernetes plan from KubernetesRedis's arguments: checked, then decided once.
import { RedisConfigError } from "../../../redis/redisConfigError";
import { parseSettings } from "../../../redis/parseSettings";
import { DNS_LABEL } from "../../../redis/container";
import type { ResolvedRedisTuning } from "../../../redis/config/settings";
import { planSentinel } from "../../../redis/sentinel/topology";
import { requireExporterIdentity } from "../../common/metricsArgs";
import { chosenServer, containerCpu, sizeRedisForContainer } from "../../common/serverArgs";
import { authClients, requireEnabled } from "../../common/tlsArgs";
import { kubernetesArgsSchema, type KubernetesRedisArgs, type ParsedKubernetesArgs } from "../kubernetesArgs";
import { planKubernetesMetrics } from "./monitoring";
import { CLUSTER_DNS } from "./network";
import { requireDrainableSentinels } from "./sentinel";
import { kubernetesTopology, type KubernetesRedisPlan } from "./topology";

/**
 * Checks `args` and plans KubernetesRedis: the topology, Redis's settings sized for the container,
 * clients, TLS and metrics. Throws {@link RedisConfigError} for a bad setting, in the order a
 * reader of the arguments meets them. Returns the parsed settings too, for the credentials and the
 * certificates.
 */
export function planKubernetesRedis(
    name: string,
    args: KubernetesRedisArgs,
): { plan: KubernetesRedisPlan; settings: ParsedKubernetesArgs; tuning: ResolvedRedisTuning } {
    const settings = parseSettings(kubernetesArgsSchema, args, Object.keys(kubernetesArgsSchema.shape));
    const { server, image } = chosenServer(settings);
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 52) {
        // Services, the StatefulSet and its pods are named after the component; the pods'
        // controller-revision-hash label (<name>-<10 characters>) must fit in 63.
        throw new RedisConfigError(
            "name",
            "a DNS label of at most 52 characters starting with a letter (lowercase letters, digits, '-')",
            JSON.stringify(name),
        );
    }
    if (typeof args.namespace === "string" && !DNS_LABEL.test(args.namespace)) {
        throw new RedisConfigError(
            "namespace",
            "an existing namespace's name: a DNS label (lowercase letters, digits, '-')",
            JSON.stringify(args.namespace),
        );
    }
    const sentinel = planSentinel(name, settings.sentinel, settings.replicas, args.sentinel);
    requireDrainableSentinels(sentinel);
    if (sentinel && name.length > 43) {
        // The Sentinel pods' controller-revision-hash label (<name>-sentinel-<10 characters>) must fit in 63.
        throw new RedisConfigError("name", "a DNS label of at most 43 characters with sentinel.enabled", JSON.stringify(name));
    }
    if (settings.allowAllEgress && settings.dnsPeers !== undefined) {
        throw new RedisConfigError("dnsPeers", "nothing with allowAllEgress (it allows every destination, DNS too)", "a list");
    }
    const cpu = containerCpu(settings);
    const clientLabel = { [settings.clientLabelKey ?? `${name}-client`]: settings.clientLabelValue };
    const tuning = sizeRedisForContainer(args, settings.memoryLimitMb, server);
    const port = tuning.port;
    const metrics = planKubernetesMetrics(settings.metrics, args.metrics, port);
    // Everything the resources below are planned from; the topology is decided here, once.
    const plan: KubernetesRedisPlan = {
        name,
        topology: kubernetesTopology(settings.replicas, sentinel),
        port,
        server,
        image,
        memoryLimitMb: settings.memoryLimitMb,
        cpu,
        storage: { size: settings.storageSize, className: settings.storageClassName },
        clients: { label: clientLabel, namespaceLabels: settings.clientNamespaceLabels },
        allowAllEgress: settings.allowAllEgress,
        dns: settings.dnsPeers ?? CLUSTER_DNS,
        antiAffinity: settings.antiAffinity,
        tls: settings.tls.enabled ? { requireClientCertificates: settings.tls.requireClientCertificates } : undefined,
        metrics,
    };
    requireEnabled(settings.tls, { ...args.tls, enabled: undefined });
    // A certificate of the caller's (a Secret) brings no client identity for the exporter.
    const client = settings.tls.requireClientCertificates && args.tls?.secretName === undefined ? true : undefined;
    requireExporterIdentity(metrics !== undefined, plan.tls && { authClients: authClients(settings.tls), client });
    return { plan, settings, tuning };
}
