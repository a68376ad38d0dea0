import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployKubernetesSentinel, type KubernetesSentinelDeployment } from "../../harness/engine/kubernetesDeployment";
import { partition } from "../../harness/engine/partition";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { podServer } from "../../harness/engine/restarts";
import { rejoinsAsReplica } from "../../harness/engine/restartScenarios";
import { failoverBoundMs } from "../../harness/client/failover";
import {
    adminOn,
    agreedPrimary,
    currentPrimary,
    failoverUnderWrites,
    partitionLoss,
    replicasOnline,
    sentinelsAcquainted,
    until,
} from "../../harness/engine/sentinelDeployment";

const SENTINEL = { downAfterMilliseconds: 1_000, failoverTimeoutMilliseconds: 10_000 };

// KubernetesRedis with three Redis pods and three Sentinel pods, realised on the Docker engine as
// a kubelet would run them (each pod in its own network namespace, named through its headless
// Service): kill the primary's container under load, and the Sentinels promote a replica.
describe("KubernetesRedis with Sentinel, its pods realised on the Docker engine", () => {
    let d: KubernetesSentinelDeployment;
    beforeAll(async () => {
        await installMocks();
        d = await deployKubernetesSentinel("ha", {
            replicas: 3,
            sentinel: { enabled: true, ...SENTINEL },
        });
    }, 300_000);
    afterAll(async () => {
        await d?.stop();
    }, 120_000);

    it("hands out a Sentinel connection string naming each Sentinel pod through its headless Service", () => {
        expect(d.connectionString).toMatch(
            /^redis\+sentinel:\/\/app:[^@]+@ha-sentinel-0\.ha-sentinel\.[a-z0-9-]+\.svc:26379,ha-sentinel-1\.[^,]+,ha-sentinel-2\.[^/]+\/ha\/0$/,
        );
        expect(d.servers).toHaveLength(3);
        expect(d.sentinels).toHaveLength(3);
    });

    it("names every server and Sentinel by its pod DNS name, never by an address", async () => {
        const admin = adminOn(d, d.servers[0].address);
        try {
            const info = await replicasOnline(d, d.servers[0].address);
            for (const replica of d.servers.slice(1)) expect(info).toContain(`ip=${replica.dnsName},port=6379,state=online`);
        } finally {
            admin.disconnect();
        }
        const sentinel = adminOn(d, d.sentinels[0].address, 26379);
        try {
            const names = (reply: unknown) => (reply as string[][]).map((fields) => fields[fields.indexOf("name") + 1]).sort();
            await until(
                "the Sentinels to know each other and both replicas",
                async () => [
                    names(await sentinel.call("SENTINEL", "SENTINELS", d.masterName)).length,
                    names(await sentinel.call("SENTINEL", "REPLICAS", d.masterName)),
                ],
                ([peers, replicas]) =>
                    peers === 2 && JSON.stringify(replicas) === JSON.stringify(d.servers.slice(1).map((s) => `${s.dnsName}:6379`)),
            );
            expect(await currentPrimary(d, 0)).toBe(d.servers[0].dnsName);
        } finally {
            sentinel.disconnect();
        }
    }, 60_000);

    it("fails over when the primary's container is killed: writes resume by themselves, none a replica acknowledged is lost", async () => {
        await replicasOnline(d, d.servers[0].address);
        await sentinelsAcquainted(d, 2);
        const figures = await failoverUnderWrites(d, () => d.servers[0].container.kill({ signal: "SIGKILL" }), SENTINEL);
        console.log(
            `Kubernetes failover: first write ${figures.recoveredMs} ms after SIGKILL; ${figures.acknowledged} acknowledged, ${figures.unconfirmed} unconfirmed`,
        );
        expect(d.servers.slice(1).map((s) => s.dnsName)).toContain(await agreedPrimary(d, { not: d.servers[0].dnsName }));
    }, 60_000);

    it("takes pod 0 back, restarted by the kubelet, as a replica of the promoted primary from its first reply", async () => {
        await agreedPrimary(d, { not: d.servers[0].dnsName });
        await d.servers[0].restart();
        await rejoinsAsReplica(d, podServer(d.servers[0]));
    }, 90_000);

    it("keeps following the promoted primary when every Sentinel pod restarts at once", async () => {
        const promoted = await agreedPrimary(d);
        await Promise.all(d.sentinels.map((s) => s.container.stop({ t: 10 })));
        await Promise.all(d.sentinels.map((s) => s.restart()));
        const names = await until(
            "every Sentinel to answer again",
            () => Promise.all(d.sentinels.map((_, i) => currentPrimary(d, i))),
            () => true,
        );
        expect(names).toEqual([promoted, promoted, promoted]);
    }, 90_000);

    it("bounds a partition's loss: the cut-off primary refuses writes within min-replicas-max-lag, the majority side promotes a replica", async () => {
        const name = await currentPrimary(d, 0);
        const primary = d.servers.find((s) => s.dnsName === name);
        if (!primary) throw new Error(`no pod named ${name}`);
        // Cut in the pod's own network namespace: its DNS record stays, as on a cluster.
        const figures = await partitionLoss(
            d,
            { name, address: primary.address },
            () => partition(primary.infra),
            failoverBoundMs(SENTINEL),
        );
        console.log(
            `Kubernetes partition: the cut-off primary took ${figures.accepted} writes in its first ${figures.lastAcceptedMs} ms (all lost on healing), refused from ${figures.refusedMs} ms`,
        );
    }, 180_000);
});
