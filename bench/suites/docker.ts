// 11. On the Docker engine: a realised DockerRedis (create to healthy, round trip and writes on its internal
// network, localCache invalidation), then a config change on Docker and on Kubernetes (bench/configChange.ts).
// Skipped, with a line saying why, when Docker is not running or a step fails.
import { execFileSync } from "node:child_process";
import Redis from "ioredis";
import { deployDockerRedis, type DockerDeployment } from "../../harness/engine/deployments";
import { deployKubernetesRedis } from "../../harness/engine/kubernetesDeployment";
import { dockerConfigChange, kubernetesConfigChange } from "../configChange";
import { DOCKER } from "../figures";
import { invalidationDelays } from "../localCache";
import { measure, opsPerSecond, pingRttUs, REPS, setsInFlight } from "../measure";
import { announce, record, recordPercentiles } from "../record";
import type { Bench, Suite } from "../suite";

export const docker: Suite = {
    id: "docker",
    figures: DOCKER,
    async run(bench) {
        await bench.mocks();
        let kept: DockerDeployment | undefined;
        try {
            execFileSync("docker", ["info"], { stdio: "ignore" });
            await container(bench, (d) => (kept = d));
            await configChanges(bench);
        } catch (e) {
            process.stderr.write(`\nDocker figures skipped: ${(e as Error).message}\n`);
        } finally {
            await kept?.stop();
        }
    },
};

/** The realised container's figures. `keep` takes the first deployment, measured on, which stays up until the suite ends. */
async function container(bench: Bench, keep: (d: DockerDeployment) => void): Promise<void> {
    let docker: DockerDeployment | undefined;
    await measure(DOCKER.createToHealthy, 3, async () => {
        const t0 = Date.now();
        const d = await deployDockerRedis(bench.name("bench"));
        const seconds = (Date.now() - t0) / 1000;
        if (docker) await d.stop();
        else keep((docker = d));
        return seconds;
    });
    const container = new Redis(docker!.connectionString);
    await measure(DOCKER.ping, REPS, () => pingRttUs(container, 2_000));
    await measure(DOCKER.setInFlight, REPS, () => opsPerSecond(50_000, () => setsInFlight(container, "c:", 50_000, 100)));
    const containerReader = new Redis(docker!.connectionString);
    recordPercentiles(DOCKER.invalidation, await invalidationDelays(containerReader, container, 1_000));
    containerReader.disconnect();
    container.disconnect();
}

/** A config change (here a credential rotation) replaces the container, or rolls the pod. */
async function configChanges(bench: Bench): Promise<void> {
    const name = bench.name("bench");
    const rotating = await deployDockerRedis(name);
    try {
        await measureConfigChange(DOCKER.configChange.docker, () => dockerConfigChange(rotating, name));
    } finally {
        // The successor is not among the containers the harness created.
        await rotating.container.remove({ force: true }).catch(() => undefined);
        await rotating.stop();
    }
    const rolling = await deployKubernetesRedis(bench.name("k"));
    try {
        await measureConfigChange(DOCKER.configChange.kubernetes, () => kubernetesConfigChange(rolling));
    } finally {
        await rolling.realised.pods[0].container.remove({ force: true }).catch(() => undefined);
        await rolling.stop();
    }
}

/** The longest write gap, and the failed writes, of three config changes on one platform. */
async function measureConfigChange(
    figures: (typeof DOCKER.configChange)[keyof typeof DOCKER.configChange],
    change: () => Promise<{ gapMs: number; failed: number }>,
): Promise<void> {
    const failures: number[] = [];
    await measure(figures.longestGap, 3, async () => {
        const { gapMs, failed } = await change();
        failures.push(failed);
        return gapMs;
    });
    announce(figures.failedWrites.name, [figures.failedWrites]);
    record(figures.failedWrites, failures);
}
