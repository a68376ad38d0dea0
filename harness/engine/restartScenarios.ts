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
import { adminOn, agreedPrimary, replicasOnline, throughSentinels, until, type SentinelUnderTest } from "./sentinelObservers";

/** What {@link rollUnderWrites} measured. */
export interface RollFigures {
    writer: WriterFigures;
    roles: RoleSamples;
    /** How long each server took to stop in the roll, by name (marked when it was the primary). */
    stopMs: Record<string, number>;
}

/**
 * Runs `steps` under the confirmed writer and the role sampler, then expects no confirmed write
 * lost, never two writable primaries, and a sample at least every second.
 */
async function underWrites<T>(
    d: SentinelUnderTest,
    servers: RestartableServer[],
    steps: (writer: { phase(name: string): void }) => Promise<T>,
): Promise<{ writer: WriterFigures; roles: RoleSamples; result: T }> {
    await settled(d, servers);
    const writer = confirmedWriter(d);
    const roles = sampleRoles(d, servers);
    let observed: { writer: WriterFigures; roles: RoleSamples } | undefined;
    let result: T;
    try {
        await new Promise((r) => setTimeout(r, 1_000));
        result = await steps(writer);
        writer.phase("end");
    } finally {
        // Checked whether or not the steps succeeded: a write lost on the way to a failure counts too.
        observed = { roles: await roles.stop(), writer: await writer.stop() };
        expect(observed.writer.lost, "confirmed writes lost").toEqual([]);
        expect(observed.roles.splitBrains, "two writable primaries at once").toEqual([]);
        expect(observed.roles.longestTickMs).toBeLessThan(1_000);
    }
    return { ...observed, result };
}

/** The primary SIGKILLed (a node dies: no handover) until every Sentinel names another, then brought back and settled. */
async function killAndBringBack(d: SentinelUnderTest, servers: RestartableServer[]): Promise<void> {
    const named = (name: string) => servers.find((s) => s.name === name)!;
    const first = await settled(d, servers);
    await named(first).kill();
    await agreedPrimary(d, { not: first, ms: 60_000 });
    await named(first).start();
    await settled(d, servers);
}

/**
 * The failover part of {@link rollUnderWrites} alone, under the confirmed writer and the role
 * sampler: the primary SIGKILLed, failed over, brought back. Expects the same.
 */
export async function killUnderWrites(d: SentinelUnderTest, servers: RestartableServer[]): Promise<WriterFigures> {
    const { writer } = await underWrites(d, servers, () => killAndBringBack(d, servers));
    return writer;
}

/**
 * The scenario of restart-safe HA, under the confirmed writer and the role sampler: the primary
 * SIGKILLed (a node dies: no handover), brought back, then every server stopped and started
 * highest-first through its platform's stop path, as a StatefulSet update rolls them. Each step
 * waits for every observer to agree (all Sentinels, every replica linked). Expects no confirmed
 * write lost, never two writable primaries, and one primary with every replica linked at the end.
 */
export async function rollUnderWrites(d: SentinelUnderTest, servers: RestartableServer[]): Promise<RollFigures> {
    const { writer, roles, result } = await underWrites(d, servers, async (writer) => {
        const stopMs: Record<string, number> = {};
        writer.phase("kill");
        await killAndBringBack(d, servers);
        writer.phase("roll");
        for (const server of [...servers].reverse()) {
            const primary = await settled(d, servers);
            const before = performance.now();
            await server.stop();
            stopMs[`${server.name}${server.name === primary ? " (primary)" : ""}`] = Math.round(performance.now() - before);
            await server.start();
            await settled(d, servers);
        }
        return stopMs;
    });
    return { writer, roles, stopMs: result };
}

/**
 * A credential rotation (`credentialGeneration` raised; the previous passwords still accepted)
 * delivered as its platform delivers it (`deliver`), under the confirmed writer, which holds the
 * previous generation's password throughout, and the role sampler. Expects what rollUnderWrites
 * does, and one primary with every replica linked once it is delivered.
 */
export async function rotateUnderWrites(
    d: SentinelUnderTest,
    servers: RestartableServer[],
    deliver: () => Promise<void>,
): Promise<Omit<RollFigures, "stopMs">> {
    const { writer, roles } = await underWrites(d, servers, async (writer) => {
        writer.phase("rotation");
        await deliver();
        await settled(d, servers);
    });
    return { writer, roles };
}

/**
 * After a rotation, before the previous generation is retired: the app and admin users get in
 * through the Sentinels with the new generation's passwords (`next`), and still with the previous
 * ones (the deployment's).
 */
export async function bothGenerationsWork(d: SentinelUnderTest, next: { password: string; adminPassword: string }): Promise<void> {
    expect(next.password, "the rotation changed the app password").not.toBe(d.password);
    for (const [generation, credentials] of [
        ["previous", d],
        ["new", { ...d, ...next }],
    ] as const) {
        const app = throughSentinels(credentials, "app", { maxRetriesPerRequest: 1 });
        const admin = throughSentinels(credentials, "admin", { maxRetriesPerRequest: 1 });
        try {
            expect(await app.set(`rotated:${generation}`, generation), `app, ${generation} generation`).toBe("OK");
            expect(await app.get(`rotated:${generation}`)).toBe(generation);
            expect(await admin.ping(), `admin, ${generation} generation`).toBe("PONG");
        } finally {
            app.disconnect();
            admin.disconnect();
        }
    }
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
