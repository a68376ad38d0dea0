// The Sentinels: their pods, StatefulSet, NetworkPolicy and disruption budget (see topology.ts).
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CONFIG_DIR, SENTINEL_DIR, SENTINEL_MEMORY_MB } from "../../../redis/container";
import { RedisConfigError } from "../../../redis/redisConfigError";
import { sentinelCommand } from "../../../redis/sentinel/sentinelConfig";
import type { SentinelPlan } from "../../../redis/sentinel/topology";
import { SENTINEL_PORT } from "../../../policies/shared/ports";
import { clientPeers, egress } from "./network";
import {
    CONTAINER_SECURITY,
    POD_SECURITY,
    PodSecretNames,
    StatefulSetWiring,
    configVolume,
    pingProbe,
    spreadOverNodes,
    statefulSet,
} from "./pods";
import {
    KubernetesRedisPlan,
    POD_NAMESPACE_ENV,
    ownDnsName,
    redisSelector,
    sentinelLabels,
    sentinelName,
    sentinelSelector,
    topologyRoles,
} from "./topology";

/** Each Sentinel's claim: its rewritten config, a few kilobytes (the smallest size most provisioners round up from). */
export const SENTINEL_STORAGE = "64Mi";

/**
 * The Sentinels' pod: hardened as the Redis pod, on the Sentinel port, starting from the rendered
 * `sentinel.conf` on a copy in its claim that keeps what it learnt across restarts, and
 * announcing its own DNS name.
 */
export function planSentinelPodSpec(plan: KubernetesRedisPlan, secrets: PodSecretNames): k8s.types.input.core.v1.PodSpec | undefined {
    const sentinel = topologyRoles(plan).sentinel;
    if (sentinel === undefined) return undefined;
    const memory = `${SENTINEL_MEMORY_MB}Mi`;
    const alive = ["PONG", "NOAUTH"];
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        terminationGracePeriodSeconds: 30,
        securityContext: POD_SECURITY,
        affinity: spreadOverNodes(plan, sentinelSelector(plan)),
        containers: [
            {
                name: "sentinel",
                image: plan.image,
                command: sentinelCommand(plan.server.family, {
                    renderedFile: `${CONFIG_DIR}/sentinel.conf`,
                    dataDir: SENTINEL_DIR,
                    masterName: sentinel.masterName,
                    announceHost: ownDnsName(sentinelName(plan)),
                }),
                env: [POD_NAMESPACE_ENV],
                ports: [{ name: "sentinel", containerPort: SENTINEL_PORT, protocol: "TCP" }],
                resources: { requests: { cpu: "50m", memory }, limits: { memory } },
                securityContext: CONTAINER_SECURITY,
                volumeMounts: [
                    { name: "data", mountPath: SENTINEL_DIR },
                    { name: "config", mountPath: CONFIG_DIR, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
                startupProbe: { ...pingProbe(plan, SENTINEL_PORT, alive, false), periodSeconds: 2, failureThreshold: 30 },
                livenessProbe: { ...pingProbe(plan, SENTINEL_PORT, alive, false), periodSeconds: 10, failureThreshold: 6 },
                readinessProbe: { ...pingProbe(plan, SENTINEL_PORT, ["PONG"], true), periodSeconds: 5, failureThreshold: 3 },
            },
        ],
        volumes: [configVolume(plan, secrets), { name: "tmp", emptyDir: { sizeLimit: "16Mi" } }],
    };
}

/** The Sentinels' StatefulSet, or undefined without Sentinel. */
export function planSentinelStatefulSet(plan: KubernetesRedisPlan, wiring: StatefulSetWiring): k8s.apps.v1.StatefulSetArgs | undefined {
    const sentinel = topologyRoles(plan).sentinel;
    const spec = planSentinelPodSpec(plan, wiring.secrets);
    if (sentinel === undefined || spec === undefined) return undefined;
    // A Sentinel's claim holds only what it learnt, which a Sentinel scaled away and back, or disabled and enabled again, must not
    // bring back: it would name a primary from long ago.
    const storage = { size: SENTINEL_STORAGE, className: plan.storage.className, whenGone: "Delete" as const };
    return statefulSet(sentinelName(plan), sentinelLabels(plan), sentinelSelector(plan), sentinel.sentinels, storage, wiring, spec);
}

/**
 * The Sentinels' NetworkPolicy, or undefined without Sentinel: ingress on the Sentinel port from
 * labelled clients and the other Sentinels; egress to the cluster DNS, the Redis pods and the
 * other Sentinels only, unless `allowAllEgress`.
 */
export function planSentinelNetworkPolicy(
    plan: KubernetesRedisPlan,
    namespace: pulumi.Input<string>,
): k8s.networking.v1.NetworkPolicyArgs | undefined {
    if (topologyRoles(plan).sentinel === undefined) return undefined;
    const sentinels = [{ podSelector: { matchLabels: sentinelSelector(plan) } }];
    const redis = [{ podSelector: { matchLabels: redisSelector(plan) } }];
    return {
        metadata: { namespace, labels: sentinelLabels(plan) },
        spec: {
            podSelector: { matchLabels: sentinelSelector(plan) },
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [...clientPeers(plan), ...sentinels], ports: [{ protocol: "TCP", port: SENTINEL_PORT }] }],
            egress: egress(plan, [redis, plan.port], [sentinels, SENTINEL_PORT]),
        },
    };
}

/**
 * The Sentinels' PodDisruptionBudget, or undefined without Sentinel: a drain never leaves fewer
 * than `quorum` Sentinels (at least a majority), the number a failover needs to start and be authorised.
 * A quorum below the number of Sentinels (see {@link requireDrainableSentinels}) leaves one to evict.
 */
export function planSentinelDisruptionBudget(
    plan: KubernetesRedisPlan,
    namespace: pulumi.Input<string>,
): k8s.policy.v1.PodDisruptionBudgetArgs | undefined {
    const sentinel = topologyRoles(plan).sentinel;
    if (sentinel === undefined) return undefined;
    return {
        metadata: { namespace, labels: sentinelLabels(plan) },
        spec: { minAvailable: sentinel.quorum, selector: { matchLabels: sentinelSelector(plan) } },
    };
}

/**
 * Throws {@link RedisConfigError} for a quorum of every Sentinel: the budget above keeps `quorum`
 * Sentinels available, so none could ever be evicted and every node drain would block. Kubernetes's
 * own check (Docker has no drains, and `planSentinel` allows a quorum up to `sentinels` there).
 */
export function requireDrainableSentinels(sentinel: SentinelPlan | undefined): void {
    if (sentinel === undefined || sentinel.quorum < sentinel.sentinels) return;
    const { sentinels } = sentinel;
    const majority = Math.floor(sentinels / 2) + 1;
    throw new RedisConfigError(
        "sentinel.quorum",
        `an integer from ${majority} (a majority of ${sentinels} sentinels) to ${sentinels - 1} on Kubernetes, where the Sentinels' ` +
            `PodDisruptionBudget keeps quorum of them up, so a quorum of all ${sentinels} would block every node drain: lower ` +
            "sentinel.quorum to a majority, or add Sentinels",
        JSON.stringify(sentinel.quorum),
    );
}
