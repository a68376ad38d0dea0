import Redis from "ioredis";
import { expect } from "vitest";
import { failoverBoundMs } from "../client/failover";
import { adminOn, agreedPrimary, replicasOnline, throughSentinels, until, type SentinelUnderTest } from "./sentinelObservers";

export {
    adminOn,
    agreedPrimary,
    currentPrimary,
    replicasOnline,
    sentinelsAcquainted,
    throughSentinels,
    until,
    type SentinelUnderTest,
} from "./sentinelObservers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything the Sentinel containers have logged. */
async function sentinelLogs(d: SentinelUnderTest): Promise<string> {
    const logs = await Promise.all(d.sentinels.map((s) => s.container.logs({ stdout: true, stderr: true, follow: false })));
    return logs.map((log) => log.toString("latin1")).join("\n");
}

/**
 * Writes through the Sentinels, each write confirmed by `WAIT 1`, calls `kill` after a second of
 * writes, and goes on until a write is confirmed again (at most 20,000 writes, or 5 s past the
 * failover bound). Expects the first confirmed write within {@link failoverBoundMs} and every
 * confirmed write on the promoted primary; prints the Sentinels' events when it took longer than
 * down-after + 5 s. Returns the figures for the test to print.
 */
export async function failoverUnderWrites(
    d: SentinelUnderTest,
    kill: () => Promise<unknown>,
    timing: { downAfterMilliseconds: number; failoverTimeoutMilliseconds: number },
): Promise<{ recoveredMs: number; acknowledged: number; unconfirmed: number }> {
    const boundMs = failoverBoundMs(timing);
    const client = throughSentinels(d, "app", { maxRetriesPerRequest: null });
    const acknowledged: number[] = [];
    let unconfirmed = 0;
    try {
        const write = async (i: number) => {
            await client.set(`failover:${i}`, String(i));
            // WAIT 1: a replica holds it before it counts as acknowledged.
            if ((await client.wait(1, 1_000)) >= 1) acknowledged.push(i);
            else unconfirmed++;
        };
        let i = 0;
        const started = Date.now();
        while (Date.now() - started < 1_000) await write(i++);
        expect(acknowledged.length).toBeGreaterThan(10);
        const killedAt = Date.now();
        await kill();
        let recovered = 0;
        while (recovered === 0 && i < 20_000 && Date.now() - killedAt < boundMs + 5_000) {
            const before = acknowledged.length;
            await write(i++).catch(() => new Promise((r) => setTimeout(r, 50)));
            if (acknowledged.length > before) recovered = Date.now();
        }
        expect(recovered, "no write succeeded after the kill").toBeGreaterThan(0);
        expect(recovered - killedAt).toBeLessThan(boundMs);
        if (recovered - killedAt >= timing.downAfterMilliseconds + 5_000) {
            // Slower than usual: record why, from the Sentinels' own events (no secrets in these lines). A
            // split vote logs -failover-abort-not-elected; one run here took 19.4 s without it, under load.
            const events = (await sentinelLogs(d)).split("\n").filter((l) => /failover|vote|elect|tilt|odown|sdown|switch|leader/i.test(l));
            console.log(`slow failover (${recovered - killedAt} ms); the Sentinels' events:\n${events.join("\n")}`);
        }
        const values = await client.mget(...acknowledged.map((k) => `failover:${k}`));
        expect(values.filter((v, k) => v !== String(acknowledged[k]))).toEqual([]);
        return { recoveredMs: recovered - killedAt, acknowledged: acknowledged.length, unconfirmed };
    } finally {
        client.disconnect();
    }
}

/**
 * Cuts the current primary off from every other server and Sentinel (`cut` returns the healing
 * function) while a client on its side keeps writing to it, then heals. Expects the cut-off
 * primary to refuse writes once its replicas' lag passes min-replicas-max-lag (10 s), the
 * Sentinels to promote a replica within `boundMs`, writes through them to go on, and, once
 * healed, the old primary to follow the new one with what it took while cut off gone. Returns the
 * figures for the test to print.
 */
export async function partitionLoss(
    d: SentinelUnderTest,
    primary: { name: string; address: string },
    cut: () => Promise<() => Promise<void>>,
    boundMs: number,
): Promise<{ accepted: number; lastAcceptedMs: number; refusedMs: number; promoted: string }> {
    await replicasOnline(d, primary.address);
    const cutOff = new Redis({
        host: primary.address,
        username: "app",
        password: d.password,
        maxRetriesPerRequest: 0,
        commandTimeout: 2_000,
    });
    cutOff.on("error", () => {});
    let accepted = 0;
    let lastAcceptedMs = 0;
    let refusedMs = 0;
    let promoted = primary.name;
    try {
        const heal = await cut();
        const cutAt = Date.now();
        try {
            for (let i = 0; refusedMs === 0 && i < 200 && Date.now() - cutAt < 30_000; i++) {
                const reply = await cutOff.set(`partition:${i}`, "1").catch((e: Error) => e.message);
                if (/NOREPLICAS/.test(reply)) refusedMs = Date.now() - cutAt;
                else if (reply === "OK") [accepted, lastAcceptedMs] = [accepted + 1, Date.now() - cutAt];
                await sleep(200);
            }
            // Until min-replicas-max-lag (10 s) passes it accepts writes it will lose. Lag is whole seconds since a
            // replica's last acknowledgement (sent every second), and the count of good replicas is refreshed once
            // a second: a replica counts as lagging from 11 s on, seen by the next refresh, so up to about 13 s.
            expect(accepted).toBeGreaterThan(0);
            expect(refusedMs, "the cut-off primary never refused a write").toBeGreaterThan(0);
            expect(lastAcceptedMs).toBeLessThan(14_000);
            // The Sentinels, all on the other side, promote one of the replicas there.
            // Every Sentinel: a client asks them in turn, and one that still names the cut-off primary would send it there.
            promoted = await agreedPrimary(d, { not: primary.name, ms: boundMs });
            const client = throughSentinels(d, "app", { maxRetriesPerRequest: null });
            try {
                // The promoted primary takes writes once its other replica follows it (min-replicas-to-write 1).
                await until(
                    "a write through the Sentinels on the majority side",
                    () => client.set("partition:after", "1"),
                    (reply) => reply === "OK",
                    10_000,
                );
            } finally {
                client.disconnect();
            }
        } finally {
            await heal();
        }
        // Healed: the old primary follows the promoted one, and what it took while cut off is gone.
        const admin = adminOn(d, primary.address);
        try {
            await until(
                "the old primary to replicate the promoted one",
                () => admin.info("replication"),
                (info) => info.includes(`master_host:${promoted}`) && /master_link_status:up/.test(info),
                60_000,
            );
            expect(await admin.exists(...Array.from({ length: accepted }, (_, i) => `partition:${i}`))).toBe(0);
            expect(await admin.get("partition:after")).toBe("1");
        } finally {
            admin.disconnect();
        }
        return { accepted, lastAcceptedMs, refusedMs, promoted };
    } finally {
        cutOff.disconnect();
    }
}
