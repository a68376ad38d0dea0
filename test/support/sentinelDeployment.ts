import Redis, { type RedisOptions } from "ioredis";
import { expect } from "vitest";

/** What the deployed Sentinel tests need of a deployment, on Docker or on realised Kubernetes pods. */
export interface SentinelUnderTest {
    masterName: string;
    sentinels: Array<{ address: string }>;
    /** The names the Sentinels give, as the host reaches them. */
    natMap: Record<string, { host: string; port: number }>;
    password: string;
    adminPassword: string;
}

/** A client through the Sentinels, as the connection string says, with the host's view of the names they give. */
export function throughSentinels(d: SentinelUnderTest, user: "app" | "admin" = "app", options: RedisOptions = {}): Redis {
    const password = user === "app" ? d.password : d.adminPassword;
    const client = new Redis({
        name: d.masterName,
        sentinels: d.sentinels.map((s) => ({ host: s.address, port: 26379 })),
        username: user,
        password,
        sentinelUsername: user,
        sentinelPassword: password,
        natMap: d.natMap,
        ...options,
    });
    client.on("error", () => {});
    return client;
}

/**
 * Writes through the Sentinels, each write confirmed by `WAIT 1`, calls `kill` after a second of
 * writes, and goes on until a write is confirmed again (at most 20,000 writes, or 5 s past
 * `boundMs`). Expects the first confirmed write within `boundMs` of the kill and every confirmed
 * write on the promoted primary; returns the figures for the test to print.
 */
export async function failoverUnderWrites(
    d: SentinelUnderTest,
    kill: () => Promise<unknown>,
    boundMs: number,
): Promise<{ recoveredMs: number; acknowledged: number; unconfirmed: number }> {
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
        const values = await client.mget(...acknowledged.map((k) => `failover:${k}`));
        expect(values.filter((v, k) => v !== String(acknowledged[k]))).toEqual([]);
        return { recoveredMs: recovered - killedAt, acknowledged: acknowledged.length, unconfirmed };
    } finally {
        client.disconnect();
    }
}
