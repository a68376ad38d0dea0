import { X509Certificate } from "node:crypto";
import Redis, { type RedisOptions } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateAuthority, issueCertificates } from "../../../harness/local/certificates";
import { startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";
import { plaintextReply, sClient } from "../../../harness/client/tlsProbes";

const once: RedisOptions = { maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true };

// Debian's redis-server is built with TLS: the rendered TLS settings boot it and mean what they say.
describe("redis-server started from renderRedisConfig with tls", () => {
    let server: LocalRedis;
    let tlsOptions: RedisOptions;

    beforeAll(async () => {
        server = await startLocalRedis({ tls: true });
        tlsOptions = { ...once, tls: { ca: server.tls?.caCertificate } };
    });

    afterAll(async () => {
        await server?.stop();
    });

    it("hands out rediss:// strings and serves the app user over TLS", async () => {
        expect(server.connectionString.startsWith("rediss://")).toBe(true);
        const app = new Redis(server.connectionString, tlsOptions);
        try {
            await app.set("over-tls", "yes");
            expect(await app.get("over-tls")).toBe("yes");
            expect(await app.acl("WHOAMI")).toBe("app");
        } finally {
            app.disconnect();
        }
    });

    it("negotiates TLS 1.3 with a certificate that verifies against the CA and names the host", () => {
        const { output, status } = sClient("127.0.0.1", server.port, server.tls?.caCertificate ?? "", [
            "-tls1_3",
            "-verify_ip",
            "127.0.0.1",
        ]);
        expect(status).toBe(0);
        expect(output).toMatch(/New, TLSv1\.3, Cipher is TLS_/);
        expect(output).toContain("Verify return code: 0 (ok)");
        const served = new X509Certificate(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(output)?.[0] ?? "");
        expect(served.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1");
        expect(served.checkIssued(new X509Certificate(server.tls?.caCertificate ?? ""))).toBe(true);
    });

    it("accepts TLS 1.2 and refuses TLS 1.1", () => {
        expect(sClient("127.0.0.1", server.port, server.tls?.caCertificate ?? "", ["-tls1_2"]).output).toMatch(
            /New, TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256/,
        );
        // OpenSSL 3 only offers TLS 1.1 at security level 0; the server must refuse it anyway.
        const old = sClient("127.0.0.1", server.port, server.tls?.caCertificate ?? "", ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]);
        expect(old.status).not.toBe(0);
        expect(old.output).toContain("alert protocol version");
        expect(old.output).toContain("Cipher is (NONE)");
    });

    it("has no plaintext listener: a plaintext PING on the port gets no Redis reply", async () => {
        const reply = await plaintextReply("127.0.0.1", server.port);
        expect(reply).not.toMatch(/^[+-]/);
        const admin = new Redis(server.adminConnectionString, tlsOptions);
        try {
            expect(await admin.call(server.configCommandName, "GET", "port")).toEqual(["port", "0"]);
            expect(await admin.call(server.configCommandName, "GET", "tls-replication")).toEqual(["tls-replication", "yes"]);
        } finally {
            admin.disconnect();
        }
    });

    it("refuses a client that trusts another CA", async () => {
        const stranger = new Redis(server.connectionString, { ...once, tls: { ca: certificateAuthority().certificate } });
        stranger.on("error", () => {});
        try {
            await expect(stranger.ping()).rejects.toThrow();
            expect(stranger.status).not.toBe("ready");
        } finally {
            stranger.disconnect();
        }
    });
});

describe("mutual TLS (tlsAuthClients yes)", () => {
    it("refuses a client without a certificate and accepts one the CA signed", async () => {
        const ca = certificateAuthority();
        const certificates = issueCertificates({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] }, { ca });
        const server = await startLocalRedis({ tls: true, tlsAuthClients: "yes" }, { certificates });
        const client = issueCertificates({ dnsNames: ["app"] }, { ca, uses: ["digital_signature", "client_auth"] });
        const anonymous = new Redis(server.connectionString, { ...once, tls: { ca: ca.certificate } });
        anonymous.on("error", () => {});
        const identified = new Redis(server.connectionString, {
            ...once,
            tls: { ca: ca.certificate, cert: client.certificate, key: client.privateKey },
        });
        try {
            await expect(anonymous.ping()).rejects.toThrow();
            expect(await identified.ping()).toBe("PONG");
        } finally {
            anonymous.disconnect();
            identified.disconnect();
            await server.stop();
        }
    });
});

describe("a replica started from replica.conf with tls", () => {
    it("replicates over TLS: the primary has no other listener, and the link is up", async () => {
        const certificates = issueCertificates({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
        const primary = await startLocalRedis({ tls: true, tlsAuthClients: "yes" }, { certificates });
        const secrets = { passwords: primary.passwords, configCommandName: primary.configCommandName };
        const replica = await startLocalRedis(
            { tls: true, tlsAuthClients: "yes", replicaOfHost: "127.0.0.1", replicaOfPort: primary.port },
            { secrets, configFile: "replica.conf", certificates },
        );
        // Mutual TLS on the primary: the replica gets in only by presenting the server certificate.
        const tls = { ca: certificates.caCertificate, cert: certificates.certificate, key: certificates.privateKey };
        const writer = new Redis(primary.adminConnectionString, { ...once, tls });
        const reader = new Redis(replica.adminConnectionString, { ...once, tls });
        try {
            await writer.set("replicated", "over-tls");
            expect(await writer.wait(1, 10_000)).toBe(1);
            expect(await reader.get("replicated")).toBe("over-tls");
            const replication = await reader.info("replication");
            expect(replication).toContain("master_link_status:up");
            expect(await writer.call(primary.configCommandName, "GET", "port")).toEqual(["port", "0"]);
            expect((await writer.client("LIST")) as string).toContain(" user=replication ");
        } finally {
            writer.disconnect();
            reader.disconnect();
            await replica.stop();
            await primary.stop();
        }
    });
});
