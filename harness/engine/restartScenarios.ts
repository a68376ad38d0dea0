// The restart scenarios of restart-safe HA, on Docker and on the realised Kubernetes pods alike
// (test/deployed/*.restarts.test.ts), observed through restarts.ts.
import { expect } from "vitest";
import {
    confirmedWriter,
    sampleRoles,
    settled,
    type RestartableSentinel,
    type RestartableServer,
    type RoleSamples,
    type WriterFigures,
} from "./restarts";
import { adminOn, agreedPrimary, replicasOnline, until, type SentinelUnderTest } from "./sentinelObservers";

/** What {@link rollUnderWrites} measured. */
export interface RollFigures {
    writer: WriterFigures;
    roles: RoleSamples;
    /** How long each server took to stop in the roll, by name (marked when it was the primary). */
    stopMs: Record<string, number>;
}

/**
 * The scenario of restart-safe HA, under the confirmed writer and the role sampler: the primary
 * SIGKILLed (a node dies: no handover), brought back, then every server stopped and started
 * highest-first through its platform's stop path, as a StatefulSet update rolls them. Each step
 * waits for every observer to agree (all Sentinels, every replica linked). Expects no confirmed
 * write lost, never two writable primaries, and one primary with every replica linked at the end.
 */
export async function rollUnderWrites(d: SentinelUnderTest, servers: RestartableServer[]): Promise<RollFigures> {
    const named = (name: string) => servers.find((s) => s.name === name)!;
    await settled(d, servers);
    const writer = confirmedWriter(d);
    const roles = sampleRoles(d, servers);
    const stopMs: Record<string, number> = {};
    let figures: RollFigures | undefined;
    try {
        await new Promise((r) => setTimeout(r, 1_000));
        writer.phase("kill");
        const first = await settled(d, servers);
        await named(first).kill();
        await agreedPrimary(d, { not: first, ms: 60_000 });
        await named(first).start();
        await settled(d, servers);
        writer.phase("roll");
        for (const server of [...servers].reverse()) {
            const primary = await settled(d, servers);
            const before = performance.now();
            await server.stop();
            stopMs[`${server.name}${server.name === primary ? " (primary)" : ""}`] = Math.round(performance.now() - before);
            await server.start();
            await settled(d, servers);
        }
        writer.phase("end");
    } finally {
        const samples = await roles.stop();
        figures = { writer: await writer.stop(), roles: samples, stopMs };
        expect(figures.writer.lost, "confirmed writes lost").toEqual([]);
        expect(samples.splitBrains, "two writable primaries at once").toEqual([]);
        expect(samples.longestTickMs).toBeLessThan(1_000);
    }
    return figures;
}

/**
 * Every Sentinel stopped, then every server restarted (replicas first, then the primary): each
 * must start in the role it last had, as its start script says in its log, the replicas linked to
 * the same primary; once the Sentinels are back they must name that primary.
 */
export async function restartWithoutSentinels(
    d: SentinelUnderTest,
    servers: RestartableServer[],
    sentinels: RestartableSentinel[],
): Promise<void> {
    const primary = await settled(d, servers);
    await Promise.all(sentinels.map((s) => s.stop()));
    try {
        // The primary last: with no quorum to name it, it hands nothing over.
        const order = [...servers.filter((s) => s.name !== primary), ...servers.filter((s) => s.name === primary)];
        for (const server of order) {
            await server.stop();
            await server.start();
            expect(lastStart(await server.logs()), server.name).toBe(
                server.name === primary
                    ? "hardened-redis: starting as the primary (no quorum of Sentinels answered: the role it last had)"
                    : `hardened-redis: starting as a replica of ${primary} 6379 (no quorum of Sentinels answered: the role it last had)`,
            );
        }
        await replicasOnline(d, servers.find((s) => s.name === primary)!.address, servers.length - 1);
    } finally {
        await Promise.all(sentinels.map((s) => s.start()));
    }
    expect(await settled(d, servers)).toBe(primary);
}

/** The line the start script printed last: which role it chose, and why (Redis logs more after it). */
export function lastStart(logs: string): string | undefined {
    return logs.match(/hardened-redis: starting [^\n]*/g)?.at(-1);
}

/**
 * A server just started again after a failover: from its first reply until its link is up it must
 * be a replica (its role came from the Sentinels before Redis started; it used to boot from the
 * rendered file as a primary until Sentinel converted it), following the primary the Sentinels then
 * agree on, and its start script must say a quorum of Sentinels named that primary. The primary is
 * read at the end, not before: under load, with down-after at 1 s, the Sentinels may fail over again
 * while it starts (seen once in three runs of the Sentinel files side by side).
 */
export async function rejoinsAsReplica(d: SentinelUnderTest, server: Pick<RestartableServer, "name" | "address" | "logs">): Promise<void> {
    const admin = adminOn(d, server.address);
    try {
        const info = await until(
            `${server.name} to replicate a primary, linked`,
            async () => {
                const reply = await admin.info("replication");
                expect(reply).toMatch(/role:slave/);
                return reply;
            },
            (reply) => /master_link_status:up/.test(reply),
            60_000,
        );
        expect(info).toContain(`master_host:${await agreedPrimary(d, { not: server.name })}\r\n`);
    } finally {
        admin.disconnect();
    }
    expect(lastStart(await server.logs())).toMatch(
        /^hardened-redis: starting as a replica of \S+ 6379 \(named by a quorum of Sentinels\)$/,
    );
}
