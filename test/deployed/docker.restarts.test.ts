// DockerRedis with Sentinel through what restarts its servers, judged as users judge it: a writer
// whose writes count only once `WAIT 1` confirms them, and every server's role sampled every 200 ms
// throughout (harness/engine/restarts.ts). A SIGKILL of the primary, the old primary brought back,
// then every server stopped and started highest-first, as a roll does (each stop the container's
// own: the primary hands over first), then a restart while every Sentinel is down.
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployDockerSentinel, type DockerSentinelDeployment } from "../../harness/engine/deployments";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { confirmedWriter, sampleRoles, settled, type RestartableServer } from "../../harness/engine/restarts";
import { until } from "../../harness/engine/sentinelDeployment";

/** One unauthenticated PING on a connection of its own: the reply or the error's message. */
async function pingOnce(host: string): Promise<string> {
    const probe = new Redis({ host, port: 6379, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
    probe.on("error", () => {});
    try {
        return await probe.ping();
    } catch (e) {
        return (e as Error).message;
    } finally {
        probe.disconnect();
    }
}

// Down after 5 s, the default: a roll whose primary waited for it would show a gap of 5 s or more.
const SENTINEL = { downAfterMilliseconds: 5_000, failoverTimeoutMilliseconds: 10_000 };

describe("DockerRedis with Sentinel through restarts", () => {
    let d: DockerSentinelDeployment;
    let servers: RestartableServer[];
    beforeAll(async () => {
        await installMocks();
        d = await deployDockerSentinel("roll", { replicas: 3, sentinel: { enabled: true, ...SENTINEL } });
        servers = d.servers.map((s) => ({
            name: s.alias,
            address: s.address,
            kill: () => s.container.kill({ signal: "SIGKILL" }),
            // The container's own stop: its stop signal, then SIGKILL after its stop timeout.
            stop: () => s.container.stop(),
            start: async () => {
                await s.container.start();
                // Up once it answers (NOAUTH: the password stays out of the probe).
                await until(
                    `${s.alias} to answer`,
                    () => pingOnce(s.address),
                    (reply) => /NOAUTH/.test(reply),
                );
            },
        }));
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    const named = (name: string) => servers.find((s) => s.name === name)!;

    it("loses no confirmed write and never has two writable primaries through a SIGKILL failover and a roll, each stop handing over", async () => {
        await settled(d, servers);
        const writer = confirmedWriter(d);
        const roles = sampleRoles(d, servers);
        const gaps: Record<string, number> = {};
        try {
            await new Promise((r) => setTimeout(r, 1_000));
            // A node dies: no handover, the Sentinels notice after down-after.
            const first = await settled(d, servers);
            await named(first).kill();
            await settled(d, servers.filter((s) => s.name !== first).concat(), first).catch(() => undefined);
            await named(first).start();
            await settled(d, servers);
            // A roll, highest first, as a StatefulSet update goes: each server stopped as its platform stops it.
            for (const server of [...servers].reverse()) {
                const primary = await settled(d, servers);
                const before = performance.now();
                await server.stop();
                gaps[`${server.name}${server.name === primary ? " (primary)" : ""}`] = Math.round(performance.now() - before);
                await server.start();
                await settled(d, servers);
            }
        } finally {
            const samples = await roles.stop();
            const figures = await writer.stop();
            console.log(
                `Docker restarts: ${figures.confirmed} writes confirmed, ${figures.unconfirmed} not; longest gap ${figures.longestGapMs} ms at ${figures.gapAtMs} ms; ` +
                    `${samples.ticks} role samples (longest tick ${Math.round(samples.longestTickMs)} ms); stop times ${JSON.stringify(gaps)}`,
            );
            expect(samples.splitBrains).toEqual([]);
            expect(samples.longestTickMs).toBeLessThan(1_000);
        }
    }, 300_000);
});
