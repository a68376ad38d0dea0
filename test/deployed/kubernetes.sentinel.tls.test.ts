import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployKubernetesSentinel, type KubernetesSentinelDeployment } from "../../harness/engine/kubernetesDeployment";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { podServer } from "../../harness/engine/restarts";
import { rejoinsAsReplica } from "../../harness/engine/restartScenarios";
import {
    adminOn,
    agreedPrimary,
    currentPrimary,
    failoverUnderWrites,
    replicasOnline,
    sentinelsAcquainted,
    until,
} from "../../harness/engine/sentinelDeployment";
import { plaintextReply, sClient } from "../../harness/client/tlsProbes";

const SENTINEL = { downAfterMilliseconds: 1_000, failoverTimeoutMilliseconds: 10_000 };

// With TLS on, every hop of the Sentinel topology speaks TLS under the generated certificate:
// clients to Sentinels and servers, Sentinels to each other and to the servers, replicas to the
// primary. Realised pods on the Docker engine, as in kubernetes.sentinel.test.ts.
describe("KubernetesRedis with Sentinel and TLS, its pods realised on the Docker engine", () => {
    let d: KubernetesSentinelDeployment;
    beforeAll(async () => {
        await installMocks();
        // Three servers: with two, the promoted one would have no replica left and refuse writes (min-replicas-to-write 1) until pod 0 returns.
        d = await deployKubernetesSentinel("hatls", { replicas: 3, sentinel: { enabled: true, ...SENTINEL }, tls: { enabled: true } });
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    it("hands out a rediss+sentinel:// string, and each Sentinel speaks only TLS, under a certificate naming its pod", async () => {
        expect(d.connectionString).toMatch(/^rediss\+sentinel:\/\/app:/);
        expect(d.tls).toBeDefined();
        for (const sentinel of d.sentinels) {
            const { status, output } = sClient(sentinel.address, 26379, d.tls?.caCertificate ?? "", ["-verify_hostname", sentinel.dnsName]);
            expect(status, output.includes("Verify return code: 0 (ok)") ? "" : "TLS handshake failed").toBe(0);
            expect(output).toContain("Verify return code: 0 (ok)");
            // A plaintext client gets no Redis reply: port 0, the TLS port only.
            expect(await plaintextReply(sentinel.address, 26379)).not.toMatch(/^[+-]/);
        }
    });

    it("links the Sentinels to each other and to the servers over TLS", async () => {
        await replicasOnline(d, d.servers[0].address);
        const sentinel = adminOn(d, d.sentinels[0].address, 26379);
        try {
            await until(
                "the Sentinels to know each other and both replicas",
                async () => [
                    ((await sentinel.call("SENTINEL", "SENTINELS", d.masterName)) as unknown[]).length,
                    ((await sentinel.call("SENTINEL", "REPLICAS", d.masterName)) as unknown[]).length,
                ],
                ([peers, replicas]) => peers === 2 && replicas === 2,
            );
            expect(await currentPrimary(d, 0)).toBe(d.servers[0].dnsName);
        } finally {
            sentinel.disconnect();
        }
    }, 60_000);

    it("fails over over TLS: a client through the Sentinels writes again after pod 0 is killed, losing no acknowledged write", async () => {
        await sentinelsAcquainted(d, 2);
        const figures = await failoverUnderWrites(d, () => d.servers[0].container.kill({ signal: "SIGKILL" }), SENTINEL);
        console.log(
            `Kubernetes failover over TLS: first write ${figures.recoveredMs} ms after SIGKILL; ${figures.acknowledged} acknowledged`,
        );
        expect(d.servers.slice(1).map((s) => s.dnsName)).toContain(await agreedPrimary(d, { not: d.servers[0].dnsName }));
    }, 60_000);

    it("restarts pod 0 as a replica of the promoted primary, its start script asking the Sentinels over TLS", async () => {
        await agreedPrimary(d, { not: d.servers[0].dnsName });
        await d.servers[0].restart();
        // Named by the Sentinels, not the role its copy recorded (a primary): the TLS connection to them worked.
        await rejoinsAsReplica(d, podServer(d.servers[0]));
    }, 90_000);
});
