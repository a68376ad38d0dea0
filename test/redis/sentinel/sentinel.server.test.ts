import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";
import { startLocalSentinelTopology, type LocalSentinelTopology } from "../../../harness/local/localSentinel";
import { failoverBoundMs } from "../../../harness/client/failover";
import { until } from "../../../harness/engine/sentinelDeployment";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Real redis-server and Sentinel processes from the rendered redis.conf/replica.conf/sentinel.conf:
// the users, the hostnames and the failover settings mean what they say.
describe("a Sentinel topology started from the rendered configs", () => {
    let t: LocalSentinelTopology;
    beforeAll(async () => {
        t = await startLocalSentinelTopology({ replicas: 2, sentinels: 3, downAfterMilliseconds: 1_000 });
    }, 60_000);
    afterAll(async () => {
        await t?.stop();
    }, 60_000);

    const sentinel = (i: number, user: "app" | "admin") =>
        new Redis({
            port: t.sentinels[i].port,
            host: "127.0.0.1",
            username: user,
            password: user === "app" ? t.appOptions.password : t.adminOptions.password,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
        });

    it("lets the app user find the primary through any Sentinel, and nothing more", async () => {
        for (let i = 0; i < t.sentinels.length; i++) {
            const s = sentinel(i, "app");
            try {
                expect(await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)).toEqual(["127.0.0.1", String(t.servers[0].port)]);
                await expect(s.call("SENTINEL", "FAILOVER", t.masterName)).rejects.toThrow(/NOPERM/);
                await expect(s.call("SENTINEL", "SET", t.masterName, "quorum", "1")).rejects.toThrow(/NOPERM/);
            } finally {
                s.disconnect();
            }
        }
    });

    it("refuses clients that do not authenticate, and knows every replica and Sentinel", async () => {
        const anonymous = new Redis({
            port: t.sentinels[0].port,
            host: "127.0.0.1",
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
            protocol: 2,
        });
        anonymous.on("error", () => {});
        try {
            await expect(anonymous.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)).rejects.toThrow(/NOAUTH/);
            // Sentinels find each other through the primary's hello channel (every 2 s), and the
            // replicas from the primary's INFO; startLocalSentinelTopology waited for all of it.
            for (let i = 0; i < t.sentinels.length; i++) {
                const s = sentinel(i, "admin");
                try {
                    expect(((await s.call("SENTINEL", "SENTINELS", t.masterName)) as unknown[]).length, `Sentinel ${i}'s peers`).toBe(2);
                    expect(((await s.call("SENTINEL", "REPLICAS", t.masterName)) as unknown[]).length, `Sentinel ${i}'s replicas`).toBe(2);
                } finally {
                    s.disconnect();
                }
            }
        } finally {
            anonymous.disconnect();
        }
    }, 20_000);

    it("promotes a replica when the primary is killed, losing no write a replica acknowledged", async () => {
        const client = new Redis({ ...t.appOptions, maxRetriesPerRequest: null, enableOfflineQueue: true });
        client.on("error", () => {});
        const acknowledged: number[] = [];
        let killedAt = 0;
        let firstWriteAfterKill = 0;
        try {
            // Writes confirmed by WAIT 1: a replica holds each before it counts as acknowledged.
            const writeUntil = async (deadline: number) => {
                for (let i = acknowledged.length; Date.now() < deadline; i++) {
                    try {
                        await client.set(`failover:${i}`, String(i));
                        if ((await client.wait(1, 1_000)) >= 1) {
                            acknowledged.push(i);
                            if (killedAt > 0 && firstWriteAfterKill === 0) firstWriteAfterKill = Date.now();
                            if (
                                killedAt > 0 &&
                                acknowledged.length > 0 &&
                                firstWriteAfterKill > 0 &&
                                Date.now() - firstWriteAfterKill > 500
                            )
                                return;
                        }
                    } catch {
                        await sleep(50);
                    }
                }
            };
            await writeUntil(Date.now() + 1_000);
            const before = acknowledged.length;
            expect(before).toBeGreaterThan(10);
            killedAt = Date.now();
            const writing = writeUntil(Date.now() + 30_000);
            await t.servers[0].kill();
            await writing;
            expect(firstWriteAfterKill, "no write succeeded after the kill").toBeGreaterThan(0);
            expect(firstWriteAfterKill - killedAt).toBeLessThan(failoverBoundMs(t.timing));
            // Every Sentinel names a replica as the primary now (the others learn it from the leader's hello, every 2 s).
            const named = async () => {
                const ports: string[] = [];
                for (let i = 0; i < t.sentinels.length; i++) {
                    const s = sentinel(i, "app");
                    try {
                        ports.push(((await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)) as string[])[1]);
                    } finally {
                        s.disconnect();
                    }
                }
                return ports;
            };
            // The leader's hello reaches the others within 2 s; a bound of five hellos.
            const ports = await until(
                "every Sentinel to name the same promoted replica",
                named,
                (p) => p.every((port) => port === p[0] && port !== String(t.servers[0].port)),
                10_000,
            );
            expect(t.servers.slice(1).map((r) => String(r.port))).toContain(ports[0]);
            // Every acknowledged write is on the new primary.
            const values = await client.mget(...acknowledged.map((i) => `failover:${i}`));
            expect(values.filter((v, k) => v !== String(acknowledged[k]))).toEqual([]);
        } finally {
            client.disconnect();
        }
    }, 60_000);
});

// Sentinel rewrites its copy of the config as it learns; the container's command rebuilds that
// copy from the rendered file on every start, keeping what was learnt.
describe("Sentinels that all restart after a failover", () => {
    let t: LocalSentinelTopology;
    beforeAll(async () => {
        t = await startLocalSentinelTopology({ replicas: 2, sentinels: 3, downAfterMilliseconds: 1_000 });
    }, 60_000);
    afterAll(async () => {
        await t?.stop();
    }, 60_000);

    const admin = (i: number) =>
        new Redis({
            port: t.sentinels[i].port,
            host: "127.0.0.1",
            username: "admin",
            password: t.adminOptions.password,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
        });
    /** What each Sentinel says: the primary's port, the other Sentinels and the replicas it knows. */
    const views = async () =>
        Promise.all(
            t.sentinels.map(async (_, i) => {
                const s = admin(i);
                try {
                    const [, port] = (await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)) as string[];
                    const sentinels = ((await s.call("SENTINEL", "SENTINELS", t.masterName)) as unknown[]).length;
                    const replicas = ((await s.call("SENTINEL", "REPLICAS", t.masterName)) as unknown[]).length;
                    return { port: Number(port), sentinels, replicas };
                } finally {
                    s.disconnect();
                }
            }),
        );
    /**
     * When Sentinel `i` last heard each other Sentinel it knows, at the latest (the time before asking,
     * less the age it reports). A peer loaded from the config file counts as heard when it was loaded.
     */
    const lastHellos = async (i: number): Promise<number[]> => {
        const s = admin(i);
        try {
            const asked = Date.now();
            const peers = (await s.call("SENTINEL", "SENTINELS", t.masterName)) as string[][];
            return peers.map((fields) => asked - Number(fields[fields.indexOf("last-hello-message") + 1]));
        } finally {
            s.disconnect();
        }
    };
    const role = async (port: number) => {
        const server = t.servers.find((s) => s.port === port)!;
        const r = new Redis(server.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
        try {
            return ((await r.call("ROLE")) as unknown[]).slice(0, 3).map(String);
        } finally {
            r.disconnect();
        }
    };

    it("follow the promoted primary, not the rendered one, and still fail over", async () => {
        const first = t.servers[0].port;
        await until("all Sentinels know both replicas and each other", views, (v) => v.every((s) => s.replicas === 2 && s.sentinels === 2));
        const s = admin(0);
        await s.call("SENTINEL", "FAILOVER", t.masterName);
        s.disconnect();
        const promoted = (
            await until("every Sentinel follows a promoted replica", views, (v) => v.every((s) => s.port !== first && s.port === v[0].port))
        )[0].port;
        // Sentinel converts it once it has reported itself a primary for 8 s and its next INFO comes (every 10 s).
        await until(
            "the old primary replicates the promoted one",
            () => role(first),
            (r) => r[0] === "slave" && r[2] === String(promoted),
            30_000,
        );

        for (const sentinel of t.sentinels) await sentinel.stop();
        for (const sentinel of t.sentinels) await sentinel.start();
        const restarted = Date.now();

        // Straight away: a Sentinel that started over from the rendered file would name the first primary here.
        expect((await views()).map((v) => v.port)).toEqual([promoted, promoted, promoted]);
        // Restarted with the ids they had: each knows the other two and both replicas, no stale twins.
        // Counted once every Sentinel has heard both others since the restart (a hello every 2 s): a
        // Sentinel back under a new id would by then stand beside its old entry, as a third peer.
        await until(
            "every Sentinel to hear a hello from both others since the restart",
            () => Promise.all(t.sentinels.map((_, i) => lastHellos(i))),
            (heard) => heard.every((peers) => peers.filter((at) => at > restarted).length >= 2),
            10_000,
        );
        expect(await views()).toEqual(t.sentinels.map(() => ({ port: promoted, sentinels: 2, replicas: 2 })));
        expect((await role(first))[0]).toBe("slave");

        // And they still vote: kill the promoted primary, and one of the other two takes over.
        await t.servers.find((x) => x.port === promoted)!.kill();
        const next = (
            await until(
                "a second failover",
                views,
                (v) => v.every((s) => s.port !== promoted && s.port === v[0].port),
                // The failover bound, and a hello for the last Sentinel to hear of it.
                failoverBoundMs(t.timing) + 4_000,
            )
        )[0].port;
        expect(t.servers.map((x) => x.port).filter((p) => p !== promoted)).toContain(next);
    }, 150_000);
});

// The attack that moved every Sentinel (issue #25): a forged hello, with a newer config epoch and a
// server of the forger's as the primary, published on __sentinel__:hello of a monitored server.
describe("a forged Sentinel hello", () => {
    let t: LocalSentinelTopology;
    let decoy: LocalRedis;
    beforeAll(async () => {
        t = await startLocalSentinelTopology({ replicas: 2, sentinels: 3, downAfterMilliseconds: 5_000 });
        decoy = await startLocalRedis();
    }, 60_000);
    afterAll(async () => {
        await t?.stop();
        await decoy?.stop();
    }, 60_000);

    const as = (port: number, username: string, password: string) => {
        const client = new Redis({ port, host: "127.0.0.1", username, password, maxRetriesPerRequest: 0, retryStrategy: () => null });
        client.on("error", () => {});
        return client;
    };
    const named = () =>
        Promise.all(
            t.sentinels.map(async ({ port }) => {
                const s = as(port, "admin", t.adminOptions.password as string);
                try {
                    return Number(((await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)) as string[])[1]);
                } finally {
                    s.disconnect();
                }
            }),
        );

    /** A real hello, as the Sentinels publish it on the primary, rewritten to name `port` as the primary under newer epochs. */
    async function forgedHello(port: number): Promise<string> {
        const listener = as(t.servers[0].port, "admin", t.adminOptions.password as string);
        try {
            const heard = new Promise<string>((resolve) => listener.on("message", (_channel: string, message: string) => resolve(message)));
            await listener.subscribe("__sentinel__:hello");
            const [, , , epoch, master, , , configEpoch] = (await heard).split(",");
            const runId = "f".repeat(40);
            return ["127.0.0.1", "26999", runId, Number(epoch) + 10, master, "127.0.0.1", port, Number(configEpoch) + 10].join(",");
        } finally {
            listener.disconnect();
        }
    }

    it("cannot be published, nor the channel read, by the app user on any server", async () => {
        const hello = await forgedHello(decoy.port);
        for (const server of t.servers) {
            const app = as(server.port, "app", t.appOptions.password as string);
            try {
                await expect(app.publish("__sentinel__:hello", hello), `PUBLISH on ${server.port}`).rejects.toThrow(/NOPERM/);
                await expect(app.subscribe("__sentinel__:hello"), `SUBSCRIBE on ${server.port}`).rejects.toThrow(/NOPERM/);
            } finally {
                app.disconnect();
            }
        }
        expect(await named()).toEqual(t.sentinels.map(() => t.servers[0].port));
    });

    it("moves every Sentinel when a user that may publish there sends it: the attack is real, and only the hello channel carries it", async () => {
        // Only the sentinel user holds the channel; published as it, the same forged hello takes over.
        const sentinel = as(t.servers[1].port, "sentinel", t.servers[0].passwords.sentinel![0]);
        try {
            await sentinel.publish("__sentinel__:hello", await forgedHello(decoy.port));
        } finally {
            sentinel.disconnect();
        }
        // The hello is processed on arrival; every Sentinel hears it from the server it watches.
        await until("every Sentinel to name the forger's server", named, (ports) => ports.every((p) => p === decoy.port), 10_000);
    });
});
