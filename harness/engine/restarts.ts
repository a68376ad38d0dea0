// Observing a Sentinel deployment while its servers restart, as users would judge it: a writer whose
// writes count only once `WAIT 1` confirms them, and every server's role sampled every 200 ms. The
// same on Docker and on the realised Kubernetes pods; the tests' scenarios are in restartScenarios.ts,
// and the bench uses these too (no test framework here).
import type Docker from "dockerode";
import Redis from "ioredis";
import type { DockerSentinelDeployment } from "./deployments";
import type { KubernetesSentinelDeployment } from "./kubernetesDeployment";
import { adminOn, bounded, currentPrimary, throughSentinels, until, type SentinelUnderTest } from "./sentinelObservers";

/** A server a test can restart, by the name the Sentinels give it. */
export interface RestartableServer {
    name: string;
    address: string;
    /** As a node dies: SIGKILL, no handover. */
    kill(): Promise<void>;
    /** As a roll or a drain stops it: the platform's stop path (the kubelet's SIGTERM, Docker's stop), which the start script hands over on. */
    stop(): Promise<void>;
    /** Starts it again and resolves once it serves (healthy, or ready). */
    start(): Promise<void>;
    /** What its Redis container has printed (its start script's lines among them). */
    logs(): Promise<string>;
}

/** The Sentinels of a deployment, to stop and start all at once. */
export interface RestartableSentinel {
    stop(): Promise<void>;
    start(): Promise<void>;
}

/** What the role sampler saw. */
export interface RoleSamples {
    ticks: number;
    /** Ticks at which two or more servers were writable primaries (role master with a replica online), with who. */
    splitBrains: Array<{ atMs: number; primaries: string[] }>;
    /** The longest time between the starts of two ticks, in ms. */
    longestTickMs: number;
}

/** Samples every server's role every `everyMs` until stopped. A server that does not answer within 150 ms counts as no primary. */
export function sampleRoles(d: SentinelUnderTest, servers: RestartableServer[], everyMs = 200): { stop(): Promise<RoleSamples> } {
    const clients = servers.map((s) => {
        const client = new Redis({
            host: s.address,
            port: 6379,
            username: "admin",
            password: d.adminPassword,
            tls: d.tls,
            commandTimeout: 150,
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            retryStrategy: () => 50,
        });
        client.on("error", () => {});
        return client;
    });
    const samples: RoleSamples = { ticks: 0, splitBrains: [], longestTickMs: 0 };
    const began = performance.now();
    let running = true;
    const loop = (async () => {
        let last = performance.now();
        while (running) {
            const tick = performance.now();
            samples.longestTickMs = Math.max(samples.longestTickMs, tick - last);
            last = tick;
            const writable = await Promise.all(
                clients.map(async (client) => {
                    const info = await client.info("replication").catch(() => "");
                    return /^role:master/m.test(info) && /^slave\d+:.*state=online/m.test(info);
                }),
            );
            samples.ticks++;
            const primaries = servers.filter((_, i) => writable[i]).map((s) => s.name);
            if (primaries.length > 1) samples.splitBrains.push({ atMs: Math.round(tick - began), primaries });
            await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (performance.now() - tick))));
        }
    })();
    return {
        async stop() {
            running = false;
            await loop;
            for (const client of clients) client.disconnect();
            return samples;
        },
    };
}

/** What the writer saw. */
export interface WriterFigures {
    confirmed: number;
    /** Writes that failed or that no replica confirmed within a second (not counted as written). */
    unconfirmed: number;
    /** Confirmed writes missing from the primary the Sentinels name at the end (read at stop). */
    lost: number[];
    /** By phase (see `phase`): the longest time without a confirmed write ending in it, in ms, its unconfirmed writes, and why (by message, first words). */
    phases: Record<string, { longestGapMs: number; unconfirmed: number; why: Record<string, number> }>;
}

/**
 * Writes through the Sentinels until stopped, each write counted only once `WAIT 1` confirms a replica
 * has it; at stop, reads every confirmed write back from the primary the Sentinels then name.
 */
export function confirmedWriter(d: SentinelUnderTest): { phase(name: string): void; stop(): Promise<WriterFigures> } {
    const client = throughSentinels(d, "app", { maxRetriesPerRequest: null, commandTimeout: 5_000 });
    const confirmed: number[] = [];
    const figures: WriterFigures = { confirmed: 0, unconfirmed: 0, lost: [], phases: {} };
    let current: WriterFigures["phases"][string] = (figures.phases.start = { longestGapMs: 0, unconfirmed: 0, why: {} });
    let running = true;
    const loop = (async () => {
        let lastConfirmed = performance.now();
        for (let i = 0; running; i++) {
            try {
                await client.set(`restart:${i}`, String(i));
                if ((await client.wait(1, 1_000)) < 1) throw new Error("not confirmed");
                const now = performance.now();
                current.longestGapMs = Math.max(current.longestGapMs, Math.round(now - lastConfirmed));
                lastConfirmed = now;
                confirmed.push(i);
            } catch (e) {
                figures.unconfirmed++;
                current.unconfirmed++;
                const why = (e as Error).message.split(" ").slice(0, 4).join(" ");
                current.why[why] = (current.why[why] ?? 0) + 1;
                await new Promise((r) => setTimeout(r, 20));
            }
        }
    })();
    return {
        phase(name: string) {
            current = figures.phases[name] = { longestGapMs: 0, unconfirmed: 0, why: {} };
        },
        async stop() {
            running = false;
            await loop;
            try {
                figures.confirmed = confirmed.length;
                for (let at = 0; at < confirmed.length; at += 1_000) {
                    const batch = confirmed.slice(at, at + 1_000);
                    const values = await client.mget(...batch.map((k) => `restart:${k}`));
                    batch.forEach((k, j) => values[j] !== String(k) && figures.lost.push(k));
                }
                return figures;
            } finally {
                client.disconnect();
            }
        },
    };
}

/** What every observer says at one moment: each Sentinel's primary, and each server's role as it reports it. */
interface TopologyView {
    sentinels: string[];
    servers: Record<string, { role: string; master?: string; link?: string; online?: number } | { unreachable: string }>;
}

/** Reads a {@link TopologyView} through `admins` (one client a server, by name). */
async function topologyView(d: SentinelUnderTest, admins: Map<string, Redis>): Promise<TopologyView> {
    const sentinels = await Promise.all(
        d.sentinels.map((_, i) => bounded(currentPrimary(d, i), 2_000).catch((e: Error) => `unreachable: ${e.message}`)),
    );
    const servers: TopologyView["servers"] = {};
    await Promise.all(
        [...admins].map(async ([name, admin]) => {
            try {
                // Bounded: a server that is down must not hold the reading of the others.
                const info = await bounded(admin.info("replication"), 2_000);
                const field = (key: string) => new RegExp(`^${key}:(\\S+)`, "m").exec(info)?.[1];
                servers[name] = {
                    role: field("role") ?? "unknown",
                    master: field("master_host"),
                    link: field("master_link_status"),
                    online: (info.match(/state=online/g) ?? []).length,
                };
            } catch (e) {
                servers[name] = { unreachable: (e as Error).message };
            }
        }),
    );
    return { sentinels, servers };
}

/** The primary of a view in which every Sentinel names it and every other server follows it, linked; else undefined. */
function settledPrimary(view: TopologyView): string | undefined {
    const primary = view.sentinels[0];
    if (!view.sentinels.every((name) => name === primary)) return undefined;
    const others = Object.keys(view.servers).filter((name) => name !== primary);
    const own = view.servers[primary];
    if (own === undefined || !("role" in own) || own.role !== "master" || own.online !== others.length) return undefined;
    const following = others.every((name) => {
        const s = view.servers[name];
        return "role" in s && s.role === "slave" && s.master === primary && s.link === "up";
    });
    return following ? primary : undefined;
}

/**
 * Resolves with the primary once, in one reading, every Sentinel names it and every other server
 * follows it, linked (the primary lists a replica online a moment before the replica's own link is
 * up). Judged whole each round: a further failover meanwhile (a Sentinel that misses down-after on a
 * loaded machine) moves the primary, and the wait follows it instead of watching the old one. A
 * replica left following another replica (its primary, restarted, came back as a primary and was
 * converted) is fixed by the Sentinels only once their failover timeout has passed. On timeout the
 * error carries the last reading.
 */
export async function settled(d: SentinelUnderTest, servers: RestartableServer[], ms = 60_000): Promise<string> {
    const admins = new Map(servers.map((s) => [s.name, adminOn(d, s.address)]));
    try {
        const view = await until(
            "every Sentinel to name one primary and every other server to follow it, linked",
            () => topologyView(d, admins),
            (v) => settledPrimary(v) !== undefined,
            ms,
        );
        return settledPrimary(view)!;
    } finally {
        for (const admin of admins.values()) admin.disconnect();
    }
}

/** One unauthenticated PING on a connection of its own: the reply, or the error's message (NOAUTH: up). */
export async function pingOnce(host: string, port = 6379): Promise<string> {
    const probe = new Redis({ host, port, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
    probe.on("error", () => {});
    try {
        return await probe.ping();
    } catch (e) {
        return (e as Error).message;
    } finally {
        probe.disconnect();
    }
}

/** Resolves once the server at `address` answers (NOAUTH, without a password). */
export async function untilAnswers(name: string, address: string): Promise<void> {
    await until(
        `${name} to answer`,
        () => pingOnce(address),
        (reply) => /NOAUTH/.test(reply),
        60_000,
    );
}

/** A DockerRedis server: its container's stop (the engine's stop signal, which the start script hands over on), start and SIGKILL. */
export function dockerServer(s: DockerSentinelDeployment["servers"][number]): RestartableServer {
    return {
        name: s.alias,
        address: s.address,
        kill: () => s.container.kill({ signal: "SIGKILL" }),
        // Its stop signal, then SIGKILL after its stop timeout.
        stop: () => s.container.stop(),
        start: async () => {
            // Stopped by the engine it stays down; exited by itself, its restart policy starts it again.
            if ((await s.container.inspect()).State.Status === "exited") await s.container.start().catch(() => undefined);
            await untilAnswers(s.alias, s.address);
        },
        logs: () => logsOf(s.container),
    };
}

/** A realised Redis pod: the kubelet's stop (SIGTERM, which the start script hands over on) and restart. */
export function podServer(pod: KubernetesSentinelDeployment["servers"][number]): RestartableServer {
    return {
        name: pod.dnsName,
        address: pod.address,
        kill: () => pod.container.kill({ signal: "SIGKILL" }),
        stop: () => pod.stop(),
        start: async () => {
            // As the kubelet restarts a container that has exited (restartPolicy Always).
            while ((await pod.container.inspect()).State.Running) await new Promise((r) => setTimeout(r, 50));
            await pod.restart();
            await untilAnswers(pod.name, pod.address);
        },
        logs: () => logsOf(pod.container),
    };
}

async function logsOf(container: Docker.Container): Promise<string> {
    return (await container.logs({ stdout: true })).toString("latin1");
}

/** Prints what each pod's first container (Redis's or Sentinel's) said since `began` (roles chosen, syncs, failovers): it holds no credential. */
export async function printPodLogs(
    pods: Array<{ name: string; container: Docker.Container }>,
    began: number,
    during: string,
): Promise<void> {
    for (const pod of pods) {
        const logs = await pod.container.logs({ stdout: true, stderr: true, since: Math.floor(began / 1000) - 5 });
        console.log(`${pod.name} (${during}):\n${logs.toString("latin1")}`);
    }
}
