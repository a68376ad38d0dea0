// Redis 8 and Valkey 8 as the components deploy them, on the real engine: stand-in images built from
// Debian trixie's binaries (harness/engine/standinImage.ts), the files, commands, probes and start
// scripts the components declare for each. Redis 7 runs the whole deployed suite; docker.test.ts and
// kubernetes.test.ts run on every server; these are the other checks each server must pass too
// (the README says which test runs where).
import Redis, { type RedisOptions } from "ioredis";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { deployDockerRedis, deployDockerSentinel } from "../../harness/engine/deployments";
import { deployKubernetesSentinel } from "../../harness/engine/kubernetesDeployment";
import { dockerServer, podServer } from "../../harness/engine/restarts";
import { killUnderWrites } from "../../harness/engine/restartScenarios";
import { scrapeOnNetwork } from "../../harness/engine/scrape";
import { isServer, serverOf } from "../../harness/client/serverInfo";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { serverNamed } from "../../redis/servers";

/** SET and GET as the app user. */
async function serves(connectionString: string, options: RedisOptions = {}): Promise<string | null> {
    const app = new Redis(connectionString, { maxRetriesPerRequest: 1, ...options });
    try {
        await app.set("served", "yes");
        return await app.get("served");
    } finally {
        app.disconnect();
    }
}

/** Sentinels that decide fast, as the other deployed Sentinel tests' do. */
const SENTINEL = { downAfterMilliseconds: 1_000, failoverTimeoutMilliseconds: 10_000 };

beforeAll(async () => {
    await installMocks();
});

describe.each(["redis-8", "valkey-8"].map(serverNamed))("$title deployed on the Docker engine", (server) => {
    const name = server.name.replace("-", "");
    // Each test's deployment goes when the test ends, passed or not: the next one has the machine to itself.
    let stops: Array<() => Promise<void>> = [];
    afterEach(async () => {
        for (const stop of stops) await stop().catch(() => undefined);
        stops = [];
    }, 120_000);

    it("DockerRedis with TLS and metrics: healthy, serves the app user, is the chosen server, and its exporter scrapes it", async () => {
        const d = await deployDockerRedis(`${name}d`, { server: server.name, tls: { enabled: true }, metrics: { enabled: true } });
        stops.push(() => d.stop());
        // The connection string's host was rewritten to the container's address: verify the name it was issued for.
        const tls = { tls: { ca: d.tls!.caCertificate, servername: d.tls!.servername } };
        expect(await serves(d.connectionString, tls)).toBe("yes");
        const identity = await serverOf(d.adminConnectionString, tls);
        expect(isServer(identity, server), JSON.stringify(identity)).toBe(true);
        const scraped = await scrapeOnNetwork(d.docker, d.network, d.exported.metricsEndpoints[0]);
        expect(scraped.get("redis_up")).toBe(1);
    }, 180_000);

    it("DockerRedis with Sentinel: a SIGKILLed primary is failed over and rejoins: no confirmed write lost, never two writable primaries", async () => {
        const d = await deployDockerSentinel(`${name}s`, { server: server.name, replicas: 3, sentinel: { enabled: true, ...SENTINEL } });
        stops.push(() => d.stop());
        expect((await killUnderWrites(d, d.servers.map(dockerServer))).confirmed).toBeGreaterThan(0);
    }, 240_000);

    it("KubernetesRedis with Sentinel: its pods fail a SIGKILLed primary over, it rejoins: no confirmed write lost, never two writable primaries", async () => {
        const d = await deployKubernetesSentinel(`${name}ks`, {
            server: server.name,
            replicas: 3,
            sentinel: { enabled: true, ...SENTINEL },
        });
        stops.push(() => d.stop());
        expect((await killUnderWrites(d, d.servers.map(podServer))).confirmed).toBeGreaterThan(0);
    }, 240_000);
});
