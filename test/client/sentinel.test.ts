import type { ConnectionOptions } from "node:tls";
import Redis, { type RedisOptions } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
    closeSharedClients,
    connect,
    dedicatedConnection,
    parseSentinelUrl,
    RedisSentinelError,
    RedisTlsError,
    type ConnectOptions,
} from "../../client";
import { redisSentinelConnectionString } from "../../platforms/common/credentials";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";
import { startLocalSentinelTopology, type LocalSentinelTopology } from "../../harness/local/localSentinel";
import { failoverTimes, watchSwitch } from "../../harness/client/sentinelSwitch";
import { failoverBoundMs } from "../../harness/client/failover";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A password with every character the components' URL-encoding has to carry. */
const PASSWORD = "s3cr3t:/?#[]@!$&'()*+,;=% ~pass";
const ENCODED = encodeURIComponent(PASSWORD);

/** The error a function throws (or undefined), for checking its message. */
function thrown(f: () => unknown): Error | undefined {
    try {
        f();
    } catch (e) {
        return e as Error;
    }
    return undefined;
}

/** How a promise failed, or undefined. */
const failure = (p: Promise<unknown>) =>
    p.then(
        () => undefined,
        (e: unknown) => e as Error,
    );

describe("parseSentinelUrl", () => {
    it("reads the string the components output, decoding the password", () => {
        const url = redisSentinelConnectionString(
            [
                { host: "redis-sentinel-0.redis", port: 26379 },
                { host: "10.0.0.7", port: 26380 },
            ],
            "hardened",
            "app",
            PASSWORD,
        );
        expect(parseSentinelUrl(url)).toEqual({
            tls: false,
            username: "app",
            password: PASSWORD,
            sentinels: [
                { host: "redis-sentinel-0.redis", port: 26379 },
                { host: "10.0.0.7", port: 26380 },
            ],
            masterName: "hardened",
            db: 0,
        });
        expect(parseSentinelUrl(redisSentinelConnectionString([{ host: "s", port: 1 }], "m", "app", "pw", true)).tls).toBe(true);
    });

    it("takes default ports, IPv6 addresses, a db, a trailing slash and no credentials", () => {
        expect(parseSentinelUrl("REDISS+SENTINEL://app:pw@[::1]:26380,[fd00::2],sentinel/my-primary/5/")).toEqual({
            tls: true,
            username: "app",
            password: "pw",
            sentinels: [
                { host: "::1", port: 26380 },
                { host: "fd00::2", port: 26379 },
                { host: "sentinel", port: 26379 },
            ],
            masterName: "my-primary",
            db: 5,
        });
        expect(parseSentinelUrl("redis+sentinel://s:1/m")).toEqual({
            tls: false,
            sentinels: [{ host: "s", port: 1 }],
            masterName: "m",
            db: 0,
        });
        // A password that was not URL-encoded still ends at the last "@".
        expect(parseSentinelUrl("redis+sentinel://app:a/b@c@s:1/m/0")).toMatchObject({
            password: "a/b@c",
            sentinels: [{ host: "s", port: 1 }],
        });
    });

    it.each([
        ["a standalone scheme", `redis://app:${ENCODED}@s:1/0`, /the scheme is "redis:\/\/"/],
        ["a misspelt scheme", `redis-sentinel://app:${ENCODED}@s:1/m/0`, /the scheme is "redis-sentinel:\/\/"/],
        ["no scheme", `app:${ENCODED}@s:1/m/0`, /does not start with a scheme/],
        ["no Sentinel host", `redis+sentinel://app:${ENCODED}@/m/0`, /names no Sentinel host/],
        ["an empty host entry", `redis+sentinel://app:${ENCODED}@s:1,,t:2/m/0`, /empty entry/],
        ["port 0", `redis+sentinel://app:${ENCODED}@s:0/m/0`, /port of Sentinel s is "0"/],
        ["port 65536", `redis+sentinel://app:${ENCODED}@s:1,t:65536/m/0`, /port of Sentinel t is "65536"/],
        ["a port that is not a number", `redis+sentinel://app:${ENCODED}@s:26379x/m/0`, /port of Sentinel s is "26379x"/],
        ["an empty port", `redis+sentinel://app:${ENCODED}@s:/m/0`, /port of Sentinel s is ""/],
        ["a host that is not one", `redis+sentinel://app:${ENCODED}@s t:1/m/0`, /"s t:1" is not a Sentinel host/],
        ["no path", `redis+sentinel://app:${ENCODED}@s:1`, /names no master/],
        ["an empty master name", `redis+sentinel://app:${ENCODED}@s:1//0`, /names no master/],
        ["a db that is a word", `redis+sentinel://app:${ENCODED}@s:1/m/zero`, /the db is "zero", not a non-negative integer/],
        ["a negative db", `redis+sentinel://app:${ENCODED}@s:1/m/-1`, /the db is "-1"/],
        ["a fractional db", `redis+sentinel://app:${ENCODED}@s:1/m/1.5`, /the db is "1.5"/],
        ["more path", `redis+sentinel://app:${ENCODED}@s:1/m/0/x`, /more than \/<masterName>\/<db>/],
        ["a query", `redis+sentinel://app:${ENCODED}@s:1/m/0?tls=true`, /query or fragment/],
        ["a password that is not URL-encoded", "redis+sentinel://app:100%pure@s:1/m/0", /password is not URL-encoded correctly/],
    ])("refuses %s, naming the fault and never the password", (_, url, problem) => {
        const error = thrown(() => parseSentinelUrl(url));
        expect(error?.message).toMatch(problem);
        expect(error?.message).toMatch(/^connect: invalid Sentinel connection string: .*\(expected redis\+sentinel:\/\/<user>:<password>@/);
        for (const secret of [PASSWORD, ENCODED, "100%pure"]) expect(error?.message).not.toContain(secret);
    });
});

describe("connect() given a Sentinel connection string, before connecting", () => {
    const url = redisSentinelConnectionString(
        [
            { host: "127.0.0.1", port: 26379 },
            { host: "localhost", port: 26380 },
        ],
        "hardened",
        "app",
        PASSWORD,
    );
    const ca = "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n";

    it("builds ioredis's Sentinel options: the same credential for the Sentinels and the servers", () => {
        const client = connect(url, { shared: false, lazyConnect: true });
        expect(client.options).toMatchObject({
            sentinels: [
                { host: "127.0.0.1", port: 26379 },
                { host: "localhost", port: 26380 },
            ],
            name: "hardened",
            username: "app",
            password: PASSWORD,
            sentinelUsername: "app",
            sentinelPassword: PASSWORD,
            db: 0,
            sentinelCommandTimeout: 2_000,
        });
        expect(client.options.enableTLSForSentinelMode).toBeFalsy();
        expect(client.options.tls).toBeUndefined();
        expect(client.options.sentinelTLS).toBeUndefined();
        // A dedicated connection asks the same Sentinels for the same primary.
        const dedicated = dedicatedConnection(client);
        expect(dedicated.options).toMatchObject({ sentinels: client.options.sentinels, name: "hardened", username: "app", db: 0 });
        expect(dedicated.options.commandTimeout).toBeUndefined();
        client.disconnect();
        dedicated.disconnect();
    });

    it("with rediss+sentinel://, speaks TLS to the Sentinels and to the servers, both trusting the CA", () => {
        const client = connect(url.replace(/^redis\+/, "rediss+"), { shared: false, lazyConnect: true, caCertificate: ca });
        expect(client.options.enableTLSForSentinelMode).toBe(true);
        for (const tls of [client.options.tls, client.options.sentinelTLS] as Array<ConnectionOptions | undefined>) {
            expect(tls?.ca).toEqual([ca]);
            // Node's defaults stand: the chain and the name are verified.
            expect(tls?.rejectUnauthorized).toBeUndefined();
            expect(tls?.checkServerIdentity).toBeUndefined();
        }
        client.disconnect();
    });

    it("refuses what cannot work or would weaken verification, never echoing the password", () => {
        const cases: [string, Parameters<typeof connect>[1], RegExp][] = [
            [url.replace("redis+sentinel", "redis-sentinel"), {}, /unsupported scheme "redis-sentinel:\/\/"/],
            [url.replace("/hardened/0", ""), {}, /names no master/],
            [url, { caCertificate: ca }, /caCertificate and caFile are for TLS \(rediss\+sentinel:\/\/\) URLs/],
            [
                url.replace(/^redis\+/, "rediss+"),
                { caCertificate: ca, sentinelTLS: { rejectUnauthorized: false } },
                /sentinelTLS.rejectUnauthorized: false/,
            ],
            [url.replace(/^redis\+/, "rediss+"), { sentinelTLS: "RedisCloudFixed" } as ConnectOptions, /sentinelTLS names the TLS profile/],
        ];
        for (const [target, options, problem] of cases) {
            const error = thrown(() => connect(target, options));
            expect(error?.message).toMatch(problem);
            expect(error?.message).not.toContain(ENCODED);
            expect(error?.message).not.toContain(PASSWORD);
        }
    });
});

/** The process id of the Redis or Sentinel at `options` (the admin user may run INFO on both). */
async function processId(options: RedisOptions | string): Promise<number> {
    const admin = new Redis(options as RedisOptions & { replyMapping?: "legacy" });
    try {
        return Number(/process_id:(\d+)/.exec(await admin.info("server"))?.[1]);
    } finally {
        admin.disconnect();
    }
}

/** ioredis options for the app user on one of the topology's Sentinels. */
function appOnSentinel(t: LocalSentinelTopology, sentinel: number): RedisOptions {
    return { host: "127.0.0.1", port: t.sentinels[sentinel].port, username: "app", password: t.appOptions.password };
}

/** The port of the replica the Sentinels promoted, once one of them names it (they learn of it one after another). */
async function promotedPort(t: LocalSentinelTopology): Promise<number> {
    const sentinels = t.sentinels.map(
        (_, i) => new Redis({ ...appOnSentinel(t, i), enableReadyCheck: false } as RedisOptions & { replyMapping?: "legacy" }),
    );
    try {
        for (let waited = 0; waited < 5_000; waited += 100) {
            for (const s of sentinels) {
                const port = Number(((await s.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", t.masterName)) as string[])[1]);
                if (port !== t.servers[0].port) return port;
            }
            await sleep(100);
        }
        throw new Error("no Sentinel names a new primary");
    } finally {
        sentinels.forEach((s) => s.disconnect());
    }
}

/** Writes with `client` until one succeeds; resolves to when it did (the application only retries its own write). */
async function firstWrite(client: Redis, key: string, deadline: number): Promise<number> {
    while (Date.now() < deadline) {
        try {
            await client.set(key, "after", "EX", 60);
            return Date.now();
        } catch {
            await sleep(50);
        }
    }
    throw new Error("no write succeeded before the deadline");
}

describe("connect() through the Sentinels of a local topology", () => {
    let t: LocalSentinelTopology;
    beforeAll(async () => {
        // No failover is wanted here: down-after at 5 s, so a stall of a second on a loaded machine starts none.
        t = await startLocalSentinelTopology({ downAfterMilliseconds: 5_000 });
    });
    afterAll(async () => {
        await closeSharedClients();
        await t?.stop();
    });

    it("reaches the primary as the app user, and SET/GET work", async () => {
        const client = connect(t.connectionString);
        expect(connect(t.connectionString)).toBe(client);
        expect(await client.call("ACL", "WHOAMI")).toBe("app");
        expect(await client.set("sentinel:hello", "world", "EX", 60)).toBe("OK");
        expect(await client.get("sentinel:hello")).toBe("world");
        expect(client.stream.remotePort).toBe(t.servers[0].port);
    });

    it("gives dedicated connections the same primary, without the command timeout", async () => {
        const dedicated = dedicatedConnection(connect(t.connectionString));
        try {
            const popped = dedicated.blpop("sentinel:queue", 0);
            await sleep(100);
            await connect(t.connectionString).rpush("sentinel:queue", "job");
            expect(await popped).toEqual(["sentinel:queue", "job"]);
            expect(dedicated.stream.remotePort).toBe(t.servers[0].port);
        } finally {
            dedicated.disconnect();
        }
    });

    it("fails at once, and for good, when no Sentinel knows the master name", async () => {
        const client = connect(t.connectionString.replace("/hardened/0", "/hardend/0"), { shared: false });
        client.on("error", () => {});
        const started = performance.now();
        const error = await failure(client.ping());
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(error).toBeInstanceOf(RedisSentinelError);
        expect((error as RedisSentinelError).reason).toBe("unknown-master");
        expect(error?.message).toMatch(/^No Sentinel knows a primary named "hardend" \(asked 127\.0\.0\.1:\d+, .*No such master/);
        expect(error?.message).not.toContain(t.appOptions.password as string);
        for (let waited = 0; client.status !== "end" && waited < 1_000; waited += 20) await sleep(20);
        expect(client.status).toBe("end");
        // A dedicated connection is a diagnosing Sentinel client too, reading its own Sentinels' answers.
        const dedicated = dedicatedConnection(
            connect(t.connectionString.replace("/hardened/0", "/hardend/0"), { shared: false, lazyConnect: true }),
        );
        dedicated.on("error", () => {});
        expect(await failure(dedicated.ping())).toBeInstanceOf(RedisSentinelError);
        dedicated.disconnect();
    });

    it("says what each Sentinel answered when none will name the primary, and keeps asking", async () => {
        const wrong = t.connectionString.replace(/:[^:@]+@/, ":wrong-password-0123456789@");
        const client = connect(wrong);
        client.on("error", () => {});
        // Rejected by the shared client's 5 s command timeout, with the reason instead of "Command timed out".
        const error = await failure(client.ping());
        expect(error).toBeInstanceOf(RedisSentinelError);
        expect((error as RedisSentinelError).reason).toBe("no-sentinel-answered");
        expect(error?.message).toMatch(/^No Sentinel said where the primary "hardened" is \(127\.0\.0\.1:\d+: WRONGPASS/);
        expect(error?.message).not.toContain("wrong-password-0123456789");
        expect(client.status).not.toBe("end");
        client.disconnect();
    });

    it("asks the next Sentinel when one accepts the connection and never answers", async () => {
        const pid = await processId({ host: "127.0.0.1", port: t.sentinels[0].port, username: "admin", password: t.adminOptions.password });
        process.kill(pid, "SIGSTOP");
        try {
            const client = connect(t.connectionString, { shared: false });
            client.on("error", () => {});
            try {
                // The frozen Sentinel is asked first: sentinelCommandTimeout (2 s) moves on to the next.
                expect(await client.set("sentinel:frozen", "1", "EX", 60)).toBe("OK");
            } finally {
                client.disconnect();
            }
        } finally {
            process.kill(pid, "SIGCONT");
        }
    }, 20_000);
});

describe("a Sentinel client during a failover", () => {
    /** A topology of its own for each test: each fails one over. */
    let started: LocalSentinelTopology | undefined;
    const start = async () => (started = await startLocalSentinelTopology({ replicas: 2, sentinels: 3, downAfterMilliseconds: 1_000 }));
    afterEach(async () => {
        await closeSharedClients();
        await started?.stop();
        started = undefined;
    });

    it("follows a killed primary to the promoted replica by itself within the failover bound", async () => {
        const t = await start();
        const client = connect(t.connectionString);
        client.on("error", () => {});
        await client.set("failover:before", "1", "EX", 60);
        const switches = await watchSwitch(t.sentinels.map((_, i) => appOnSentinel(t, i)));
        const killedAt = Date.now();
        await t.servers[0].kill();
        const wroteAt = await firstWrite(client, "failover:after", killedAt + failoverBoundMs(t.timing));
        const times = failoverTimes(killedAt, switches.at(), wroteAt);
        switches.close();
        console.log(`sentinel.test, primary killed: ${times}`);
        expect(wroteAt - killedAt, times).toBeLessThan(failoverBoundMs(t.timing));
        // The same client object, now on the replica the Sentinels promoted, still as the app user.
        expect(connect(t.connectionString)).toBe(client);
        const promoted = await promotedPort(t);
        expect(t.servers.slice(1).map((s) => s.port)).toContain(promoted);
        expect(client.stream.remotePort).toBe(promoted);
        expect(await client.call("ACL", "WHOAMI")).toBe("app");
        expect(await client.get("failover:before")).toBe("1");
    }, 60_000);

    it("leaves a primary that froze (its sockets open, nothing answering) within the failover bound", async () => {
        const t = await start();
        const client = connect(t.connectionString);
        client.on("error", () => {});
        await client.set("freeze:before", "1", "EX", 60);
        const pid = await processId(t.servers[0].adminConnectionString);
        const switches = await watchSwitch(t.sentinels.map((_, i) => appOnSentinel(t, i)));
        const frozenAt = Date.now();
        process.kill(pid, "SIGSTOP");
        try {
            // The socket to the frozen primary stays up: only the Sentinels' announcement moves the client.
            const wroteAt = await firstWrite(client, "freeze:after", frozenAt + failoverBoundMs(t.timing));
            const times = failoverTimes(frozenAt, switches.at(), wroteAt);
            switches.close();
            console.log(`sentinel.test, primary frozen: ${times}`);
            expect(wroteAt - frozenAt, times).toBeLessThan(failoverBoundMs(t.timing));
            expect(client.stream.remotePort).toBe(await promotedPort(t));
        } finally {
            process.kill(pid, "SIGCONT");
        }
    }, 60_000);
});

// No TLS Sentinel topology in the harness yet: a TLS-only redis-server stands in for the Sentinel,
// which is enough for the leg to the Sentinels (TLS, its CA and its name) and its diagnoses.
describe("rediss+sentinel:// to a Sentinel that speaks TLS only", () => {
    let server: LocalRedis;
    beforeAll(async () => {
        server = await startLocalRedis({ tls: true });
    });
    afterAll(async () => {
        await server?.stop();
    });

    const url = (scheme: string) =>
        redisSentinelConnectionString([{ host: "127.0.0.1", port: server.port }], "hardened", "app", PASSWORD).replace(/^redis/, scheme);

    it("without the CA: a RedisTlsError naming the Sentinel and caCertificate, promptly, and the client stops", async () => {
        const client = connect(url("rediss"), { shared: false });
        client.on("error", () => {});
        const started = performance.now();
        const error = await failure(client.ping());
        expect(performance.now() - started).toBeLessThan(3_000);
        expect(error).toBeInstanceOf(RedisTlsError);
        expect((error as RedisTlsError).reason).toBe("certificate");
        expect(error?.message).toMatch(
            new RegExp(
                `^Sentinel at 127\\.0\\.0\\.1:${server.port}: the server's certificate could not be verified .*This client trusts only Node's default CAs: .*caCertificate`,
            ),
        );
        expect(error?.message).not.toContain(ENCODED);
        for (let waited = 0; client.status !== "end" && waited < 1_000; waited += 20) await sleep(20);
        expect(client.status).toBe("end");
    });

    it("with the CA: the Sentinel's certificate and name verify, and the credential reaches it over TLS", async () => {
        const client = connect(url("rediss"), { shared: false, caCertificate: server.tls?.caCertificate, retryStrategy: () => null });
        client.on("error", () => {});
        const error = await failure(client.ping());
        // The stand-in has its own passwords: its WRONGPASS is an answer over a verified TLS connection.
        expect(error).toBeInstanceOf(RedisSentinelError);
        expect(error?.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${server.port}: WRONGPASS`));
    });

    it("with redis+sentinel://: a RedisTlsError saying the Sentinel wants TLS, and the client stops", async () => {
        const client = connect(url("redis"), { shared: false });
        client.on("error", () => {});
        const error = await failure(client.ping());
        expect(error).toBeInstanceOf(RedisTlsError);
        expect((error as RedisTlsError).reason).toBe("server-requires-tls");
        expect(error?.message).toMatch(
            /^Sentinel at 127\.0\.0\.1:\d+ accepts TLS connections only .*use its rediss\+sentinel:\/\/ connection string/,
        );
        for (let waited = 0; client.status !== "end" && waited < 1_000; waited += 20) await sleep(20);
        expect(client.status).toBe("end");
    });
});
