import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployKubernetesRedis, type KubernetesDeployment } from "../../harness/engine/kubernetesDeployment";
import { execIn } from "../../harness/engine/exec";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { plaintextReply, sClient } from "../../harness/client/tlsProbes";

// Two TLS pods on the Docker engine, their Secrets projected as the kubelet would: pod 1 must
// replicate pod 0 over TLS (pod 0 has no other listener) and every probe must pass over TLS.
describe("KubernetesRedis pods with tls and replicas on the Docker engine", () => {
    let d: KubernetesDeployment;
    beforeAll(async () => {
        await installMocks();
        d = await deployKubernetesRedis("tlsha", { replicas: 2, tls: { enabled: true } });
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    const clientOf = (i: number, admin = false) => {
        const url = new URL(admin ? d.adminConnectionString : d.connectionString);
        url.hostname = d.realised.pods[i].address;
        // Each pod's certificate names the Service, which the test reaches through the pod's address.
        return new Redis(url.toString(), { tls: { ca: d.tls?.caCertificate, servername: d.tls?.servername }, maxRetriesPerRequest: 1 });
    };

    it("replicates pod 0 to pod 1 over TLS: pod 0 listens for nothing else, and the link is up", async () => {
        const [primary, replica] = [clientOf(0), clientOf(1)];
        const [primaryAdmin, replicaAdmin] = [clientOf(0, true), clientOf(1, true)];
        try {
            expect(d.connectionString.startsWith("rediss://")).toBe(true);
            for (const admin of [primaryAdmin, replicaAdmin]) {
                const configName = d.configCommandName;
                expect(await admin.call(configName, "GET", "port")).toEqual(["port", "0"]);
                expect(await admin.call(configName, "GET", "tls-replication")).toEqual(["tls-replication", "yes"]);
            }
            await primary.set("replicated", "over-tls", "EX", 60);
            // WAIT returns once the replica acknowledged the write, i.e. once its link is up.
            expect(await primary.wait(1, 10_000)).toBe(1);
            expect(await replicaAdmin.info("replication")).toMatch(/master_link_status:up/);
            expect(await primaryAdmin.client("LIST")).toContain(" user=replication ");
            expect(await replica.get("replicated")).toBe("over-tls");
            await expect(replica.set("x", "y")).rejects.toThrow(/READONLY/);
        } finally {
            for (const c of [primary, replica, primaryAdmin, replicaAdmin]) c.disconnect();
        }
    });

    it("serves a certificate for the Service and each pod's DNS name, and no plaintext", async () => {
        // The Service's name, <service>.<namespace>.svc.cluster.local, tells the generated namespace.
        const service = d.tls?.servername ?? "";
        const namespace = service.split(".")[1];
        for (const [i, pod] of d.realised.pods.entries()) {
            for (const name of [service, `tlsha-${i}.tlsha-headless.${namespace}.svc`]) {
                const { status, output } = sClient(pod.address, 6379, d.tls?.caCertificate ?? "", ["-verify_hostname", name]);
                expect(status, `${pod.name} as ${name}`).toBe(0);
                expect(output).toMatch(/New, TLSv1\.3, Cipher is TLS_/);
            }
            expect(await plaintextReply(pod.address, 6379)).not.toMatch(/^[+-]/);
        }
    });

    it("passes its startup, liveness and readiness probes over TLS on both pods", async () => {
        for (const pod of d.realised.pods) {
            expect(await pod.probe("startupProbe")).toBe(true);
            expect(await pod.probe("livenessProbe")).toBe(true);
            expect(await pod.probe("readinessProbe")).toBe(true);
        }
    });

    it("projects the private key readable by root and the pod's fsGroup alone, which the Redis process reads it through", async () => {
        const pod = d.realised.pods[0];
        const key = "/usr/local/etc/redis/tls.key";
        // Every process in the pod carries the fsGroup; the pod runs nothing but Redis.
        expect((await execIn(pod.container, ["busybox", "stat", "-L", "-c", "%a %u %g", key], "999:1000")).output).toMatch(
            /\b440 0 1000\n/,
        );
        expect((await execIn(pod.container, ["sh", "-c", `cat ${key} > /dev/null`], "999:1000")).code).toBe(0);
        const info = await pod.container.inspect();
        expect(JSON.stringify([info.Config.Cmd, info.Config.Entrypoint, info.Config.Env]).includes(d.password)).toBe(false);
    });
});
