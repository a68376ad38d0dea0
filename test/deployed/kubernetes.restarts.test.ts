// KubernetesRedis with Sentinel through what restarts its pods, on the pods realised as a kubelet
// runs them (each stop a SIGTERM, then SIGKILL after the grace): the scenarios of
// harness/engine/restarts.ts, as on Docker (docker.restarts.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployKubernetesSentinel, type KubernetesSentinelDeployment } from "../../harness/engine/kubernetesDeployment";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { podServer, type RestartableServer } from "../../harness/engine/restarts";
import { restartWithoutSentinels, rollUnderWrites } from "../../harness/engine/restartScenarios";

// Down after 5 s, the default: a roll whose primary waited for it would show a gap of 5 s or more.
const SENTINEL = { downAfterMilliseconds: 5_000, failoverTimeoutMilliseconds: 10_000 };

describe("KubernetesRedis with Sentinel through restarts, its pods realised on the Docker engine", () => {
    let d: KubernetesSentinelDeployment;
    let servers: RestartableServer[];
    beforeAll(async () => {
        await installMocks();
        d = await deployKubernetesSentinel("roll", { replicas: 3, sentinel: { enabled: true, ...SENTINEL } });
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
});
