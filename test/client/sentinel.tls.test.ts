import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import Redis, { type RedisOptions } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedClients, connect, dedicatedConnection, RedisTlsError } from "../../client";
import { redisSentinelConnectionString } from "../../platforms/common/credentials";
import { TLS_FILES } from "../../redis/container";
import { hardenedUsers } from "../../redis/acl/users";
import { renderSentinelConfig } from "../../redis/sentinel/sentinelConfig";
import { issueCertificates, type IssuedCertificates } from "../../harness/local/certificates";
import { freeLoopbackPort, generatedPassword, generatedSecrets, startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";
import { sentinelsAcquainted } from "../../harness/local/localSentinel";
import { failoverTimes, watchSwitch } from "../../harness/client/sentinelSwitch";
import { failoverBoundMs } from "../../harness/client/failover";
import { until } from "../../harness/engine/sentinelDeployment";

const TIMING = { downAfterMilliseconds: 1_000, failoverTimeoutMilliseconds: 5_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface TlsSentinelTopology {
    certificates: IssuedCertificates;
    servers: LocalRedis[];
    /** ioredis options for the app user on each Sentinel, over TLS. */
    appOnSentinels: RedisOptions[];
    connectionString: string;
    stop(): Promise<void>;
}

/**
 * harness/local/localSentinel.ts has no TLS yet: the same topology (a primary, 2 replicas, 3 Sentinels,
 * from the rendered configs) with TLS on every hop and one CA, as the components deploy it. The
 * certificate names 127.0.0.1, the address the Sentinels announce. Belongs in the harness once
 * startLocalSentinelTopology takes a `tls` setting.
 */
async function startTlsSentinelTopology(): Promise<TlsSentinelTopology> {
    const certificates = issueCertificates({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
    const base = generatedSecrets();
    const secrets = { ...base, passwords: { ...base.passwords, sentinel: [generatedPassword()] } };
    const settings = { tls: true, minReplicasToWrite: 1, minReplicasMaxLagSeconds: 10 };
    const servers: LocalRedis[] = [];
    const sentinels: { child: ChildProcess; dir: string }[] = [];
    const stop = async () => {
        for (const s of sentinels) {
            s.child.kill("SIGKILL");
            await rm(s.dir, { recursive: true, force: true });
        }
        for (const s of servers.reverse()) await s.stop();
    };
    try {
        const primary = await startLocalRedis(settings, { secrets, certificates });
        servers.push(primary);
        for (let i = 0; i < 2; i++) {
            const replica = { ...settings, replicaOfHost: "127.0.0.1", replicaOfPort: primary.port };
            servers.push(await startLocalRedis(replica, { secrets, configFile: "replica.conf", certificates }));
        }
        const admin = new Redis(primary.adminConnectionString, { tls: { ca: certificates.caCertificate } });
        try {
            await until(
                "both replicas online over TLS",
                () => admin.info("replication"),
                (info) => info.match(/^slave\d+:.*state=online/gm)?.length === 2,
                20_000,
            );
        } finally {
            admin.disconnect();
        }
        // Every Sentinel's port first: each config lists the whole topology.
        const unique = new Set<number>();
        while (unique.size < 3) unique.add(await freeLoopbackPort());
        const ports = [...unique];
        for (const port of ports) {
            const dir = await mkdtemp(join(tmpdir(), "hardened-sentinel-tls-"));
            const conf = renderSentinelConfig({
                servers: servers.map((server) => ({ host: "127.0.0.1", port: server.port })),
                sentinels: ports.map((p) => ({ host: "127.0.0.1", port: p })),
                masterName: "hardened",
                primaryHost: "127.0.0.1",
                redisPort: primary.port,
                announceHost: "127.0.0.1",
                port,
                quorum: 2,
                ...TIMING,
                users: hardenedUsers(secrets.passwords),
                configCommandName: secrets.configCommandName,
                dataDir: dir,
                configDir: dir,
                tls: true,
            });
            const files = {
                "sentinel.conf": conf.replace("bind * -::*", "bind 127.0.0.1"),
                [TLS_FILES.certificate]: certificates.certificate,
                [TLS_FILES.privateKey]: certificates.privateKey,
                [TLS_FILES.caCertificate]: certificates.caCertificate,
            };
            for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content, { mode: 0o600 });
            const child = spawn("redis-server", [join(dir, "sentinel.conf"), "--sentinel"], { stdio: "ignore" });
            sentinels.push({ child, dir });
        }
        // Up once each answers an unauthenticated PING over TLS (NOAUTH).
        const ping = async (port: number) => {
            const probe = new Redis({
                host: "127.0.0.1",
                port,
                tls: { ca: certificates.caCertificate },
                protocol: 2,
                enableReadyCheck: false,
                maxRetriesPerRequest: 0,
                retryStrategy: () => null,
            } as object);
            probe.on("error", () => {});
            try {
                return await probe.ping().catch((e: Error) => e.message);
            } finally {
                probe.disconnect();
            }
        };
        await until(
            "every Sentinel to answer over TLS",
            () => Promise.all(ports.map(ping)),
            (answers) => answers.every((a) => /NOAUTH|PONG/.test(a)),
            20_000,
        );
        // A primary killed before every Sentinel knows the others and both replicas may find no quorum or no candidate.
        await sentinelsAcquainted(
            ports.map((port) => ({ port })),
            "hardened",
            secrets.passwords.admin[0],
            2,
            { ca: certificates.caCertificate },
        );
        const hosts = ports.map((port) => ({ host: "127.0.0.1", port }));
        return {
            certificates,
            servers,
            appOnSentinels: hosts.map((h) => ({
                ...h,
                username: "app",
                password: secrets.passwords.app[0],
                tls: { ca: certificates.caCertificate },
            })),
            connectionString: redisSentinelConnectionString(hosts, "hardened", "app", secrets.passwords.app[0], true),
            stop,
        };
    } catch (e) {
        await stop();
        throw e;
    }
}

describe("connect() with rediss+sentinel:// (TLS to the Sentinels and the servers, one CA)", () => {
    let t: TlsSentinelTopology;
    beforeAll(async () => {
        t = await startTlsSentinelTopology();
    }, 120_000);
    afterAll(async () => {
        await closeSharedClients();
        await t?.stop();
    });

    it("finds the primary through the Sentinels over TLS and talks to it over verified TLS", async () => {
        const client = connect(t.connectionString, { caCertificate: t.certificates.caCertificate });
        expect(await client.call("ACL", "WHOAMI")).toBe("app");
        const socket = client.stream as TLSSocket;
        expect(socket.encrypted).toBe(true);
        expect(socket.authorized).toBe(true);
        expect(socket.remotePort).toBe(t.servers[0].port);
        const dedicated = dedicatedConnection(client);
        try {
            expect(await dedicated.ping()).toBe("PONG");
            expect((dedicated.stream as TLSSocket).authorized).toBe(true);
        } finally {
            dedicated.disconnect();
        }
    });

    it("names the primary, not a Sentinel, when only the primary's certificate fails, and stops", async () => {
        // The Sentinels verify (sentinelTLS); the primary is checked against a name its certificate lacks.
        const client = connect(t.connectionString, {
            shared: false,
            caCertificate: t.certificates.caCertificate,
            sentinelTLS: {},
            tls: { servername: "elsewhere.invalid" },
        });
        client.on("error", () => {});
        const error = await client.ping().then(
            () => undefined,
            (e: unknown) => e as RedisTlsError,
        );
        expect(error).toBeInstanceOf(RedisTlsError);
        expect(error?.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
        expect(error?.message).toMatch(
            /^The Redis the Sentinels named as primary "hardened": the server's certificate could not be verified .*tls\.servername/,
        );
        for (let waited = 0; client.status !== "end" && waited < 1_000; waited += 20) await sleep(20);
        expect(client.status).toBe("end");
    });

    it("follows a failover over TLS by itself within the failover bound", async () => {
        const client = connect(t.connectionString, { caCertificate: t.certificates.caCertificate });
        client.on("error", () => {});
        await client.set("tls:before", "1", "EX", 60);
        const switches = await watchSwitch(t.appOnSentinels);
        const killedAt = Date.now();
        await t.servers[0].kill();
        let wroteAt = 0;
        while (wroteAt === 0 && Date.now() - killedAt < failoverBoundMs(TIMING)) {
            wroteAt = await client.set("tls:after", "1", "EX", 60).then(
                () => Date.now(),
                () => sleep(50).then(() => 0),
            );
        }
        const times = failoverTimes(killedAt, switches.at(), wroteAt);
        switches.close();
        console.log(`sentinel.tls.test, primary killed: ${times}`);
        expect(wroteAt, times).toBeGreaterThan(0);
        expect(wroteAt - killedAt, times).toBeLessThan(failoverBoundMs(TIMING));
        const socket = client.stream as TLSSocket;
        expect(t.servers.slice(1).map((s) => s.port)).toContain(socket.remotePort);
        expect(socket.authorized).toBe(true);
    }, 60_000);
});
