// 13. Every server restarted with Sentinel, under a writer whose writes count once `WAIT 1` confirms
// them, rounds alternating the primary's stop path: handing over first (the components' stop path,
// #29), or SIGTERM to Redis alone (as before it, and as anything that bypasses the start script
// does: the script, the container's first process, is left running until Redis exits). Per change:
// the longest gap between confirmed writes, and the writes that failed or were not confirmed.
// - A roll of the Docker containers, each stopped and started highest-first.
// - A credential rotation (`credentialGeneration` raised by one each round) as each platform
//   delivers it: on Kubernetes the servers' StatefulSet rolled, then the Sentinels', as the
//   controller rolls them; on Docker every changed container replaced as `pulumi up` replaces it.
// Bounded: 3 changes each way per row (each about a minute at most).
import type Docker from "dockerode";
import { deployDockerSentinel, passwordOf, registerAgain } from "../../harness/engine/deployments";
import { deployKubernetesSentinel } from "../../harness/engine/kubernetesDeployment";
import { confirmedWriter, dockerServer, podServer, printPodLogs, settled, type RestartableServer } from "../../harness/engine/restarts";
import type { SentinelUnderTest } from "../../harness/engine/sentinelObservers";
import type { DockerRedisArgs, KubernetesRedisArgs } from "../../index";
import { HANDOVER, figuresOf, type HandoverFigures } from "../figures";
import { announce, record } from "../record";
import type { Suite } from "../suite";

const ROUNDS = 3;
/** The components' defaults: the SIGTERM changes wait for these when the restart outlasts down-after. */
const SENTINEL = { enabled: true, downAfterMilliseconds: 5_000, failoverTimeoutMilliseconds: 60_000 };
const ARGS = { replicas: 3, sentinel: SENTINEL };
/**
 * How long a change may take to settle. Without the handover, a primary that comes back while the
 * Sentinels fail over from it is converted to a replica, and a replica that followed it meanwhile
 * is pointed at the new primary only once the Sentinels' failover timeout (60 s) has passed.
 */
const SETTLE_MS = 120_000;

type StopPath = "handover" | "sigterm";
interface Outcome {
    gapMs: number;
    failed: number;
}

/** A deployment that can go through one change with either stop path, measured. */
interface Changeable {
    change(path: StopPath): Promise<Outcome>;
    stop(): Promise<void>;
}

/** `change` under the confirmed writer, from and back to a settled topology; throws if a confirmed write was lost. */
async function measured(d: SentinelUnderTest, servers: RestartableServer[], change: () => Promise<void>): Promise<Outcome> {
    await settled(d, servers, SETTLE_MS);
    const writer = confirmedWriter(d);
    try {
        await new Promise((r) => setTimeout(r, 500));
        writer.phase("change");
        await change();
        await settled(d, servers, SETTLE_MS);
        writer.phase("end");
    } catch (e) {
        await writer.stop().catch(() => undefined);
        throw e;
    }
    const figures = await writer.stop();
    if (figures.lost.length > 0) throw new Error(`a change lost ${figures.lost.length} WAIT-confirmed writes`);
    return { gapMs: figures.phases.change.longestGapMs, failed: figures.phases.change.unconfirmed };
}

/** ROUNDS changes each way, alternated, the order swapped every other round so drift falls on both alike. */
async function alternated(figures: HandoverFigures, deploy: () => Promise<Changeable>): Promise<void> {
    announce(`${figures.change}s on ${figures.platform}`, figuresOf(figures));
    const deployment = await deploy();
    const results: Record<StopPath, Outcome[]> = { handover: [], sigterm: [] };
    try {
        for (let round = 0; round < ROUNDS; round++) {
            const order: StopPath[] = round % 2 === 0 ? ["handover", "sigterm"] : ["sigterm", "handover"];
            for (const path of order) results[path].push(await deployment.change(path));
        }
    } finally {
        await deployment.stop();
    }
    const seconds = (outcomes: Outcome[]) => outcomes.map((o) => o.gapMs / 1000);
    const failed = (outcomes: Outcome[]) => outcomes.map((o) => o.failed);
    record(figures.gapWith, seconds(results.handover));
    record(figures.gapWithout, seconds(results.sigterm));
    record(figures.failedWith, failed(results.handover));
    record(figures.failedWithout, failed(results.sigterm));
}

/**
 * The credentials a rotation's writer and observers use: the deployment's at first, then each
 * rotation's (the next rotation still accepts them as its previous generation).
 */
function holding(
    d: SentinelUnderTest,
): SentinelUnderTest & { rotated(secrets: { password: string; adminConnectionString: string }): void } {
    return {
        ...d,
        rotated({ password, adminConnectionString }) {
            this.password = password;
            this.adminPassword = passwordOf(adminConnectionString);
        },
    };
}

/** The Docker Sentinel deployment, rolled: each server stopped through `path` and started again, highest first. */
async function dockerRolls(name: string): Promise<Changeable> {
    const d = await deployDockerSentinel(name, ARGS);
    const servers = d.servers.map(dockerServer);
    return {
        change: (path) =>
            measured(d, servers, async () => {
                for (const [i, server] of [...servers.entries()].reverse()) {
                    await (path === "handover" ? server.stop() : sigtermRedis(d.servers[i].container));
                    await server.start();
                    await settled(d, servers, SETTLE_MS);
                }
            }),
        stop: () => d.stop(),
    };
}

/** The Docker Sentinel deployment, rotated: every changed container replaced, each server's Redis stopped through `path`. */
async function dockerRotations(name: string): Promise<Changeable> {
    const { DockerRedis } = await import("../../index");
    const d = await deployDockerSentinel(name, ARGS);
    const servers = d.servers.map(dockerServer);
    const credentials = holding(d);
    const serverResources = new Set(d.servers.map((s) => s.resource));
    let generation = 0;
    return {
        async change(path) {
            const args: DockerRedisArgs = { ...ARGS, credentialGeneration: ++generation };
            const next = await registerAgain(name, () => new DockerRedis(name, args));
            const revision = d.realised.revise(next.resources);
            const outcome = await measured(credentials, servers, async () => {
                await revision.apply(
                    path === "handover"
                        ? undefined
                        : (resource, container) => (serverResources.has(resource) ? sigtermRedisForGood(container) : container.stop()),
                );
                for (const s of [...d.servers, ...d.sentinels]) s.container = d.realised.containers.get(s.resource)!;
            });
            credentials.rotated(next.secrets);
            return outcome;
        },
        stop: () => d.stop(),
    };
}

/** The realised Kubernetes Sentinel pods, rotated: the servers' StatefulSet rolled (each server's Redis stopped through `path`), then the Sentinels'. */
async function kubernetesRotations(name: string): Promise<Changeable> {
    const { KubernetesRedis } = await import("../../index");
    const d = await deployKubernetesSentinel(name, ARGS);
    const servers = d.servers.map(podServer);
    const credentials = holding(d);
    let generation = 0;
    return {
        async change(path) {
            const args: KubernetesRedisArgs = { ...ARGS, credentialGeneration: ++generation };
            const next = await registerAgain(name, () => new KubernetesRedis(name, args));
            const revision = await d.realised.revise(next.resources);
            const began = Date.now();
            const outcome = await measured(credentials, servers, async () => {
                // As the controller: highest ordinal first, each replaced pod ready before the next;
                // the Sentinels' StatefulSet depends on the servers', so pulumi-kubernetes rolls it after.
                for (const pod of [...d.servers].reverse()) await revision.replace(pod, path === "sigterm" ? sigtermRedis : undefined);
                for (const pod of [...d.sentinels].reverse()) await revision.replace(pod);
            }).catch(async (e: unknown) => {
                await printPodLogs([...d.servers, ...d.sentinels], began, `rotation to generation ${generation}, ${path}`);
                throw e;
            });
            credentials.rotated(next.secrets);
            return outcome;
        },
        stop: () => d.stop(),
    };
}

/**
 * SIGTERM to every process of the container but its shell (the start script, PID 1), so Redis stops
 * without the handover; resolves once the container has exited (and, with a restart policy, been
 * started again by the engine), so the change goes on only once this server went down.
 */
async function sigtermRedis(container: Docker.Container): Promise<void> {
    const before = await container.inspect();
    // Detached: an attached exec's stream may never end when its container exits under it. Sent
    // again every 5 s: once, Redis was still running 60 s after one (its log is in the error).
    const sigterm = async () => (await container.exec({ Cmd: ["sh", "-c", "kill -TERM -1"] })).start({ Detach: true });
    await sigterm();
    let sent = Date.now();
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
        const now = await container.inspect();
        if (now.State.Status === "exited" || now.RestartCount > before.RestartCount || now.State.StartedAt !== before.State.StartedAt)
            return;
        if (Date.now() - sent > 5_000) {
            await sigterm().catch(() => undefined);
            sent = Date.now();
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    const log = (await container.logs({ stdout: true, stderr: true, tail: 30 })).toString("latin1");
    throw new Error(`Redis in ${before.Name} still running 60 s after SIGTERM; its last lines:\n${log}`);
}

/** {@link sigtermRedis} for a container about to be removed: its restart policy cleared first, so the engine does not start it again. */
async function sigtermRedisForGood(container: Docker.Container): Promise<void> {
    await container.update({ RestartPolicy: { Name: "no" } });
    await sigtermRedis(container);
}

export const handover: Suite = {
    id: "handover",
    figures: HANDOVER,
    async run(bench) {
        await bench.mocks();
        await alternated(HANDOVER.dockerRoll, () => dockerRolls(bench.name("roll")));
        await alternated(HANDOVER.dockerRotation, () => dockerRotations(bench.name("rotate")));
        await alternated(HANDOVER.kubernetesRotation, () => kubernetesRotations(bench.name("krotate")));
    },
};
