import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployDockerRedis, type DockerDeployment } from "../../harness/engine/deployments";
import { execIn } from "../../harness/engine/exec";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { plaintextReply, sClient } from "../../harness/client/tlsProbes";

describe("DockerRedis with tls on the Docker engine", () => {
    let d: DockerDeployment;

    beforeAll(async () => {
        await installMocks();
        d = await deployDockerRedis("tlscache", { tls: { enabled: true } });
    }, 300_000);

    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    it("turns healthy through a TLS health check that carries no password", async () => {
        const info = await d.container.inspect();
        expect(info.State.Health?.Status).toBe("healthy");
        expect(info.Config.Healthcheck?.Test?.[1]).toContain("redis-cli --tls --cacert /usr/local/etc/redis/ca.crt");
        expect(JSON.stringify(info.Config).includes(d.password)).toBe(false);
    });

    it("serves TLS 1.3 with a certificate for its network alias that the exported CA verifies", () => {
        const tls = d.tls;
        expect(tls?.servername).toBe("tlscache");
        const { output, status } = sClient(d.address, 6379, tls?.caCertificate ?? "", ["-tls1_3", "-verify_hostname", "tlscache"]);
        expect(status).toBe(0);
        expect(output).toMatch(/New, TLSv1\.3, Cipher is TLS_/);
        expect(output).toContain("Verify return code: 0 (ok)");
        // The certificate names the alias, not the address.
        expect(sClient(d.address, 6379, tls?.caCertificate ?? "", ["-verify_hostname", "elsewhere"]).status).not.toBe(0);
    });

    it("refuses TLS 1.1 and has no plaintext listener", async () => {
        const old = sClient(d.address, 6379, d.tls?.caCertificate ?? "", ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"]);
        expect(old.status).not.toBe(0);
        expect(old.output).toContain("Cipher is (NONE)");
        expect(await plaintextReply(d.address, 6379)).not.toMatch(/^[+-]/);
    });

    it("serves the rediss:// connection strings, unchanged but for the address, to a client trusting the CA", async () => {
        expect(new URL(d.connectionString).protocol).toBe("rediss:");
        const tls = { ca: d.tls?.caCertificate, servername: d.tls?.servername };
        const app = new Redis(d.connectionString, { tls, maxRetriesPerRequest: 1 });
        const admin = new Redis(d.adminConnectionString, { tls, maxRetriesPerRequest: 1 });
        try {
            expect(await app.call("ACL", "WHOAMI")).toBe("app");
            await app.set("tls:deployed", "yes");
            expect(await app.get("tls:deployed")).toBe("yes");
            expect(await admin.call(d.configCommandName, "GET", "port")).toEqual(["port", "0"]);
        } finally {
            app.disconnect();
            admin.disconnect();
        }
    });

    it("mounts the key read-only: Redis reads it, nothing can rewrite it", async () => {
        // Uploads are root-owned, so 0444 is the only mode uid 999 can read; the volume is read-only.
        expect((await execIn(d.container, ["sh", "-c", "cat /usr/local/etc/redis/tls.key > /dev/null"])).code).toBe(0);
        expect((await execIn(d.container, ["sh", "-c", "echo x > /usr/local/etc/redis/tls.key"])).code).not.toBe(0);
    });
});
