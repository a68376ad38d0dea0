// KubernetesRedis with Sentinel through what restarts its pods, on the pods realised as a kubelet
// runs them (each stop a SIGTERM, then SIGKILL after the grace): the scenarios of
// harness/engine/restarts.ts, as on Docker (docker.restarts.test.ts).
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployKubernetesSentinel, type KubernetesSentinelDeployment } from "../../harness/engine/kubernetesDeployment";
import { installMocks, registrationOptions } from "../../harness/mocks/pulumiMocks";
import { passwordOf, registerAgain } from "../../harness/engine/deployments";
import type { Pod } from "../../harness/engine/realisePod";
import { podServer, printPodLogs, type RestartableServer } from "../../harness/engine/restarts";
import { bothGenerationsWork, restartWithoutSentinels, rollUnderWrites, rotateUnderWrites } from "../../harness/engine/restartScenarios";
import type { SentinelUnderTest } from "../../harness/engine/sentinelObservers";

// Down after 5 s, the default: a roll whose primary waited for it would show a gap of 5 s or more.
const SENTINEL = { downAfterMilliseconds: 5_000, failoverTimeoutMilliseconds: 10_000 };
const ARGS = { replicas: 3, sentinel: { enabled: true, ...SENTINEL } };

describe("KubernetesRedis with Sentinel through restarts, its pods realised on the Docker engine", () => {
    let d: KubernetesSentinelDeployment;
    let servers: RestartableServer[];
    beforeAll(async () => {
        await installMocks();
        d = await deployKubernetesSentinel("roll", ARGS);
        servers = d.servers.map(podServer);
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    it("loses no confirmed write and never has two writable primaries through a SIGKILL failover and a roll, each primary handing over on SIGTERM", async () => {
        const { writer, roles, stopMs } = await rollUnderWrites(d, servers);
        console.log(
            `Kubernetes restarts: ${writer.confirmed} writes confirmed, ${writer.unconfirmed} not; by phase ${JSON.stringify(writer.phases)}; ` +
                `${roles.ticks} role samples (longest tick ${Math.round(roles.longestTickMs)} ms); stop times ${JSON.stringify(stopMs)}`,
        );
        expect(writer.phases.roll.longestGapMs).toBeLessThan(SENTINEL.downAfterMilliseconds);
    }, 300_000);

    it("restarts every pod in the role it last had while every Sentinel pod is down, and the Sentinels agree when back", async () => {
        await restartWithoutSentinels(
            d,
            servers,
            d.sentinels.map((pod) => ({ stop: () => pod.stop(), start: () => pod.restart() })),
        );
    }, 180_000);

    /**
     * Registers the component again with `changes`, and delivers it under writes as pulumi up does: the
     * servers' StatefulSet rolled, then the Sentinels' (it depends on the servers', and pulumi-kubernetes
     * waits for a StatefulSet's rollout before it updates what depends on it), each as the controller rolls
     * it (highest ordinal first, each replaced pod ready before the next). The writer holds `holding`'s
     * passwords throughout. Expects no primary's replacement to wait for down-after.
     */
    async function deliver(
        changes: Partial<typeof ARGS> & { credentialGeneration: number; retirePreviousCredentials?: boolean },
        holding: SentinelUnderTest,
    ) {
        const { KubernetesRedis } = await import("../../index");
        const next = await registerAgain("roll", () => new KubernetesRedis("roll", { ...ARGS, ...changes }));
        const revision = await d.realised.revise(next.resources);
        const roll = async (pods: Pod[]) => {
            for (const pod of [...pods].reverse()) await revision.replace(pod);
        };
        const sentinelSet = registrationOptions.get("kubernetes:apps/v1:StatefulSet::roll-sentinel");
        expect(sentinelSet?.dependencies.some((urn) => urn.endsWith("kubernetes:apps/v1:StatefulSet::roll"))).toBe(true);
        const began = Date.now();
        const { writer, roles } = await rotateUnderWrites(holding, servers, async () => {
            await roll(d.servers);
            await roll(d.sentinels);
        }).catch(async (e: unknown) => {
            await printPodLogs([...d.servers, ...d.sentinels], began, `since ${JSON.stringify(changes)} began`);
            throw e;
        });
        console.log(
            `Kubernetes ${JSON.stringify(changes)}: ${writer.confirmed} writes confirmed, ${writer.unconfirmed} not; by phase ${JSON.stringify(writer.phases)}; ` +
                `${roles.ticks} role samples (longest tick ${Math.round(roles.longestTickMs)} ms)`,
        );
        // Handed over: no primary's replacement waited for down-after.
        expect(writer.phases.rotation.longestGapMs).toBeLessThan(SENTINEL.downAfterMilliseconds);
        return { password: next.secrets.password, adminPassword: passwordOf(next.secrets.adminConnectionString) };
    }

    it("rotates every credential twice in a row, then retires the previous generation, under writes, each primary handing over", async () => {
        // Each rotation raises the generation by one; the servers and Sentinels authenticate to each
        // other across two of them while pods on both files run side by side.
        const first = await deliver({ credentialGeneration: 1 }, d);
        await bothGenerationsWork(d, first);
        const second = await deliver({ credentialGeneration: 2 }, { ...d, ...first });
        await bothGenerationsWork({ ...d, ...first }, second);
        await deliver({ credentialGeneration: 2, retirePreviousCredentials: true }, { ...d, ...second });
        // Retired: the first rotation's app password gets in nowhere.
        for (const pod of d.servers) {
            const client = new Redis({
                host: pod.address,
                port: 6379,
                username: "app",
                password: first.password,
                maxRetriesPerRequest: 0,
                retryStrategy: () => null,
            });
            client.on("error", () => {});
            await expect(client.ping(), pod.name).rejects.toThrow(/WRONGPASS/);
            client.disconnect();
        }
    }, 600_000);
});
