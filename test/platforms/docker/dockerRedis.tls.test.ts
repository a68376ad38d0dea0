import { X509Certificate, createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { certificateAuthority, issueCertificates } from "../../../harness/local/certificates";
import {
    deploymentErrors,
    installMocks,
    isSecretValue,
    plainStrings,
    resourcesOf,
    single,
    unwrapSecrets,
    valueOf,
    type RegisteredResource,
} from "../../../harness/mocks/pulumiMocks";

// Mocks first: the component module must load against the mocked runtime.
let api: typeof import("../../../index");
beforeAll(async () => {
    await installMocks();
    api = await import("../../../index");
});

const CONTAINER = "docker:index/container:Container";
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

interface Deployed {
    redis: InstanceType<typeof api.DockerRedis>;
    resources: RegisteredResource[];
    container: Record<string, unknown>;
    writer: Record<string, unknown>;
    uploads: Map<string, { content: string; permissions: string }>;
}

async function deploy(name: string, args: import("../../../index").DockerRedisArgs): Promise<Deployed> {
    const redis = new api.DockerRedis(name, args);
    await Promise.all([valueOf(redis.connectionString), valueOf(redis.caCertificate), valueOf(redis.containerName)]);
    const resources = resourcesOf(name);
    const container = single(
        resources.filter((r) => r.name === name),
        CONTAINER,
    ).inputs;
    const writer = single(
        resources.filter((r) => r.name === `${name}-config`),
        CONTAINER,
    ).inputs;
    const uploads = new Map(
        (unwrapSecrets(writer.uploads) as Array<{ file: string; content: string; permissions: string }>).map((u) => [
            u.file.split("/").pop() ?? "",
            u,
        ]),
    );
    return { redis, resources, container, writer, uploads };
}

describe("DockerRedis with tls: { enabled: true }", () => {
    let d: Deployed;
    beforeAll(async () => {
        d = await deploy("secure", { tls: { enabled: true } });
    });

    it("generates a CA and a server certificate with @pulumi/tls, as children of the component", () => {
        const types = d.resources.map((r) => r.type).filter((t) => t.startsWith("tls:"));
        expect(types.sort()).toEqual(
            [
                "tls:index/certRequest:CertRequest",
                "tls:index/locallySignedCert:LocallySignedCert",
                "tls:index/privateKey:PrivateKey",
                "tls:index/privateKey:PrivateKey",
                "tls:index/selfSignedCert:SelfSignedCert",
            ].sort(),
        );
        for (const key of d.resources.filter((r) => r.type === "tls:index/privateKey:PrivateKey")) {
            expect(key.inputs).toMatchObject({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        }
        const ca = single(d.resources, "tls:index/selfSignedCert:SelfSignedCert").inputs;
        expect(ca).toMatchObject({ isCaCertificate: true, allowedUses: ["cert_signing", "crl_signing"] });
        const server = single(d.resources, "tls:index/locallySignedCert:LocallySignedCert").inputs;
        // A year, renewed at the first `pulumi up` in its last 30 days.
        expect(server).toMatchObject({ validityPeriodHours: 8760, earlyRenewalHours: 720 });
        expect(server.allowedUses).toEqual(["digital_signature", "key_encipherment", "server_auth", "client_auth"]);
        expect(single(d.resources, "tls:index/certRequest:CertRequest").inputs.dnsNames).toEqual(["secure"]);
    });

    it("serves a certificate naming the network alias, signed by the exported CA", async () => {
        const caCertificate = (await valueOf(d.redis.caCertificate)) ?? "";
        const served = new X509Certificate(d.uploads.get("tls.crt")?.content ?? "");
        expect(served.subjectAltName).toBe("DNS:secure");
        expect(served.checkHost("secure")).toBe("secure");
        expect(served.checkIssued(new X509Certificate(caCertificate))).toBe(true);
        expect(served.verify(new X509Certificate(caCertificate).publicKey)).toBe(true);
        expect(d.uploads.get("ca.crt")?.content).toBe(caCertificate);
    });

    it("renders a TLS-only config: no plaintext port, TLS 1.2/1.3, the uploaded files", () => {
        const conf = d.uploads.get("redis.conf")?.content ?? "";
        expect(conf).toMatch(/^port 0$/m);
        expect(conf).toMatch(/^tls-port 6379$/m);
        expect(conf).toMatch(/^tls-cert-file \/usr\/local\/etc\/redis\/tls\.crt$/m);
        expect(conf).toMatch(/^tls-key-file \/usr\/local\/etc\/redis\/tls\.key$/m);
        expect(conf).toMatch(/^tls-ca-cert-file \/usr\/local\/etc\/redis\/ca\.crt$/m);
        expect(conf).toMatch(/^tls-auth-clients optional$/m);
        expect(conf).toMatch(/^tls-protocols "TLSv1\.2 TLSv1\.3"$/m);
        expect(conf).toMatch(/^tls-replication yes$/m);
        expect([...d.uploads.keys()].sort()).toEqual(["ca.crt", "redis.conf", "tls.crt", "tls.key"]);
    });

    it("keeps the private key in secret inputs and outputs only", async () => {
        const key = d.uploads.get("tls.key")?.content ?? "";
        expect(key).toMatch(/-----BEGIN (EC )?PRIVATE KEY-----/);
        expect(isSecretValue(d.writer.uploads)).toBe(true);
        for (const r of d.resources) {
            expect(plainStrings(r.inputs).some(({ text }) => text.includes(key.trim().split("\n")[1]))).toBe(false);
        }
        expect(await pulumi.isSecret(d.redis.caCertificate)).toBe(false);
        expect(await pulumi.isSecret(d.redis.connectionString)).toBe(true);
    });

    it("checks health over TLS, trusting the CA, still without the password", () => {
        const healthcheck = d.container.healthcheck as { tests: string[] };
        expect(healthcheck.tests[1]).toBe(
            "redis-cli --tls --cacert /usr/local/etc/redis/ca.crt -p 6379 ping 2>&1 | grep -Eq '^(PONG|NOAUTH)'",
        );
    });

    it("exports rediss:// connection strings for every user", async () => {
        for (const url of [await valueOf(d.redis.connectionString), await valueOf(d.redis.adminConnectionString)]) {
            expect(new URL(url).protocol).toBe("rediss:");
            expect(new URL(url).host).toBe("secure:6379");
        }
        expect(await valueOf(d.redis.clientCertificate)).toBeUndefined();
    });
});

describe("DockerRedis with mutual TLS", () => {
    it("requires client certificates, exports one the CA signed, and presents the server's own in the health check", async () => {
        const d = await deploy("mutual", { tls: { enabled: true, requireClientCertificates: true, certificateValidityDays: 30 } });
        expect(d.uploads.get("redis.conf")?.content).toMatch(/^tls-auth-clients yes$/m);
        const client = new X509Certificate((await valueOf(d.redis.clientCertificate)) ?? "");
        expect(client.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
        expect(client.checkIssued(new X509Certificate((await valueOf(d.redis.caCertificate)) ?? ""))).toBe(true);
        expect(await pulumi.isSecret(d.redis.clientPrivateKey)).toBe(true);
        expect((d.container.healthcheck as { tests: string[] }).tests[1]).toContain(
            "--tls --cacert /usr/local/etc/redis/ca.crt --cert /usr/local/etc/redis/tls.crt --key /usr/local/etc/redis/tls.key",
        );
        // 30 days: renewed within its last 10.
        const server = d.resources.find((r) => r.name === "mutual-server" && r.type === "tls:index/locallySignedCert:LocallySignedCert");
        expect(server?.inputs).toMatchObject({ validityPeriodHours: 720, earlyRenewalHours: 240 });
    });
});

describe("DockerRedis with certificates of your own", () => {
    it("serves the given certificate and exports the given CA, generating none", async () => {
        const own = issueCertificates({ dnsNames: ["own"] });
        const d = await deploy("own", {
            tls: {
                enabled: true,
                caCertificate: own.caCertificate,
                certificate: own.certificate,
                privateKey: pulumi.secret(own.privateKey),
            },
        });
        expect(d.resources.filter((r) => r.type.startsWith("tls:"))).toEqual([]);
        expect(d.uploads.get("tls.crt")?.content).toBe(own.certificate);
        expect(sha(d.uploads.get("tls.key")?.content ?? "")).toBe(sha(own.privateKey));
        expect(await valueOf(d.redis.caCertificate)).toBe(own.caCertificate);
    });

    const ca = certificateAuthority();
    const good = issueCertificates({ dnsNames: ["bring"] }, { ca });
    const bad: Array<[string, () => { caCertificate: string; certificate: string; privateKey: string }, RegExp]> = [
        [
            "a certificate for other names",
            () => issueCertificates({ dnsNames: ["elsewhere"] }, { ca }),
            /"tls.certificate": got a certificate for "CN=elsewhere" \(SANs: DNS:elsewhere\), missing bring; allowed: a certificate whose subject alternative names cover every name clients and replicas use: bring/,
        ],
        [
            "an expired certificate",
            () => issueCertificates({ dnsNames: ["bring"] }, { ca, validity: { hours: 24, notBefore: new Date("2020-01-01T00:00:00Z") } }),
            /"tls.certificate": got a certificate for "CN=bring" \(SANs: DNS:bring\) valid from Jan {2}1 00:00:00 2020 GMT to Jan {2}2 00:00:00 2020 GMT; allowed: certificates valid now/,
        ],
        [
            "a certificate not valid yet",
            () => issueCertificates({ dnsNames: ["bring"] }, { ca, validity: { hours: 24, notBefore: new Date(Date.now() + 86_400_000) } }),
            /"tls.certificate": got .* valid from .*; allowed: certificates valid now/,
        ],
        [
            "a key that is not the certificate's",
            () => ({ ...good, privateKey: issueCertificates({ dnsNames: ["bring"] }, { ca }).privateKey }),
            /"tls.privateKey": got another key \(not shown: secret\); allowed: the private key of tls.certificate/,
        ],
        [
            "a certificate another CA signed",
            () => ({ ...issueCertificates({ dnsNames: ["bring"] }), caCertificate: ca.certificate }),
            /"tls.certificate": got a certificate for "CN=bring" .* issued by "CN=hardened-redis test CA"; allowed: a certificate signed by tls.caCertificate/,
        ],
        [
            "something that is not a certificate",
            () => ({ ...good, certificate: "not a pem" }),
            /"tls.certificate": got text that holds no readable certificate; allowed: PEM certificates/,
        ],
    ];

    for (const [label, material, error] of bad) {
        it(`refuses ${label} at construction, when the values are known`, () => {
            const { caCertificate, certificate, privateKey } = material();
            const given = { caCertificate, certificate, privateKey };
            let thrown: Error | undefined;
            try {
                new api.DockerRedis(`bring-${label.length}`, { alias: "bring", tls: { enabled: true, ...given } });
            } catch (e) {
                thrown = e as Error;
            }
            expect(thrown?.name).toBe("RedisConfigError");
            expect(thrown?.message).toMatch(error);
            expect(thrown?.message.includes(given.privateKey.split("\n")[1])).toBe(false);
        });
    }

    it("refuses a bad certificate at deployment when it is unknown at construction", async () => {
        const elsewhere = issueCertificates({ dnsNames: ["elsewhere"] }, { ca });
        const redis = new api.DockerRedis("late", {
            tls: {
                enabled: true,
                caCertificate: pulumi.output(elsewhere.caCertificate),
                certificate: pulumi.output(elsewhere.certificate),
                privateKey: pulumi.secret(elsewhere.privateKey),
            },
        });
        const refusal = /"tls.certificate": got .*missing late; allowed: a certificate whose subject alternative names cover/;
        expect(redis).toBeDefined();
        // The uploads carrying the files fail to resolve, which fails the deployment before Redis starts.
        await vi.waitFor(() => expect(deploymentErrors.map((e) => e.message)).toContainEqual(expect.stringMatching(refusal)));
    });

    it("refuses only some of the three PEMs, and TLS settings without tls.enabled", () => {
        expect(() => new api.DockerRedis("partial", { tls: { enabled: true, certificate: good.certificate } })).toThrow(
            /"tls.caCertificate": got nothing; allowed: a PEM, given together with tls.caCertificate, tls.certificate and tls.privateKey/,
        );
        expect(() => new api.DockerRedis("off", { tls: { requireClientCertificates: true } })).toThrow(
            /"tls.requireClientCertificates": got a value; allowed: nothing unless tls.enabled is true/,
        );
        expect(() => new api.DockerRedis("days", { tls: { enabled: true, certificateValidityDays: 3650 } })).toThrow(
            /"tls.certificateValidityDays": got 3650; allowed: an integer number of days from 7 to 825/,
        );
    });
});
