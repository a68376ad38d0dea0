// DockerRedis with metrics on the real engine: the exporters (the official image, or a stand-in
// built from Debian's prometheus-redis-exporter when it is absent) scrape Redis as the metrics user,
// and the test scrapes them at the endpoints the component exports, unchanged, from a container on
// the internal network and from one on the scrape network.
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployDockerRedis, type DockerDeployment } from "../../harness/engine/deployments";
import { dockerEngine, TEST_LABEL } from "../../harness/engine/engine";
import { runOnNetwork } from "../../harness/engine/hostTools";
import { scrapeOnNetwork as scrape } from "../../harness/engine/scrape";
import { generatedPasswords, installMocks } from "../../harness/mocks/pulumiMocks";

describe("DockerRedis with metrics on the real engine", () => {
    let redis: DockerDeployment;
    let docker: Docker;
    let scrapeNetwork: string;
    let passwords: Map<string, string>;

    beforeAll(async () => {
        await installMocks();
        docker = await dockerEngine();
        // Where a Prometheus would be: an ordinary (not internal) network of the test's own.
        scrapeNetwork = `hardened-redis-test-prometheus-${randomBytes(4).toString("hex")}`;
        await docker.createNetwork({ Name: scrapeNetwork, Labels: { [TEST_LABEL]: "metrics" } });
        redis = await deployDockerRedis("metered", { metrics: { enabled: true, scrapeNetworkName: scrapeNetwork } });
        passwords = generatedPasswords("metered");
        const app = new Redis(redis.connectionString, { maxRetriesPerRequest: 1 });
        try {
            await app.set("metrics:key", "1");
        } finally {
            app.disconnect();
        }
    }, 180_000);
    afterAll(async () => {
        await redis?.stop();
        await docker
            ?.getNetwork(scrapeNetwork)
            .remove()
            .catch(() => undefined);
    }, 60_000);

    it("serves redis_up 1, memory and keyspace metrics at the exported endpoint, unchanged, on the internal network", async () => {
        expect(redis.exported.metricsEndpoints).toEqual(["http://metered-metrics:9121/metrics"]);
        const scraped = await scrape(docker, redis.network, redis.exported.metricsEndpoints[0]);
        expect(scraped.get("redis_up")).toBe(1);
        expect(scraped.get("redis_memory_used_bytes")).toBeGreaterThan(0);
        expect(scraped.get("redis_memory_max_bytes")).toBeGreaterThan(0);
        expect(scraped.get('redis_db_keys{db="db0"}')).toBeGreaterThanOrEqual(1);
        expect(scraped.get("redis_connected_clients")).toBeGreaterThanOrEqual(1);
        // Slow-log and latency metrics need SLOWLOG and LATENCY, which the metrics user may run.
        expect(scraped.has("redis_slowlog_length")).toBe(true);
    }, 60_000);

    it("is reachable on the scrape network under the same name, where Redis is not", async () => {
        const scraped = await scrape(docker, scrapeNetwork, redis.exported.metricsEndpoints[0]);
        expect(scraped.get("redis_up")).toBe(1);
        const probe = await runOnNetwork(docker, scrapeNetwork, [
            "/usr/bin/python3",
            "-c",
            "import socket; socket.create_connection(('metered', 6379), timeout=3)",
        ]);
        expect(probe.code).not.toBe(0);
        expect(probe.stderr).toMatch(/Name or service not known|Temporary failure in name resolution|timed out/);
    }, 60_000);

    it("scrapes as a user that reads server figures and is refused keys and CONFIG", async () => {
        const metrics = new Redis({
            host: redis.address,
            port: 6379,
            username: "metrics",
            password: passwords.get("metered-metrics-password-0"),
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
        });
        try {
            expect(await metrics.info("memory")).toMatch(/used_memory:/);
            await expect(metrics.get("metrics:key")).rejects.toThrow(/NOPERM/);
            await expect(metrics.set("metrics:key", "2")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call(redis.configCommandName, "GET", "maxmemory")).rejects.toThrow(/NOPERM/);
            await expect(metrics.call("SLOWLOG", "RESET")).rejects.toThrow(/NOPERM/);
        } finally {
            metrics.disconnect();
        }
    });

    it("has no password in the exporter's argv, environment or labels", async () => {
        const info = await redis.realised.containers.get("metered-metrics")!.inspect();
        const visible = [info.Path, ...info.Args, ...(info.Config.Env ?? []), ...Object.values(info.Config.Labels ?? {})];
        expect(passwords.size).toBeGreaterThanOrEqual(3);
        for (const password of passwords.values()) expect(visible.some((text) => text.includes(password))).toBe(false);
        expect(info.Config.User).toBe("59000:0");
    });

    it("keeps the exporter's password file from every other uid", async () => {
        const volume = redis.realised.volumes.get("metered-metrics")!;
        const listing = await runOnNetwork(docker, "none", ["/bin/ls", "-ln", "/secrets"], { binds: [`${volume}:/secrets`] });
        expect(listing.stdout).toMatch(/^-r--r----- 1 0 0 .* passwords\.json$/m);
        const other = await runOnNetwork(docker, "none", ["/bin/cat", "/secrets/passwords.json"], {
            binds: [`${volume}:/secrets`],
            user: "1000:1000",
        });
        expect(other.code).not.toBe(0);
        expect(other.stderr).toMatch(/Permission denied/);
    });
});

describe("DockerRedis with metrics and mutual TLS on the real engine", () => {
    let redis: DockerDeployment;
    beforeAll(async () => {
        await installMocks();
        redis = await deployDockerRedis("meteredtls", {
            tls: { enabled: true, requireClientCertificates: true },
            metrics: { enabled: true },
        });
    }, 180_000);
    afterAll(async () => {
        await redis?.stop();
    }, 60_000);

    it("scrapes over TLS, verifying the server's name and presenting the client certificate", async () => {
        const scraped = await scrape(redis.docker, redis.network, redis.exported.metricsEndpoints[0]);
        expect(scraped.get("redis_up")).toBe(1);
        expect(scraped.get("redis_memory_used_bytes")).toBeGreaterThan(0);
    }, 60_000);
});
