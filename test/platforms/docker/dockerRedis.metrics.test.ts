import { beforeAll, describe, expect, it } from "vitest";
import { EXPORTER_IMAGE, EXPORTER_SECRETS_DIR, METRICS_PORT } from "../../../redis/metrics/exporter";
import { configHash } from "../../../redis/container";
import { issueCertificates } from "../../../harness/local/certificates";
import {
    allRegistered,
    generatedPasswords,
    installMocks,
    plainStrings,
    resourcesOf,
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
type Props = Record<string, unknown>;

interface Metered {
    redis: InstanceType<typeof api.DockerRedis>;
    resources: RegisteredResource[];
    containers: Map<string, Props>;
    /** Every password the deployment generated, by RandomPassword name. */
    passwords: Map<string, string>;
    /** The ACL lines of redis.conf. */
    redisConf: string;
}

async function deploy(name: string, args: import("../../../index").DockerRedisArgs): Promise<Metered> {
    const redis = new api.DockerRedis(name, args);
    await Promise.all([valueOf(redis.connectionString), valueOf(redis.metricsEndpoints)]);
    await allRegistered();
    const resources = resourcesOf(name);
    const containers = new Map(resources.filter((r) => r.type === CONTAINER).map((r) => [r.name, r.inputs as Props]));
    const passwords = generatedPasswords(name);
    const uploads = unwrapSecrets(containers.get(`${name}-config`)?.uploads) as Array<{ file: string; content: string }>;
    const redisConf = uploads.find((u) => u.file.endsWith("/redis.conf"))?.content ?? "";
    return { redis, resources, containers, passwords, redisConf };
}

describe("DockerRedis without metrics", () => {
    it("declares no exporter, no metrics user and no endpoint", async () => {
        const d = await deploy("unmetered", {});
        expect([...d.containers.keys()].filter((n) => n.includes("metrics"))).toEqual([]);
        expect([...d.passwords.keys()].filter((n) => n.includes("metrics"))).toEqual([]);
        expect(d.redisConf).not.toMatch(/^user metrics /m);
        expect(await valueOf(d.redis.metricsEndpoint)).toBeUndefined();
        expect(await valueOf(d.redis.metricsEndpoints)).toEqual([]);
    });
});

describe("DockerRedis with metrics", () => {
    let d: Metered;
    beforeAll(async () => {
        d = await deploy("metered", { replicas: 2, metrics: { enabled: true } });
    });

    it("runs one pinned exporter per server, each under its server's alias plus -metrics on the internal network alone", async () => {
        const image = d.resources.find((r) => r.name === "metered-exporter-image")?.inputs;
        expect(image?.name).toBe(EXPORTER_IMAGE);
        // With replicas each server joins its network holder's namespace, which has the alias.
        expect(d.containers.get("metered")?.networksAdvanced).toBeUndefined();
        for (const [i, host] of ["metered-0", "metered-1"].entries()) {
            const exporter = d.containers.get(i === 0 ? "metered-metrics" : `metered-metrics-${i}`)!;
            expect(exporter.networksAdvanced).toEqual([{ name: expect.any(String), aliases: [`${host}-metrics`] }]);
            expect(exporter.ports).toBeUndefined();
            expect(exporter.command).toContain(`-redis.addr=redis://${host}:6379`);
            expect(exporter.command).toContain(`-web.listen-address=:${METRICS_PORT}`);
        }
        expect(await valueOf(d.redis.metricsEndpoints)).toEqual([
            `http://metered-0-metrics:${METRICS_PORT}/metrics`,
            `http://metered-1-metrics:${METRICS_PORT}/metrics`,
        ]);
        expect(await valueOf(d.redis.metricsEndpoint)).toBe(`http://metered-0-metrics:${METRICS_PORT}/metrics`);
    });

    it("locks the exporter down as Redis is: no capabilities, read-only root, a memory limit, not root", () => {
        const exporter = d.containers.get("metered-metrics")!;
        expect(exporter.user).toBe("59000:0");
        expect(exporter.readOnly).toBe(true);
        expect(exporter.capabilities).toEqual({ drops: ["ALL"] });
        expect(exporter.securityOpts).toEqual(["no-new-privileges:true"]);
        expect(exporter.memory).toBeGreaterThan(0);
        expect(exporter.memorySwap).toBe(exporter.memory);
        expect(exporter.entrypoints).toEqual(["/redis_exporter"]);
    });

    it("authenticates as the metrics user, with a password from a file, and skips CONFIG", () => {
        const exporter = d.containers.get("metered-metrics")!;
        expect(exporter.command).toEqual(
            expect.arrayContaining([
                "-redis.user=metrics",
                `-redis.password-file=${EXPORTER_SECRETS_DIR}/passwords.json`,
                "-config-command=-",
            ]),
        );
        expect(d.redisConf).toMatch(/^user metrics reset on \S+ \+ping \+info /m);
        expect(d.redisConf).not.toMatch(/^user metrics .*~/m);
    });

    it("keeps every password out of the exporters' argv, environment and labels, and the password file secret", () => {
        const metricsPassword = d.passwords.get("metered-metrics-password-0")!;
        expect(metricsPassword).toBeTruthy();
        for (const name of ["metered-metrics", "metered-metrics-1", "metered-metrics-secrets"]) {
            const exporter = d.containers.get(name)!;
            const plain = plainStrings(exporter).map((s) => s.text);
            for (const password of d.passwords.values()) expect(plain.some((text) => text.includes(password))).toBe(false);
        }
        const uploads = unwrapSecrets(d.containers.get("metered-metrics-secrets")!.uploads) as Array<{
            file: string;
            content: string;
            permissions: string;
        }>;
        const file = uploads.find((u) => u.file === `${EXPORTER_SECRETS_DIR}/passwords.json`)!;
        expect(file.permissions).toBe("0440");
        const byAddress = JSON.parse(file.content) as Record<string, string>;
        expect(Object.keys(byAddress)).toEqual(["redis://metered-0:6379", "redis://metered-1:6379"]);
        expect(Object.values(byAddress).every((p) => p === metricsPassword)).toBe(true);
    });

    it("gives the exporters a volume of their own, never the config volume with the ACL and keys", () => {
        const exporter = d.containers.get("metered-metrics")!;
        const configVolume = (d.containers.get("metered-config")!.volumes as Array<{ volumeName: string }>)[0].volumeName;
        const volumes = exporter.volumes as Array<{ volumeName: string; containerPath: string; readOnly: boolean }>;
        expect(volumes).toEqual([{ volumeName: expect.any(String), containerPath: EXPORTER_SECRETS_DIR, readOnly: true }]);
        expect(volumes[0].volumeName).not.toBe(configVolume);
        const writer = d.containers.get("metered-metrics-secrets")!;
        expect(writer.start).toBe(false);
        expect(writer.networkMode).toBe("none");
    });
});

describe("DockerRedis with metrics and TLS", () => {
    it("scrapes over TLS, trusting the CA, and with mutual TLS presents the generated client certificate", async () => {
        const d = await deploy("meteredtls", { tls: { enabled: true, requireClientCertificates: true }, metrics: { enabled: true } });
        const exporter = d.containers.get("meteredtls-metrics")!;
        // The whole argv: nothing like -skip-tls-verification may slip in.
        expect(exporter.command).toEqual([
            "-redis.addr=rediss://meteredtls:6379",
            "-redis.user=metrics",
            `-redis.password-file=${EXPORTER_SECRETS_DIR}/passwords.json`,
            "-config-command=-",
            "-web.listen-address=:9121",
            `-tls-ca-cert-file=${EXPORTER_SECRETS_DIR}/ca.crt`,
            `-tls-client-cert-file=${EXPORTER_SECRETS_DIR}/tls.crt`,
            `-tls-client-key-file=${EXPORTER_SECRETS_DIR}/tls.key`,
        ]);
        const uploads = unwrapSecrets(d.containers.get("meteredtls-metrics-secrets")!.uploads) as Array<{
            file: string;
            content: string;
            permissions: string;
        }>;
        const byFile = Object.fromEntries(uploads.map((u) => [u.file.slice(EXPORTER_SECRETS_DIR.length + 1), u]));
        expect(Object.keys(byFile).sort()).toEqual(["ca.crt", "passwords.json", "tls.crt", "tls.key"]);
        expect(byFile["tls.key"].permissions).toBe("0440");
        // The generated client certificate, not the server's own.
        expect(byFile["tls.crt"].content).toBe(await valueOf(d.redis.clientCertificate));
    });

    it("joins the scrape network when given one, under the same alias, and Redis does not", async () => {
        const d = await deploy("scraped", { metrics: { enabled: true, scrapeNetworkName: "prometheus" } });
        expect(d.containers.get("scraped-metrics")!.networksAdvanced).toEqual([
            { name: expect.any(String), aliases: ["scraped-metrics"] },
            { name: "prometheus", aliases: ["scraped-metrics"] },
        ]);
        expect(JSON.stringify(d.containers.get("scraped")!.networksAdvanced)).not.toContain("prometheus");
    });
});

describe("DockerRedis metrics through a credential rotation", () => {
    /** The password file, and the label that replaces the exporter when any of its files changes. */
    const exporterState = (d: Metered, name: string) => {
        const uploads = unwrapSecrets(d.containers.get(`${name}-metrics-secrets`)!.uploads) as Array<{ file: string; content: string }>;
        const file = uploads.find((u) => u.file.endsWith("/passwords.json"))!.content;
        const labels = d.containers.get(`${name}-metrics`)!.labels as Array<{ label: string; value: string }>;
        return {
            password: Object.values(JSON.parse(file) as Record<string, string>)[0],
            label: labels.find((l) => l.label === "hardened-redis.metrics-sha256")!.value,
            hash: configHash(Object.fromEntries(uploads.map((u) => [u.file.slice(EXPORTER_SECRETS_DIR.length + 1), u.content]))),
        };
    };

    it("hands the exporter the current generation's password, and its label follows the files", async () => {
        const zero = await deploy("rot0", { metrics: { enabled: true } });
        const one = await deploy("rot1", { metrics: { enabled: true }, credentialGeneration: 1 });
        const retired = await deploy("rot2", { metrics: { enabled: true }, credentialGeneration: 1, retirePreviousCredentials: true });
        // Generation N lives in slot N % 2.
        expect(exporterState(zero, "rot0").password).toBe(zero.passwords.get("rot0-metrics-password-0"));
        expect(exporterState(one, "rot1").password).toBe(one.passwords.get("rot1-metrics-password-1"));
        expect(exporterState(retired, "rot2").password).toBe(retired.passwords.get("rot2-metrics-password-1"));
        for (const [d, name] of [
            [zero, "rot0"],
            [one, "rot1"],
            [retired, "rot2"],
        ] as const) {
            const state = exporterState(d, name);
            expect(state.label).toBe(state.hash);
        }
    });
});

describe("DockerRedis refuses metrics settings it cannot honour", () => {
    it("mutual TLS on certificates of the caller's: the exporter would need the server's own key", () => {
        const own = issueCertificates({ dnsNames: ["byo", "byo-plain"] });
        const tls = {
            enabled: true,
            requireClientCertificates: true,
            caCertificate: own.caCertificate,
            certificate: own.certificate,
            privateKey: own.privateKey,
        };
        expect(() => new api.DockerRedis("byo", { tls, metrics: { enabled: true } })).toThrow(
            /"metrics\.enabled": got true; allowed: false with tls\.requireClientCertificates on certificates of your own/,
        );
        expect(
            () => new api.DockerRedis("byo-plain", { tls: { ...tls, requireClientCertificates: false }, metrics: { enabled: true } }),
        ).not.toThrow();
    });

    const cases: Array<[string, import("../../../index").DockerRedisArgs, RegExp]> = [
        ["the Redis port", { port: 9121, metrics: { enabled: true } }, /"metrics.port": got 9121; allowed: .*other than the Redis port/],
        ["an image with no tag", { metrics: { enabled: true, image: "oliver006/redis_exporter" } }, /"metrics.image": .*pinned/],
        ["the latest tag", { metrics: { enabled: true, image: "oliver006/redis_exporter:latest" } }, /"metrics.image": .*pinned/],
        ["a privileged port", { metrics: { enabled: true, port: 80 } }, /"metrics.port": got 80/],
        [
            "a setting while metrics are off",
            { metrics: { port: 9200 } },
            /"metrics.port": got a value; allowed: nothing unless metrics.enabled/,
        ],
        [
            "an unknown setting",
            { metrics: { enabled: true, scrapePodLabels: {} } as never },
            /"metrics.scrapePodLabels": got an unknown setting/,
        ],
    ];
    it.each(cases)("%s", (_label, args, message) => {
        expect(() => new api.DockerRedis(`bad-${Math.random().toString(36).slice(2)}`, args)).toThrow(message);
    });

    it("accepts a digest", () => {
        const image = `oliver006/redis_exporter@sha256:${"a".repeat(64)}`;
        expect(() => new api.DockerRedis("digested", { metrics: { enabled: true, image } })).not.toThrow();
    });
});
