// Observing a Sentinel deployment (on Docker or on the realised Kubernetes pods) as tests and the
// bench do: clients through the Sentinels and on each server, and waits until every observer
// agrees. No test framework here: the bench imports it too.
import type { ConnectionOptions } from "node:tls";
import type Docker from "dockerode";
import Redis, { type RedisOptions } from "ioredis";

/** What the deployed Sentinel tests need of a deployment, on Docker or on realised Kubernetes pods. */
export interface SentinelUnderTest {
    masterName: string;
    sentinels: Array<{ address: string; container: Docker.Container }>;
    /** The names the Sentinels give, as the host reaches them. */
    natMap: Record<string, { host: string; port: number }>;
    password: string;
    adminPassword: string;
    /** With TLS: options for every connection, Sentinels and servers alike (the CA, the name check). */
    tls?: ConnectionOptions;
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
        ...(d.tls && { enableTLSForSentinelMode: true, tls: d.tls, sentinelTLS: d.tls }),
        ...options,
    });
    client.on("error", () => {});
    return client;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a rejection once `ms` have passed without it settling. */
export function bounded<T>(promise: Promise<T>, ms: number): Promise<T> {
    return Promise.race([
        promise,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms).unref()),
    ]);
}

/**
 * Polls `read` every 250 ms until `done` holds, or throws naming `what` and the last thing read. A
 * read that fails (a server not up yet, or a Sentinel reconfiguring a server ends normal clients
 * with CLIENT KILL) counts as not yet; a failed assertion inside it is a failure, never swallowed.
 */
export async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        let last: string;
        try {
            // Bounded too: a read that never settles (a client stuck on a dead socket) must not hold the wait past its time.
            const v = await bounded(read(), Math.max(1_000, deadline - Date.now()));
            if (done(v)) return v;
            last = JSON.stringify(v);
        } catch (e) {
            if ((e as Error).name === "AssertionError") throw e;
            last = (e as Error).message;
        }
        if (Date.now() > deadline) throw new Error(`${what} within ${ms / 1000} s; last read: ${last}`);
        await sleep(250);
    }
}

/** The admin user on one server or Sentinel, by address. */
export function adminOn(d: SentinelUnderTest, address: string, port = 6379): Redis {
    const client = new Redis({ host: address, port, username: "admin", password: d.adminPassword, maxRetriesPerRequest: 1, tls: d.tls });
    client.on("error", () => {});
    return client;
}

/** The primary as Sentinel `i` names it (an alias or a pod DNS name). */
export async function currentPrimary(d: SentinelUnderTest, i: number): Promise<string> {
    const sentinel = adminOn(d, d.sentinels[i].address, 26379);
    try {
        return ((await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", d.masterName)) as string[])[0];
    } finally {
        sentinel.disconnect();
    }
}

/**
 * The primary once every Sentinel in `sentinels` (all by default) names the same one, other than
 * `not`. The leader of a failover switches at once; the others learn it from its next hello (every
 * 2 s), so a test that reads one Sentinel and then acts on another can see the old primary.
 */
export async function agreedPrimary(
    d: SentinelUnderTest,
    { not, sentinels = d.sentinels.map((_, i) => i), ms = 30_000 }: { not?: string; sentinels?: number[]; ms?: number } = {},
): Promise<string> {
    const names = await until(
        `Sentinels ${sentinels.join(", ")} to agree on a primary${not ? ` other than ${not}` : ""}`,
        () => Promise.all(sentinels.map((i) => currentPrimary(d, i))),
        (n) => n.every((x) => x === n[0] && x !== not),
        ms,
    );
    return names[0];
}

/** Waits until every Sentinel knows the others and `replicas` replicas: a primary killed before that may never be failed over by a late one. */
export async function sentinelsAcquainted(d: SentinelUnderTest, replicas: number): Promise<void> {
    await until(
        "every Sentinel to know the others and every replica",
        () =>
            Promise.all(
                d.sentinels.map(async (s) => {
                    const sentinel = adminOn(d, s.address, 26379);
                    try {
                        const peers = ((await sentinel.call("SENTINEL", "SENTINELS", d.masterName)) as unknown[]).length;
                        const known = ((await sentinel.call("SENTINEL", "REPLICAS", d.masterName)) as unknown[]).length;
                        return peers === d.sentinels.length - 1 && known === replicas;
                    } finally {
                        sentinel.disconnect();
                    }
                }),
            ),
        (acquainted) => acquainted.every(Boolean),
    );
}

/** The primary's INFO replication once `count` replicas are online (until then it refuses writes: min-replicas-to-write). */
export async function replicasOnline(d: SentinelUnderTest, address: string, count = 2, ms = 30_000): Promise<string> {
    const admin = adminOn(d, address);
    try {
        return await until(
            `${count} replicas online`,
            () => admin.info("replication"),
            (info) => (info.match(/state=online/g) ?? []).length === count,
            ms,
        );
    } finally {
        admin.disconnect();
    }
}
