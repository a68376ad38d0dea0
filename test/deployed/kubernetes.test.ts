import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployKubernetesRedis, type KubernetesDeployment } from "../../harness/engine/kubernetesDeployment";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { isServer, serverOf } from "../../harness/client/serverInfo";
import { DEFAULT_SERVER, SERVERS } from "../../redis/servers";

// Two pods of the StatefulSet on the Docker engine, started by their own command, with
// their Secret files as the kubelet would project them: pod 1 must replicate pod 0 by its
// stable DNS name, and every probe must pass without the password in argv or env. On every server:
// the probes run the server's own client, which is the only one its stand-in image carries.
describe.each(SERVERS)("KubernetesRedis pods of $title with replicas on the Docker engine", (kind) => {
    let d: KubernetesDeployment;
    beforeAll(async () => {
        await installMocks();
        d = await deployKubernetesRedis(kind === DEFAULT_SERVER ? "ha" : `ha${kind.name.replace("-", "")}`, {
            server: kind.name,
            replicas: 2,
        });
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    /** The app user on pod i, or with `admin` the operators' user (ROLE is theirs alone). */
    const clientOf = (i: number, admin = false) => {
        const url = new URL(admin ? d.adminConnectionString : d.connectionString);
        url.hostname = d.realised.pods[i].address;
        return new Redis(url.toString(), { maxRetriesPerRequest: 1 });
    };

    it("runs the chosen server", async () => {
        const identity = await serverOf(d.adminConnectionString);
        expect(isServer(identity, kind), JSON.stringify(identity)).toBe(true);
    });

    it("replicates pod 0 to pod 1 as the replication user, and pod 1 refuses writes", async () => {
        const primary = clientOf(0);
        const replica = clientOf(1);
        const [primaryAdmin, replicaAdmin] = [clientOf(0, true), clientOf(1, true)];
        try {
            await expect(primary.call("ROLE")).rejects.toThrow(/NOPERM/);
            expect(((await primaryAdmin.call("ROLE")) as unknown[])[0]).toBe("master");
            expect(((await replicaAdmin.call("ROLE")) as unknown[])[0]).toBe("slave");
            expect(await primaryAdmin.client("LIST")).toContain(" user=replication ");
            await primary.set("replicated", "yes", "EX", 60);
            expect(await primary.wait(1, 10_000)).toBe(1);
            expect(await replica.get("replicated")).toBe("yes");
            await expect(replica.set("x", "y")).rejects.toThrow(/READONLY/);
        } finally {
            for (const c of [primary, replica, primaryAdmin, replicaAdmin]) c.disconnect();
        }
    });

    it("passes its startup, liveness and readiness probes on both pods", async () => {
        for (const pod of d.realised.pods) {
            expect(await pod.probe("startupProbe")).toBe(true);
            expect(await pod.probe("livenessProbe")).toBe(true);
            expect(await pod.probe("readinessProbe")).toBe(true);
        }
    });

    it("runs non-root on a read-only root with the password nowhere in its configuration", async () => {
        for (const pod of d.realised.pods) {
            const info = await pod.container.inspect();
            expect(info.Config.User).toBe("999:1000");
            expect(info.HostConfig.ReadonlyRootfs).toBe(true);
            expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
            expect(JSON.stringify([info.Config.Cmd, info.Config.Entrypoint, info.Config.Env, info.Config.Labels])).not.toContain(
                d.password,
            );
        }
    });
});
