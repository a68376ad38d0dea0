// 13. A roll with Sentinel (what a credential rotation or an image update does to every server):
// each server stopped and started highest-first under a writer whose writes count once `WAIT 1`
// confirms them, rounds alternating the primary's stop path: handing over first (the components'
// stop path, #29), or SIGTERM to Redis alone (as before it, and as anything that bypasses the start
// script does: the script, the container's first process, is left running until Redis exits). Per roll: the longest gap between confirmed writes, and the writes that failed or
// were not confirmed. Bounded: 3 rolls each way per platform (about 2 minutes each).
import type Docker from "dockerode";
import { deployDockerSentinel } from "../../harness/engine/deployments";
import { execIn } from "../../harness/engine/exec";
import { deployKubernetesSentinel } from "../../harness/engine/kubernetesDeployment";
import { confirmedWriter, dockerServer, podServer, settled, type RestartableServer } from "../../harness/engine/restarts";
import type { SentinelUnderTest } from "../../harness/engine/sentinelObservers";
import { HANDOVER, figuresOf, type HandoverFigures } from "../figures";
import { announce, record } from "../record";
import type { Suite } from "../suite";

const ROUNDS = 3;
/** The components' defaults: the SIGTERM rolls wait for these when the restart outlasts down-after. */
const SENTINEL = { enabled: true, downAfterMilliseconds: 5_000, failoverTimeoutMilliseconds: 60_000 };

/** A server with both stop paths. */
interface Rollable extends Omit<RestartableServer, "stop"> {
    stop: { handover: () => Promise<void>; sigterm: () => Promise<void> };
}

/** `server` with its own stop path (the handover) and SIGTERM to Redis alone in its Redis container. */
function rollable(server: RestartableServer, container: Docker.Container): Rollable {
    return { ...server, stop: { handover: () => server.stop(), sigterm: () => sigtermRedis(container) } };
}

/** One roll, highest first, with the given stop path for every server; the writer's figures for it. */
async function roll(d: SentinelUnderTest, servers: Rollable[], path: "handover" | "sigterm"): Promise<{ gapMs: number; failed: number }> {
    const plain = servers.map((s) => ({ ...s, stop: s.stop[path] }));
    await settled(d, plain);
    const writer = confirmedWriter(d);
    try {
        await new Promise((r) => setTimeout(r, 500));
        writer.phase("roll");
        for (const server of [...plain].reverse()) {
            await server.stop();
            await server.start();
            await settled(d, plain);
        }
        writer.phase("end");
    } catch (e) {
        await writer.stop().catch(() => undefined);
        throw e;
    }
    const figures = await writer.stop();
    if (figures.lost.length > 0) throw new Error(`a roll (${path}) lost ${figures.lost.length} WAIT-confirmed writes`);
    return { gapMs: figures.phases.roll.longestGapMs, failed: figures.phases.roll.unconfirmed };
}

async function rolls(
    figures: HandoverFigures,
    deploy: () => Promise<{ d: SentinelUnderTest; servers: Rollable[]; stop: () => Promise<void> }>,
) {
    announce(`rolls on ${figures.platform}`, figuresOf(figures));
    const { d, servers, stop } = await deploy();
    const results = { handover: [] as Array<{ gapMs: number; failed: number }>, sigterm: [] as Array<{ gapMs: number; failed: number }> };
    try {
        // Alternated, the order swapped every other round, so drift falls on both alike.
        for (let round = 0; round < ROUNDS; round++) {
            const order = round % 2 === 0 ? (["handover", "sigterm"] as const) : (["sigterm", "handover"] as const);
            for (const path of order) results[path].push(await roll(d, servers, path));
        }
    } finally {
        await stop();
    }
    record(
        figures.gapWith,
        results.handover.map((r) => r.gapMs / 1000),
    );
    record(
        figures.gapWithout,
        results.sigterm.map((r) => r.gapMs / 1000),
    );
    record(
        figures.failedWith,
        results.handover.map((r) => r.failed),
    );
    record(
        figures.failedWithout,
        results.sigterm.map((r) => r.failed),
    );
}

/**
 * SIGTERM to every process of the container but its shell (the start script, PID 1), so Redis stops
 * without the handover; resolves once the container has exited (and, with a restart policy, been
 * started again by the engine), so the roll goes on only once this server went down.
 */
async function sigtermRedis(container: Docker.Container): Promise<void> {
    const before = await container.inspect();
    await execIn(container, ["sh", "-c", "kill -TERM -1"]);
    for (;;) {
        const now = await container.inspect();
        if (now.State.Status === "exited" || now.RestartCount > before.RestartCount || now.State.StartedAt !== before.State.StartedAt)
            return;
        await new Promise((r) => setTimeout(r, 50));
    }
}

export const handover: Suite = {
    id: "handover",
    figures: HANDOVER,
    async run(bench) {
        await bench.mocks();
        await rolls(HANDOVER.docker, async () => {
            const d = await deployDockerSentinel(bench.name("roll"), { replicas: 3, sentinel: SENTINEL });
            // Redis exits; the container's restart policy starts it again, as after a crash.
            const servers = d.servers.map((s) => rollable(dockerServer(s), s.container));
            return { d, servers, stop: () => d.stop() };
        });
        await rolls(HANDOVER.kubernetes, async () => {
            const d = await deployKubernetesSentinel(bench.name("kroll"), { replicas: 3, sentinel: SENTINEL });
            const servers = d.servers.map((pod) => rollable(podServer(pod), pod.container));
            return { d, servers, stop: () => d.stop() };
        });
    },
};
