// KubernetesRedis with Sentinel through what restarts its pods, on the pods realised as a kubelet
// runs them (each stop a SIGTERM, then SIGKILL after the grace): the scenarios of
// harness/engine/restarts.ts, as on Docker (docker.restarts.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployKubernetesSentinel, type KubernetesSentinelDeployment } from "../../harness/engine/kubernetesDeployment";
import { installMocks, registrationOptions } from "../../harness/mocks/pulumiMocks";
import { passwordOf, registerAgain } from "../../harness/engine/deployments";
import type { Pod } from "../../harness/engine/realisePod";
import { podServer, type RestartableServer } from "../../harness/engine/restarts";
import { bothGenerationsWork, restartWithoutSentinels, rollUnderWrites, rotateUnderWrites } from "../../harness/engine/restartScenarios";

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

    it("rotates every credential under writes, each StatefulSet rolled highest-first in the order pulumi up updates them, each primary handing over", async () => {
        const { KubernetesRedis } = await import("../../index");
        const next = await registerAgain("roll", () => new KubernetesRedis("roll", { ...ARGS, credentialGeneration: 1 }));
        const revision = await d.realised.revise(next.resources);
        // As the StatefulSet controller: the highest ordinal first, each replaced pod ready before the next.
        const roll = async (pods: Pod[]) => {
            for (const pod of [...pods].reverse()) await revision.replace(pod);
        };
        const began = Date.now();
        // pulumi-kubernetes waits for a StatefulSet's rollout before it updates what depends on it, and
        // the Sentinels' StatefulSet depends on the servers': the servers roll first, then the Sentinels.
        const sentinelSet = registrationOptions.get("kubernetes:apps/v1:StatefulSet::roll-sentinel");
        expect(sentinelSet?.dependencies.some((urn) => urn.endsWith("kubernetes:apps/v1:StatefulSet::roll"))).toBe(true);
        const { writer, roles } = await rotateUnderWrites(d, servers, async () => {
            await roll(d.servers);
            await roll(d.sentinels);
        }).catch(async (e: unknown) => {
            // What each new container said (roles chosen, syncs, failovers): they hold no credential.
            for (const pod of [...d.servers, ...d.sentinels]) {
                const logs = await pod.container.logs({ stdout: true, stderr: true, since: Math.floor(began / 1000) - 5 });
                console.log(`${pod.name} since the rotation began:\n${logs.toString("latin1")}`);
            }
            throw e;
        });
        console.log(
            `Kubernetes rotation: ${writer.confirmed} writes confirmed, ${writer.unconfirmed} not; by phase ${JSON.stringify(writer.phases)}; ` +
                `${roles.ticks} role samples (longest tick ${Math.round(roles.longestTickMs)} ms)`,
        );
        // Handed over: no primary's replacement waited for down-after.
        expect(writer.phases.rotation.longestGapMs).toBeLessThan(SENTINEL.downAfterMilliseconds);
        await bothGenerationsWork(d, { password: next.secrets.password, adminPassword: passwordOf(next.secrets.adminConnectionString) });
    }, 300_000);
});
