import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployKubernetesRedis, type KubernetesDeployment } from "../../harness/engine/kubernetesDeployment";
import { installMocks, resourcesOf, unwrapSecrets } from "../../harness/mocks/pulumiMocks";
import { EXPORTER_FILES, EXPORTER_SECRETS_DIR } from "../../redis/metrics/exporter";

// The redis_exporter sidecar on the Docker engine, beside Redis in the pod's network namespace
// (the stand-in for oliver006/redis_exporter is Debian's build, laid out like the official image):
// it must authenticate as the metrics user from its password file alone, and serve Redis's
// memory and keyspace figures, with the password nowhere in its configuration.

/** The metrics user's password, from the exporter's Secret as the component declared it. */
function metricsPassword(name: string): string {
    const secret = resourcesOf(name).find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === `${name}-metrics`);
    const files = unwrapSecrets(secret?.inputs.stringData) as Record<string, string>;
    const passwords = Object.values(JSON.parse(files[EXPORTER_FILES.passwords]) as Record<string, string>);
    if (passwords.length === 0) throw new Error("no metrics password");
    return passwords[0];
}

/** /metrics of the pod's exporter, once it reports Redis up (the exporter starts beside Redis, not after it). */
async function scrape(address: string, port = 9121): Promise<string> {
    const deadline = Date.now() + 30_000;
    for (;;) {
        const text = await fetch(`http://${address}:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })
            .then((r) => r.text())
            .catch(() => "");
        if (/^redis_up 1$/m.test(text) || Date.now() > deadline) return text;
        await new Promise((r) => setTimeout(r, 500));
    }
}

async function expectNoPassword(d: KubernetesDeployment, name: string): Promise<void> {
    const password = metricsPassword(name);
    for (const pod of d.realised.pods) {
        const exporter = pod.containers.get("redis-exporter");
        expect(exporter, pod.name).toBeDefined();
        const info = await exporter!.inspect();
        const visible = JSON.stringify([
            info.Config.Cmd,
            info.Config.Entrypoint,
            info.Config.Env,
            info.Config.Labels,
            info.Args,
            info.Path,
        ]);
        expect(visible.includes(password)).toBe(false);
        expect(visible.includes(d.password)).toBe(false);
        expect(info.Config.Cmd).toContain(`-redis.password-file=${EXPORTER_SECRETS_DIR}/${EXPORTER_FILES.passwords}`);
    }
}

describe("KubernetesRedis metrics on the Docker engine", () => {
    let d: KubernetesDeployment;
    beforeAll(async () => {
        await installMocks();
        d = await deployKubernetesRedis("kmetrics", {
            replicas: 2,
            metrics: { enabled: true, scrapeNamespaceLabels: { "kubernetes.io/metadata.name": "monitoring" } },
        });
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    it("serves redis_up 1, memory and keyspace metrics from every pod, as the metrics user", async () => {
        const app = new Redis(d.connectionString, { maxRetriesPerRequest: 1 });
        try {
            await app.set("metrics:probe", "1");
            expect(await app.wait(1, 10_000)).toBe(1);
        } finally {
            app.disconnect();
        }
        for (const pod of d.realised.pods) {
            const text = await scrape(pod.address);
            expect(text, pod.name).toMatch(/^redis_up 1$/m);
            expect(text).toMatch(/^redis_memory_used_bytes \d/m);
            expect(text).toMatch(/^redis_memory_max_bytes [1-9]/m);
            expect(text).toMatch(/^redis_db_keys\{db="db0"\} [1-9]/m);
            // It skipped CONFIG, which the metrics user may not run under any name.
            expect(text).not.toMatch(/^redis_config_maxclients /m);
            expect(text).toMatch(/^redis_exporter_last_scrape_error\{err=""\} 0$/m);
        }
        const admin = new Redis(d.adminConnectionString, { maxRetriesPerRequest: 1 });
        try {
            // It connects per scrape, so CLIENT LIST rarely shows it; no failed AUTH, and no denied command but the
            // SLOWLOG GET the metrics user is refused (it returns other users' arguments).
            const entries = (await admin.call("ACL", "LOG")) as string[][];
            expect(
                entries.map((e) => `${e[e.indexOf("username") + 1]} ${e[e.indexOf("reason") + 1]} ${e[e.indexOf("object") + 1]}`),
            ).toEqual(["metrics command slowlog|get"]);
        } finally {
            admin.disconnect();
        }
    });

    it("passes the exporter's liveness probe over HTTP, and Redis's probes still pass", async () => {
        for (const pod of d.realised.pods) {
            expect(await pod.probeOf("redis-exporter", "livenessProbe")).toBe(true);
            expect(await pod.probe("readinessProbe")).toBe(true);
        }
    });

    it("runs the exporter as its own non-root user on a read-only root, the password nowhere in its argv, env or labels", async () => {
        for (const pod of d.realised.pods) {
            const info = await pod.containers.get("redis-exporter")!.inspect();
            expect(info.Config.User).toBe("59000:59000");
            expect(info.HostConfig.ReadonlyRootfs).toBe(true);
            expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
            expect(info.HostConfig.SecurityOpt).toEqual(["no-new-privileges:true"]);
            expect(info.HostConfig.Memory).toBe(64 * 1024 ** 2);
        }
        await expectNoPassword(d, "kmetrics");
    });
});

describe("KubernetesRedis metrics over TLS on the Docker engine", () => {
    let d: KubernetesDeployment;
    beforeAll(async () => {
        await installMocks();
        d = await deployKubernetesRedis("kmetricstls", {
            tls: { enabled: true, requireClientCertificates: true },
            metrics: { enabled: true, scrapePodLabels: { app: "prometheus" } },
        });
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    it("verifies Redis by the pod's own DNS name, presents the client certificate, and serves redis_up 1", async () => {
        const info = await d.realised.pods[0].containers.get("redis-exporter")!.inspect();
        // Kubernetes (here the realiser) expanded $(POD_NAME) and $(POD_NAMESPACE) from the downward API.
        expect(info.Config.Cmd).toContain(`-redis.addr=rediss://kmetricstls-0.kmetricstls-headless.${await namespaceOf(d)}.svc:6379`);
        const text = await scrape(d.realised.pods[0].address);
        expect(text).toMatch(/^redis_up 1$/m);
        expect(text).toMatch(/^redis_memory_used_bytes \d/m);
        await expectNoPassword(d, "kmetricstls");
    });
});

async function namespaceOf(d: KubernetesDeployment): Promise<string> {
    const info = await d.realised.pods[0].containers.get("redis-exporter")!.inspect();
    const env = info.Config.Env.find((e) => e.startsWith("POD_NAMESPACE="));
    if (!env) throw new Error("no POD_NAMESPACE");
    return env.slice("POD_NAMESPACE=".length);
}
