import type Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { componentSecrets } from "../../harness/engine/deployments";
import { dockerEngine, TEST_LABEL } from "../../harness/engine/engine";
import { execIn } from "../../harness/engine/exec";
import { realisePods, type Pod, type RealisedPods } from "../../harness/engine/realisePod";
import { installMocks, resourcesOf, type RegisteredResource } from "../../harness/mocks/pulumiMocks";

// The realiser itself, on two StatefulSets: KubernetesRedis's own, and a copy of it under another
// name standing in for the second one a topology registers. Every pod has an infra container holding
// its address and DNS names, so a pod whose container was SIGKILLed still resolves at once (Docker
// drops a stopped container's names, and on an internal network a lookup of a missing name stalls).
describe("realisePods with two StatefulSets on the Docker engine", () => {
    let docker: Docker;
    let realised: RealisedPods;
    let runId: string;
    let serviceName: string;
    let namespace: string;
    beforeAll(async () => {
        await installMocks();
        const { KubernetesRedis } = await import("../../index");
        await componentSecrets(new KubernetesRedis("rp", { replicas: 2 }));
        const resources: RegisteredResource[] = resourcesOf("rp");
        const original = resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet")!;
        const metadata = original.state.metadata as { name: string; namespace: string };
        const spec = original.state.spec as { serviceName: string };
        [serviceName, namespace] = [spec.serviceName, metadata.namespace];
        resources.push({
            ...original,
            name: `${original.name}-copy`,
            state: { ...original.state, metadata: { ...metadata, name: `${metadata.name}-copy` } },
        });
        docker = await dockerEngine();
        realised = await realisePods(docker, resources);
        const label = (await docker.getNetwork(realised.network).inspect()).Labels?.[TEST_LABEL];
        if (label === undefined) throw new Error(`network ${realised.network} has no ${TEST_LABEL} label`);
        runId = label;
    }, 300_000);
    afterAll(async () => {
        await realised?.remove();
    }, 120_000);

    const first = () => realised.statefulSets.get("rp")!;
    const second = () => realised.statefulSets.get("rp-copy")!;

    /** The address `name` resolves to inside `from`'s pod, failing (not stalling) after 5 s. */
    const lookup = async (from: Pod, name: string) => {
        const started = Date.now();
        const { code, output } = await execIn(from.container, ["busybox", "timeout", "5", "busybox", "nslookup", name]);
        const answer = /Address:\s*(\d+(?:\.\d+){3})/.exec(output.slice(output.indexOf("Name:")));
        return { code, address: answer?.[1], ms: Date.now() - started };
    };
    /** What `redis-cli PING` from `from`'s pod to `host` prints: PONG or NOAUTH once it answers at all. */
    const ping = async (from: Pod, host: string) => (await execIn(from.container, ["redis-cli", "-h", host, "PING"])).output;

    it("realises every StatefulSet in registration order, all pods ready, on distinct addresses", async () => {
        expect([...realised.statefulSets.keys()]).toEqual(["rp", "rp-copy"]);
        expect(realised.pods).toBe(first());
        expect([...first(), ...second()].map((p) => p.name)).toEqual(["rp-0", "rp-1", "rp-copy-0", "rp-copy-1"]);
        const all = [...first(), ...second()];
        for (const pod of all) expect(await pod.probe("readinessProbe"), pod.name).toBe(true);
        expect(new Set(all.map((p) => p.address)).size).toBe(all.length);
        // OrderedReady: each pod started after the one before it.
        const started = await Promise.all(all.map(async (p) => Date.parse((await p.container.inspect()).State.StartedAt)));
        expect([...started].sort((a, b) => a - b)).toEqual(started);
    });

    it("gives each pod an infra container holding its network, hostname and names, hardened like the pod", async () => {
        for (const pod of [...first(), ...second()]) {
            const infra = await pod.infra.inspect();
            expect(infra.State.Running).toBe(true);
            expect(infra.Config.Hostname).toBe(pod.name);
            expect(infra.Config.User).toBe("999:1000");
            expect(infra.Config.Labels[TEST_LABEL]).toBe(runId);
            expect((infra.Config as { StopSignal?: string }).StopSignal).toBe("SIGKILL");
            expect(infra.HostConfig.ReadonlyRootfs).toBe(true);
            expect(infra.HostConfig.CapDrop).toEqual(["ALL"]);
            expect(infra.HostConfig.SecurityOpt).toEqual(["no-new-privileges:true"]);
            expect(infra.NetworkSettings.Networks[realised.network]?.IPAddress).toBe(pod.address);
            expect((await pod.container.inspect()).HostConfig.NetworkMode).toBe(`container:${pod.infra.id}`);
            // The replicated topology reads its ordinal from HOSTNAME: the pod name, shared from the infra container.
            expect((await execIn(pod.container, ["sh", "-c", 'echo "$HOSTNAME $(busybox hostname)"'])).output).toContain(
                `${pod.name} ${pod.name}\n`,
            );
        }
    });

    it("resolves the second StatefulSet's pods by their names from the first's, and reaches their Redis", async () => {
        const from = first()[0];
        for (const pod of second()) {
            for (const alias of [pod.name, `${pod.name}.${serviceName}.${namespace}.svc`]) {
                const found = await lookup(from, alias);
                expect(found.code, alias).toBe(0);
                expect(found.address, alias).toBe(pod.address);
            }
            expect(await ping(from, pod.name)).toMatch(/PONG|NOAUTH/);
        }
    });

    it("keeps a pod's name and address while its container is SIGKILLed, and answers again after restart()", async () => {
        const from = first()[0];
        const pod = second()[0];
        await pod.container.kill({ signal: "SIGKILL" });
        while ((await pod.container.inspect()).State.Running) await new Promise((r) => setTimeout(r, 50));
        const found = await lookup(from, pod.name);
        expect(found.code).toBe(0);
        expect(found.address).toBe(pod.address);
        expect(found.ms).toBeLessThan(2_000);
        expect(await ping(from, pod.name)).not.toMatch(/PONG|NOAUTH/);

        await pod.restart();
        const deadline = Date.now() + 30_000;
        while (!(await pod.probe("readinessProbe"))) {
            if (Date.now() > deadline) throw new Error(`${pod.name} not ready 30 s after restart()`);
            await new Promise((r) => setTimeout(r, 250));
        }
        expect(await ping(from, pod.name)).toMatch(/PONG|NOAUTH/);
        expect((await lookup(from, pod.name)).address).toBe(pod.address);
        expect((await pod.infra.inspect()).NetworkSettings.Networks[realised.network]?.IPAddress).toBe(pod.address);
    });

    it("removes every container, volume and the network it created", async () => {
        const labelled = { label: [`${TEST_LABEL}=${runId}`] };
        expect((await docker.listContainers({ all: true, filters: labelled })).length).toBeGreaterThan(0);
        expect((await docker.listVolumes({ filters: labelled })).Volumes.length).toBeGreaterThan(0);
        await realised.remove();
        expect(await docker.listContainers({ all: true, filters: labelled })).toEqual([]);
        expect((await docker.listVolumes({ filters: labelled })).Volumes ?? []).toEqual([]);
        expect(await docker.listNetworks({ filters: labelled })).toEqual([]);
    }, 120_000);
});
