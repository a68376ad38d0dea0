import Docker from "dockerode";

/** The local Docker engine. Absent engine: a failure, never a skip (`.ci/run` starts dockerd). */
export async function dockerEngine(): Promise<Docker> {
    const docker = new Docker({ socketPath: process.env.DOCKER_SOCKET ?? "/var/run/docker.sock" });
    try {
        await docker.ping();
    } catch (e) {
        throw new Error(
            `no Docker engine at /var/run/docker.sock (${(e as Error).message}); install docker.io and start dockerd (.ci/run does)`,
        );
    }
    return docker;
}

/** Label on everything the tests create, so cleanup finds it even after a crash. */
export const TEST_LABEL = "hardened-redis.test-run";
