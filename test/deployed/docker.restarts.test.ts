// DockerRedis with Sentinel through what restarts its servers, judged as users judge it: a writer
// whose writes count only once `WAIT 1` confirms them, and every server's role sampled every 200 ms
// throughout (harness/engine/restarts.ts). A SIGKILL of the primary, the old primary brought back,
// then every server stopped and started highest-first, as a roll does (each stop the container's
// own: the primary hands over first), then a restart while every Sentinel is down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployDockerSentinel, passwordOf, registerAgain, type DockerSentinelDeployment } from "../../harness/engine/deployments";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { dockerServer, type RestartableServer } from "../../harness/engine/restarts";
import { bothGenerationsWork, restartWithoutSentinels, rollUnderWrites, rotateUnderWrites } from "../../harness/engine/restartScenarios";

// Down after 5 s, the default: a roll whose primary waited for it would show a gap of 5 s or more.
const SENTINEL = { downAfterMilliseconds: 5_000, failoverTimeoutMilliseconds: 10_000 };
const ARGS = { replicas: 3, sentinel: { enabled: true, ...SENTINEL } };

describe("DockerRedis with Sentinel through restarts", () => {
    let d: DockerSentinelDeployment;
    let servers: RestartableServer[];
    beforeAll(async () => {
        await installMocks();
        d = await deployDockerSentinel("roll", ARGS);
        servers = d.servers.map(dockerServer);
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    it("loses no confirmed write and never has two writable primaries through a SIGKILL failover and a roll, each stop handing over", async () => {
        const { writer, roles, stopMs } = await rollUnderWrites(d, servers);
        console.log(
            `Docker restarts: ${writer.confirmed} writes confirmed, ${writer.unconfirmed} not; by phase ${JSON.stringify(writer.phases)}; ` +
                `${roles.ticks} role samples (longest tick ${Math.round(roles.longestTickMs)} ms); stop times ${JSON.stringify(stopMs)}`,
        );
        // Handed over: no primary's stop waited for down-after (5 s), and neither did the writer.
        expect(writer.phases.roll.longestGapMs).toBeLessThan(SENTINEL.downAfterMilliseconds);
    }, 300_000);

    it("restarts every server in the role it last had while every Sentinel is down, and the Sentinels agree when back", async () => {
        await restartWithoutSentinels(
            d,
            servers,
            d.sentinels.map((s) => ({ stop: () => s.container.stop(), start: () => s.container.start() })),
        );
    }, 180_000);

    it("rotates every credential under writes, every changed container replaced as pulumi up replaces it, and loses no confirmed write", async () => {
        const { DockerRedis } = await import("../../index");
        const next = await registerAgain("roll", () => new DockerRedis("roll", { ...ARGS, credentialGeneration: 1 }));
        const revision = d.realised.revise(next.resources);
        // The config's writer (the new files), and every server and Sentinel (each labelled with the config's hash).
        expect([...revision.changed].sort()).toEqual(["roll-config", ...[...d.servers, ...d.sentinels].map((s) => s.resource)].sort());
        const { writer, roles } = await rotateUnderWrites(d, servers, async () => {
            await revision.apply();
            for (const s of [...d.servers, ...d.sentinels]) s.container = d.realised.containers.get(s.resource)!;
        });
        console.log(
            `Docker rotation: ${writer.confirmed} writes confirmed, ${writer.unconfirmed} not; by phase ${JSON.stringify(writer.phases)}; ` +
                `${roles.ticks} role samples (longest tick ${Math.round(roles.longestTickMs)} ms)`,
        );
        await bothGenerationsWork(d, { password: next.secrets.password, adminPassword: passwordOf(next.secrets.adminConnectionString) });
    }, 300_000);
});
