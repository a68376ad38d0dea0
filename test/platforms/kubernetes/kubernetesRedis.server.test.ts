import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as k8s from "@pulumi/kubernetes";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymousClient, freeLoopbackPort, launchRedis } from "../../../harness/local/localRedis";
import { installMocks, resourcesOf, single, unwrapSecrets, valueOf } from "../../../harness/mocks/pulumiMocks";

type Container = k8s.types.output.core.v1.Container;

const CONFIG_DIR = "/usr/local/etc/redis";

/** One pod of the StatefulSet, run as a local process with its mounts remapped into a temp dir. */
interface Pod {
    port: number;
    configDir: string;
    /** Runs one of the container's probes, remapped the same way; true when it passes. */
    probe(which: "startupProbe" | "livenessProbe" | "readinessProbe"): boolean;
    stop(): Promise<void>;
}

// What the pods would mount, booted for real: proves the pod spec starts Redis with its
// mounted config, which schema checks cannot.
describe("KubernetesRedis pods booted from the files their Secret carries", () => {
    let root: string;
    let container: Container;
    let files: Record<string, string>;
    let password: string;
    let adminPassword: string;
    let configCommandName: string;
    const pods: Pod[] = [];

    beforeAll(async () => {
        await installMocks();
        const { KubernetesRedis } = await import("../../../index");
        const redis = new KubernetesRedis("boot", { replicas: 2, namespace: "boot" });
        let adminUrl: string;
        [password, configCommandName, adminUrl] = await Promise.all([
            valueOf(redis.password),
            valueOf(redis.configCommandName),
            valueOf(redis.adminConnectionString),
            valueOf(redis.statefulSetName),
        ]);
        adminPassword = decodeURIComponent(new URL(adminUrl).password);
        const resources = resourcesOf("boot");
        const statefulSet = unwrapSecrets(
            single(resources, "kubernetes:apps/v1:StatefulSet").inputs,
        ) as k8s.types.output.apps.v1.StatefulSet;
        container = statefulSet.spec.template.spec.containers[0];
        files = unwrapSecrets(single(resources, "kubernetes:core/v1:Secret").inputs.stringData) as Record<string, string>;
        root = await mkdtemp(join(tmpdir(), "hardened-redis-pods-"));
        pods.push(await startPod(0));
        pods.push(await startPod(1, pods[0].port));
    });

    afterAll(async () => {
        for (const pod of pods.reverse()) await pod.stop();
        if (root) await rm(root, { recursive: true, force: true });
    });

    /** Starts pod `ordinal` with the container's own command, as the kubelet would (HOSTNAME = pod name). */
    async function startPod(ordinal: number, primaryPort?: number): Promise<Pod> {
        const port = await freeLoopbackPort();
        const configDir = join(root, `boot-${ordinal}`, CONFIG_DIR);
        const dataDir = join(root, `boot-${ordinal}`, "data");
        await mkdir(configDir, { recursive: true });
        await mkdir(dataDir, { recursive: true });
        const remap = (text: string) =>
            text
                .replaceAll(CONFIG_DIR, configDir)
                .replace(/^dir \/data$/m, `dir ${dataDir}`)
                .replace(/^port 6379$/m, `port ${port}`)
                // Loopback only: the pod listens on every interface of its own network namespace.
                .replace(/^bind .*$/m, "bind 127.0.0.1")
                .replace(/^replicaof \S+ 6379$/m, `replicaof 127.0.0.1 ${primaryPort}`)
                .replaceAll("-p 6379", `-p ${port}`);
        for (const [file, content] of Object.entries(files)) await writeFile(join(configDir, file), remap(content), { mode: 0o440 });
        const env = { PATH: process.env.PATH, HOSTNAME: `boot-${ordinal}` };
        const server = await launchRedis(container.command.map(remap), port, env);
        return {
            port,
            configDir,
            probe(which) {
                const command = container[which].exec.command.map(remap);
                return spawnSync(command[0], command.slice(1), { env, timeout: 10_000 }).status === 0;
            },
            stop: () => server.stop(),
        };
    }

    /** The app user, or with `admin` the operators' user (ROLE and CONFIG are theirs alone). */
    const client = (pod: Pod, admin = false) =>
        new Redis({
            port: pod.port,
            host: "127.0.0.1",
            username: admin ? "admin" : "app",
            password: admin ? adminPassword : password,
            maxRetriesPerRequest: 0,
            retryStrategy: () => null,
        });

    it("starts pod 0 as the primary and pod 1 as its replica, by the container's own command", async () => {
        const primary = client(pods[0]);
        const replica = client(pods[1]);
        const [primaryAdmin, replicaAdmin] = [client(pods[0], true), client(pods[1], true)];
        try {
            expect(((await primaryAdmin.call("ROLE")) as unknown[])[0]).toBe("master");
            expect(((await replicaAdmin.call("ROLE")) as unknown[])[0]).toBe("slave");
            // The replica authenticated as the replication user.
            expect(await primaryAdmin.client("LIST")).toContain(" user=replication ");
            await primary.set("written-to-primary", "yes");
            expect(await primary.wait(1, 10_000)).toBe(1);
            expect(await replica.get("written-to-primary")).toBe("yes");
            await expect(replica.set("x", "y")).rejects.toThrow(/READONLY/);
        } finally {
            for (const c of [primary, replica, primaryAdmin, replicaAdmin]) c.disconnect();
        }
    });

    it("serves only authenticated clients, with CONFIG renamed and AOF everysec", async () => {
        const anonymous = anonymousClient(pods[0].port);
        const primary = client(pods[0], true);
        try {
            await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
            const app = client(pods[0]);
            await expect(app.call(configCommandName, "GET", "dir")).rejects.toThrow(/NOPERM/);
            app.disconnect();
            await expect(primary.call("CONFIG", "GET", "appendonly")).rejects.toThrow(/unknown command/);
            expect(await primary.call(configCommandName, "GET", "appendonly")).toEqual(["appendonly", "yes"]);
            expect(await primary.call(configCommandName, "GET", "appendfsync")).toEqual(["appendfsync", "everysec"]);
            expect(await primary.call(configCommandName, "GET", "maxmemory")).toEqual(["maxmemory", String(192 * 1024 * 1024)]);
            await expect(primary.call("FLUSHALL")).rejects.toThrow(/unknown command/);
        } finally {
            anonymous.disconnect();
            primary.disconnect();
        }
    });

    it("passes its startup, liveness and readiness probes on both pods", () => {
        for (const pod of pods) {
            expect(pod.probe("startupProbe")).toBe(true);
            expect(pod.probe("livenessProbe")).toBe(true);
            expect(pod.probe("readinessProbe")).toBe(true);
        }
    });

    it("is not ready with a wrong password file, but still alive", async () => {
        const passwordFile = join(pods[0].configDir, "password");
        await writeFile(passwordFile, "not-the-password-0123456789");
        try {
            expect(pods[0].probe("readinessProbe")).toBe(false);
            expect(pods[0].probe("livenessProbe")).toBe(true);
        } finally {
            await writeFile(passwordFile, files.password);
        }
    });
});
