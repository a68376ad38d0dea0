import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
    allRegistered,
    installMocks,
    plainStrings,
    resourcesOf,
    unwrapSecrets,
    valueOf,
    type RegisteredResource,
} from "../../../harness/mocks/pulumiMocks";

let api: typeof import("../../../index");
beforeAll(async () => {
    await installMocks();
    api = await import("../../../index");
});

/** The fields of declared objects these tests read. */
interface KubernetesObject {
    immutable?: boolean;
    stringData?: Record<string, string>;
    spec: { replicas?: number; ports?: unknown[] };
}

interface Deployed {
    redis: InstanceType<typeof api.KubernetesRedis>;
    resources: RegisteredResource[];
    namespace: string;
    /** A declared object's inputs, secrets unwrapped, by type and resource name. */
    object(type: string, name: string): KubernetesObject;
}

async function deploy(name: string, args: import("../../../index").KubernetesRedisArgs): Promise<Deployed> {
    const redis = new api.KubernetesRedis(name, args);
    const [, namespace] = await Promise.all([valueOf(redis.connectionString), valueOf(redis.namespace), valueOf(redis.sentinelAddresses)]);
    await allRegistered();
    const resources = resourcesOf(name);
    const object = (type: string, resource: string) => {
        const found = resources.find((r) => r.type === `kubernetes:${type}` && r.name === resource);
        if (!found) throw new Error(`no ${type} ${resource}`);
        return unwrapSecrets(found.inputs) as KubernetesObject;
    };
    return { redis, resources, namespace, object };
}

describe("KubernetesRedis with Sentinel", () => {
    let d: Deployed;
    beforeAll(async () => {
        d = await deploy("ha", { replicas: 3, sentinel: { enabled: true } });
    });

    it("declares a StatefulSet, a headless Service, a NetworkPolicy, a budget and a config Secret for the Sentinels", () => {
        const kinds = (suffix: string) =>
            d.resources
                .filter((r) => r.name === `ha${suffix}`)
                .map((r) => r.type)
                .sort();
        expect(kinds("-sentinel")).toEqual(
            [
                "kubernetes:apps/v1:StatefulSet",
                "kubernetes:core/v1:Service",
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                "kubernetes:policy/v1:PodDisruptionBudget",
            ].sort(),
        );
        expect(d.object("core/v1:Secret", "ha-sentinel-config").immutable).toBe(true);
        expect(d.object("apps/v1:StatefulSet", "ha-sentinel").spec.replicas).toBe(3);
    });

    it("renders one sentinel.conf for every Sentinel pod: the primary by its pod DNS name, no address of its own (each gives it at start)", () => {
        const files = d.object("core/v1:Secret", "ha-sentinel-config").stringData as Record<string, string>;
        expect(Object.keys(files).sort()).toEqual(["password", "sentinel.conf"]);
        const conf = files["sentinel.conf"];
        expect(conf).toMatch(new RegExp(`^sentinel monitor ha ha-0\\.ha-headless\\.${d.namespace}\\.svc 6379 2$`, "m"));
        expect(conf).not.toMatch(/announce-ip/);
        expect(conf).toMatch(/^sentinel resolve-hostnames yes$/m);
        expect(conf).toMatch(/^sentinel auth-user ha sentinel$/m);
        expect(conf).toMatch(/^user default reset off$/m);
        // The servers: a primary cut off from its replicas stops taking writes; each knows the sentinel user.
        const redis = (d.object("core/v1:Secret", "ha-config").stringData as Record<string, string>)["redis.conf"];
        expect(redis).toMatch(/^min-replicas-to-write 1$/m);
        expect(redis).toMatch(/^user sentinel reset on #[0-9a-f]{64} /m);
    });

    it("hands out a Sentinel connection string naming each Sentinel pod, the client Service fronting the Sentinels", async () => {
        const sentinels = [0, 1, 2].map((i) => `ha-sentinel-${i}.ha-sentinel.${d.namespace}.svc:26379`);
        expect(await valueOf(d.redis.sentinelAddresses)).toEqual(sentinels);
        expect(await valueOf(d.redis.connectionString)).toMatch(
            new RegExp(`^redis\\+sentinel://app:[^@]+@${sentinels.join(",").replace(/\./g, "\\.")}/ha/0$`),
        );
        expect(await pulumi.isSecret(d.redis.connectionString)).toBe(true);
        expect(await valueOf(d.redis.adminConnectionString)).toMatch(/^redis\+sentinel:\/\/admin:/);
        expect(await valueOf(d.redis.masterName)).toBe("ha");
        expect(await valueOf(d.redis.port)).toBe(26379);
        expect(d.object("core/v1:Service", "ha").spec.ports).toEqual([
            { name: "sentinel", port: 26379, targetPort: "sentinel", protocol: "TCP" },
        ]);
    });

    it("keeps the Sentinel password out of every non-secret input", () => {
        const conf = (d.object("core/v1:Secret", "ha-sentinel-config").stringData as Record<string, string>)["sentinel.conf"];
        const password = /^sentinel auth-pass ha (\S+)$/m.exec(conf)?.[1] ?? "";
        expect(password.length).toBeGreaterThanOrEqual(32);
        for (const r of d.resources.filter((r) => r.type !== "kubernetes:core/v1:Secret")) {
            expect(
                plainStrings(r.inputs).some(({ text }) => text.includes(password)),
                r.name,
            ).toBe(false);
        }
    });

    it("puts the Sentinel pods in the generated certificate with TLS", async () => {
        const tls = await deploy("hatls", { replicas: 2, sentinel: { enabled: true }, tls: { enabled: true } });
        const cert = tls.resources.find(
            (r) => r.type === "tls:index/locallySignedCert:LocallySignedCert" || r.type.startsWith("tls:index/certRequest"),
        );
        const names = JSON.stringify(cert?.inputs ?? {});
        expect(names).toContain(`hatls-sentinel-2.hatls-sentinel.${tls.namespace}.svc`);
        const conf = (tls.object("core/v1:Secret", "hatls-sentinel-config").stringData as Record<string, string>)["sentinel.conf"];
        expect(conf).toMatch(/^port 0$/m);
        expect(conf).toMatch(/^tls-port 26379$/m);
        expect(await valueOf(tls.redis.connectionString)).toMatch(/^rediss\+sentinel:\/\//);
    });
});

describe("antiAffinity", () => {
    const podAntiAffinity = (d: Deployed, name: string) =>
        (d.object("apps/v1:StatefulSet", name).spec as unknown as { template: { spec: { affinity: { podAntiAffinity: object } } } })
            .template.spec.affinity.podAntiAffinity;
    it("keeps each Redis pod and each Sentinel off the others' nodes: preferred by default, required when asked", async () => {
        const preferred = await deploy("spread", { replicas: 2, sentinel: { enabled: true } });
        const required = await deploy("apart", { replicas: 2, sentinel: { enabled: true }, antiAffinity: "required" });
        for (const [d, name, kind] of [
            [preferred, "spread", "redis"],
            [preferred, "spread-sentinel", "redis-sentinel"],
            [required, "apart", "redis"],
            [required, "apart-sentinel", "redis-sentinel"],
        ] as const) {
            const term = {
                topologyKey: "kubernetes.io/hostname",
                labelSelector: {
                    matchLabels: { "app.kubernetes.io/name": kind, "app.kubernetes.io/instance": d === required ? "apart" : "spread" },
                },
            };
            expect(podAntiAffinity(d, name), name).toEqual(
                d === required
                    ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
                    : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] },
            );
        }
    });
    it("refuses anything but preferred or required", () => {
        for (const antiAffinity of ["Required", "hard", ""]) {
            expect(() => new api.KubernetesRedis("spread-bad", { replicas: 2, antiAffinity })).toThrow(
                new RegExp(`"antiAffinity": got "${antiAffinity}"; allowed: one of "preferred", "required"$`),
            );
        }
        expect(() => new api.KubernetesRedis("spread-bad", { replicas: 2, antiAffinity: true as unknown as string })).toThrow(
            api.RedisConfigError,
        );
    });
});

describe("the split-brain bound", () => {
    it("is min-replicas-max-lag, from sentinel.maxReplicaLagSeconds, on both components", async () => {
        const k = await deploy("lag", { replicas: 2, sentinel: { enabled: true, maxReplicaLagSeconds: 3 } });
        expect((k.object("core/v1:Secret", "lag-config").stringData ?? {})["redis.conf"]).toMatch(/^min-replicas-max-lag 3$/m);
        const docker = new api.DockerRedis("lagd", { replicas: 2, sentinel: { enabled: true, maxReplicaLagSeconds: 3 } });
        await valueOf(docker.connectionString);
        await allRegistered();
        const writer = resourcesOf("lagd").find((r) => r.name === "lagd-config" && r.type === "docker:index/container:Container");
        const uploads = unwrapSecrets(writer?.inputs.uploads) as Array<{ file: string; content: string }>;
        expect(uploads.find((u) => u.file.endsWith("/redis.conf"))?.content).toMatch(/^min-replicas-max-lag 3$/m);
    });
    it("refuses a lag outside 3 to 60 s, and the setting without Sentinel", () => {
        expect(() => new api.KubernetesRedis("lag0", { replicas: 2, sentinel: { enabled: true, maxReplicaLagSeconds: 2 } })).toThrow(
            /"sentinel.maxReplicaLagSeconds": got 2; allowed: an integer number of seconds from 3 to 60/,
        );
        expect(() => new api.DockerRedis("lag61", { replicas: 2, sentinel: { maxReplicaLagSeconds: 61 } })).toThrow(
            /"sentinel.maxReplicaLagSeconds"/,
        );
    });
});

describe("KubernetesRedis refuses a Sentinel topology it cannot run", () => {
    it("without a replica to promote", () => {
        expect(() => new api.KubernetesRedis("one", { sentinel: { enabled: true } })).toThrow(
            /"replicas": got 1; allowed: 2 or more with sentinel.enabled/,
        );
    });
    it("with a name too long for the Sentinel pods' labels", () => {
        const name = "a".repeat(44);
        expect(() => new api.KubernetesRedis(name, { replicas: 2, sentinel: { enabled: true } })).toThrow(
            /"name": got "a{44}"; allowed: a DNS label of at most 43 characters with sentinel.enabled/,
        );
        expect(() => new api.KubernetesRedis(name, { replicas: 2 })).not.toThrow();
    });
    it("with a quorum of every Sentinel, which the Sentinels' disruption budget would hold through every drain", () => {
        for (const sentinels of [3, 5, 7]) {
            const args = { replicas: 2, sentinel: { enabled: true, sentinels, quorum: sentinels } };
            const majority = (sentinels + 1) / 2;
            const allowed = `an integer from ${majority} \\(a majority of ${sentinels} sentinels\\) to ${sentinels - 1} on Kubernetes`;
            const fix = "lower sentinel.quorum to a majority, or add Sentinels";
            const make = () => new api.KubernetesRedis(`all${sentinels}`, args);
            expect(make).toThrow(new RegExp(`"sentinel.quorum": got ${sentinels}; allowed: ${allowed},.*block every node drain: ${fix}$`));
            expect(make).toThrow(api.RedisConfigError);
            // One below every Sentinel leaves one to evict; Docker has no drains and keeps the shared range.
            expect(
                () => new api.KubernetesRedis(`below${sentinels}`, { ...args, sentinel: { ...args.sentinel, quorum: sentinels - 1 } }),
            ).not.toThrow();
            expect(() => new api.DockerRedis(`dall${sentinels}`, args)).not.toThrow();
        }
    });
    it("with an even number of Sentinels", () => {
        expect(() => new api.KubernetesRedis("even", { replicas: 2, sentinel: { enabled: true, sentinels: 4 } })).toThrow(
            /"sentinel.sentinels": got 4; allowed: an odd integer from 3 to 7/,
        );
    });
});
