import { X509Certificate } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { schemaErrors } from "../../../harness/mocks/kubernetesSchema";
import { restrictedViolations } from "../../../harness/mocks/podSecurity";
import { issueCertificates } from "../../../harness/local/certificates";
import {
    deploymentErrors,
    existingSecrets,
    installMocks,
    isSecretValue,
    resourcesOf,
    single,
    unwrapSecrets,
    valueOf,
    type RegisteredResource,
} from "../../../harness/mocks/pulumiMocks";

type StatefulSet = k8s.types.output.apps.v1.StatefulSet;
type Secret = k8s.types.output.core.v1.Secret;

let api: typeof import("../../../index");
beforeAll(async () => {
    await installMocks();
    api = await import("../../../index");
});

interface Deployed {
    redis: InstanceType<typeof api.KubernetesRedis>;
    resources: RegisteredResource[];
    statefulSet: StatefulSet;
    /** The Secret with the rendered files. */
    config: Secret;
}

async function deploy(name: string, args: import("../../../index").KubernetesRedisArgs): Promise<Deployed> {
    const redis = new api.KubernetesRedis(name, args);
    await Promise.all([valueOf(redis.statefulSetName), valueOf(redis.connectionString), valueOf(redis.caCertificate)]);
    const resources = resourcesOf(name);
    return {
        redis,
        resources,
        statefulSet: unwrapSecrets(single(resources, "kubernetes:apps/v1:StatefulSet").inputs) as StatefulSet,
        config: unwrapSecrets(resources.find((r) => r.name === `${name}-config`)?.inputs) as Secret,
    };
}

const SERVICE_AND_PODS = [
    "tcache.tcache.svc.cluster.local",
    "tcache.tcache.svc",
    "tcache.tcache",
    "tcache",
    "tcache-0.tcache-headless.tcache.svc",
    "tcache-1.tcache-headless.tcache.svc",
    "tcache-0.tcache-headless.tcache.svc.cluster.local",
    "tcache-1.tcache-headless.tcache.svc.cluster.local",
];

describe("KubernetesRedis with tls: { enabled: true } and replicas", () => {
    let d: Deployed;
    let tlsSecret: Secret;
    beforeAll(async () => {
        d = await deploy("tcache", { namespace: "tcache", replicas: 2, tls: { enabled: true } });
        tlsSecret = unwrapSecrets(d.resources.find((r) => r.name === "tcache-tls")?.inputs) as Secret;
    });

    it("issues a certificate naming the Service and every pod, signed by the exported CA", async () => {
        expect(single(d.resources, "tls:index/certRequest:CertRequest").inputs.dnsNames).toEqual(SERVICE_AND_PODS);
        const served = new X509Certificate(tlsSecret.stringData["tls.crt"]);
        for (const host of SERVICE_AND_PODS) expect(served.checkHost(host)).toBe(host);
        const ca = new X509Certificate((await valueOf(d.redis.caCertificate)) ?? "");
        expect(served.checkIssued(ca) && served.verify(ca.publicKey)).toBe(true);
        expect(tlsSecret.stringData["ca.crt"]).toBe(ca.toString());
    });

    it("keeps the certificate in an immutable kubernetes.io/tls Secret, the key secret", () => {
        expect(tlsSecret.type).toBe("kubernetes.io/tls");
        expect(tlsSecret.immutable).toBe(true);
        expect(Object.keys(tlsSecret.stringData).sort()).toEqual(["ca.crt", "tls.crt", "tls.key"]);
        const raw = d.resources.find((r) => r.name === "tcache-tls")?.inputs ?? {};
        expect(isSecretValue(raw.stringData)).toBe(true);
    });

    /** A Secret's name as the provider autonamed it. */
    const stateName = (name: string) => (d.resources.find((r) => r.name === name)?.state.metadata as { name: string }).name;

    it("projects the rendered files and the certificate into the config directory, readable by the Redis group only", () => {
        const pod = d.statefulSet.spec.template.spec;
        const config = pod.volumes.find((v) => v.name === "config");
        expect(config?.secret).toBeUndefined();
        expect(config?.projected.defaultMode).toBe(0o440);
        expect(pod.securityContext.fsGroup).toBe(1000);
        expect(config?.projected.sources).toEqual([
            { secret: { name: stateName("tcache-config") } },
            {
                secret: {
                    name: stateName("tcache-tls"),
                    items: [
                        { key: "tls.crt", path: "tls.crt" },
                        { key: "tls.key", path: "tls.key" },
                        { key: "ca.crt", path: "ca.crt" },
                    ],
                },
            },
        ]);
        expect(restrictedViolations(pod)).toEqual([]);
    });

    it("renders TLS-only configs, with replication over TLS", () => {
        expect(d.config.stringData["redis.conf"]).toMatch(/^port 0$/m);
        expect(d.config.stringData["redis.conf"]).toMatch(/^tls-port 6379$/m);
        expect(d.config.stringData["redis.conf"]).toMatch(/^tls-replication yes$/m);
        expect(d.config.stringData["replica.conf"]).toMatch(/^include \/usr\/local\/etc\/redis\/redis\.conf$/m);
        expect(d.config.stringData["replica.conf"]).toMatch(/^replicaof tcache-0\.tcache-headless\.tcache\.svc 6379$/m);
    });

    it("probes over TLS, still without the password in argv or env", () => {
        const container = d.statefulSet.spec.template.spec.containers[0];
        const tls = "redis-cli --tls --cacert /usr/local/etc/redis/ca.crt -p 6379";
        expect(container.livenessProbe.exec.command[2]).toBe(`${tls} ping 2>&1 | grep -Eq '^(PONG|NOAUTH|LOADING)'`);
        expect(container.readinessProbe.exec.command[2]).toBe(
            `${tls} --user app --askpass ping < /usr/local/etc/redis/password 2>&1 | grep -Eq '^(PONG)'`,
        );
        expect(container.env).toBeUndefined();
    });

    it("exports rediss:// strings for the Service and the CA in plain text", async () => {
        expect(new URL(await valueOf(d.redis.connectionString)).protocol).toBe("rediss:");
        expect(new URL(await valueOf(d.redis.adminConnectionString)).host).toBe("tcache.tcache.svc.cluster.local:6379");
        expect(await pulumi.isSecret(d.redis.caCertificate)).toBe(false);
    });

    it("declares only objects valid against the Kubernetes API schema", () => {
        for (const object of d.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
            expect(schemaErrors(unwrapSecrets(object.inputs) as Record<string, unknown>), `${object.type} ${object.name}`).toEqual([]);
        }
    });
});

describe("KubernetesRedis with mutual TLS", () => {
    it("requires client certificates and probes with the server's own", async () => {
        const d = await deploy("mtls", { tls: { enabled: true, requireClientCertificates: true } });
        expect(d.config.stringData["redis.conf"]).toMatch(/^tls-auth-clients yes$/m);
        expect(d.statefulSet.spec.template.spec.containers[0].startupProbe.exec.command[2]).toContain(
            "--cert /usr/local/etc/redis/tls.crt --key /usr/local/etc/redis/tls.key",
        );
        expect(await valueOf(d.redis.clientCertificate)).toMatch(/^-----BEGIN CERTIFICATE-----/);
        expect(await pulumi.isSecret(d.redis.clientPrivateKey)).toBe(true);
    });
});

describe("KubernetesRedis with an existing kubernetes.io/tls Secret", () => {
    const pod0 = (name: string, ns: string) => `${name}-0.${name}-headless.${ns}.svc`;
    const asData = (files: Record<string, string>) =>
        Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString("base64")]));

    it("mounts it, exports its CA and generates nothing", async () => {
        // As cert-manager would issue it: the Service's names and a wildcard for the pods.
        const own = issueCertificates({
            dnsNames: [
                "byo.apps.svc.cluster.local",
                "byo.apps.svc",
                "byo.apps",
                "byo",
                "*.byo-headless.apps.svc",
                "*.byo-headless.apps.svc.cluster.local",
            ],
        });
        expect(new X509Certificate(own.certificate).checkHost(pod0("byo", "apps"))).toBe("*.byo-headless.apps.svc");
        existingSecrets.set("apps/redis-cert", {
            type: "kubernetes.io/tls",
            data: asData({ "tls.crt": own.certificate, "tls.key": own.privateKey, "ca.crt": own.caCertificate }),
        });
        const d = await deploy("byo", { namespace: "apps", tls: { enabled: true, secretName: "redis-cert" } });
        expect(d.resources.filter((r) => r.type.startsWith("tls:"))).toEqual([]);
        expect(await valueOf(d.redis.caCertificate)).toBe(own.caCertificate);
        const sources = d.statefulSet.spec.template.spec.volumes.find((v) => v.name === "config")?.projected.sources;
        expect(sources?.[1].secret.name).toBe("redis-cert");
    });

    it("fails the deployment, before any pod mounts it, when it does not name the pods or lacks ca.crt", async () => {
        const elsewhere = issueCertificates({ dnsNames: ["elsewhere"] });
        existingSecrets.set("apps/wrong-names", {
            type: "kubernetes.io/tls",
            data: asData({ "tls.crt": elsewhere.certificate, "tls.key": elsewhere.privateKey, "ca.crt": elsewhere.caCertificate }),
        });
        existingSecrets.set("apps/no-ca", {
            type: "kubernetes.io/tls",
            data: asData({ "tls.crt": elsewhere.certificate, "tls.key": elsewhere.privateKey }),
        });
        new api.KubernetesRedis("wrongnames", { namespace: "apps", tls: { enabled: true, secretName: "wrong-names" } });
        new api.KubernetesRedis("noca", { namespace: "apps", tls: { enabled: true, secretName: "no-ca" } });
        await vi.waitFor(() => {
            const messages = deploymentErrors.map((e) => e.message);
            expect(messages).toContainEqual(
                expect.stringMatching(
                    /"tls.secretName.certificate": got .*missing wrongnames.apps.svc.cluster.local, .*; allowed: a certificate whose subject alternative names cover/,
                ),
            );
            expect(messages).toContainEqual(
                expect.stringMatching(
                    /"tls.secretName": got Secret "no-ca" without ca.crt; allowed: a kubernetes.io\/tls Secret with tls.crt, tls.key, ca.crt/,
                ),
            );
        });
        for (const e of deploymentErrors) expect(e.message.includes(elsewhere.privateKey.split("\n")[1])).toBe(false);
        // The pods never mount a Secret that failed its checks: the StatefulSet is never registered.
        expect(resourcesOf("wrongnames").filter((r) => r.type === "kubernetes:apps/v1:StatefulSet")).toEqual([]);
    });
});
