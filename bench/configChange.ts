// What a config change costs in availability on Docker. On `pulumi up`, a new config (here: a
// credential rotation, so both passwords are accepted) makes the provider replace the config
// writer and then the Redis container, deleting the old one first so two servers never append to
// one AOF. A client that keeps writing with the previous generation's password sees a gap.
import type Docker from "dockerode";
import Redis from "ioredis";
import { sizeRedisForContainer } from "../components/containerSettings";
import { renderRedisConfig } from "../components/redisConfig";
import { CONFIG_DIR } from "../components/redisContainer";
import { hardenedUsers } from "../components/redisUsers";
import type { DockerDeployment } from "../harness/docker/deployments";
import { addressOn, tarOf, waitHealthy } from "../harness/docker/realise";
import { generatedPassword } from "../harness/localRedis";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The next generation's files for a default DockerRedis: a new password per user next to the app's current one. */
function rotatedFiles(d: DockerDeployment): Record<string, string> {
    const users = hardenedUsers({
        app: [generatedPassword(), d.password],
        admin: [generatedPassword()],
        replication: [generatedPassword()],
    });
    return renderRedisConfig({ ...sizeRedisForContainer({}, 256), users, configCommandName: d.configCommandName });
}

/**
 * Replaces the Redis container of `d` as the provider does for a new config, while a client
 * writes every 5 ms; returns the longest time between two acknowledged writes and how many
 * writes failed. The client holds the old password throughout.
 */
export async function configChangeGap(d: DockerDeployment, name: string): Promise<{ gapMs: number; failed: number }> {
    let address = d.address;
    const connect = () => {
        const url = new URL(d.connectionString);
        url.hostname = address;
        const client = new Redis(url.toString(), { maxRetriesPerRequest: 0, commandTimeout: 200, retryStrategy: () => null });
        client.on("error", () => {});
        return client;
    };
    let client = connect();
    let last = Date.now();
    let gapMs = 0;
    let failed = 0;
    let running = true;
    const writer = (async () => {
        for (let i = 0; running; i++) {
            const ok = await client.set(`avail:${i % 100}`, String(i), "EX", 60).then(
                () => true,
                () => false,
            );
            const now = Date.now();
            if (ok) {
                gapMs = Math.max(gapMs, now - last);
                last = now;
            } else {
                failed += 1;
                if (client.status === "end" || client.status === "close") {
                    client.disconnect();
                    client = connect();
                }
            }
            await sleep(5);
        }
    })();
    try {
        await sleep(500);
        const configWriter = d.realised.containers.get(`${name}-config`);
        if (!configWriter) throw new Error("no config writer container");
        for (const [file, content] of Object.entries(rotatedFiles(d))) {
            await configWriter.putArchive(tarOf(`${CONFIG_DIR.slice(1)}/${file}`, Buffer.from(content), 0o444), { path: "/" });
        }
        const old = await d.container.inspect();
        // Aliases are missing from dockerode's EndpointSettings type.
        const endpoint = old.NetworkSettings.Networks[d.network] as { Aliases?: string[] } | undefined;
        const aliases = endpoint?.Aliases ?? [];
        await d.container.stop({ t: 30 });
        await d.container.remove();
        const replacement: Docker.Container = await d.docker.createContainer({
            ...old.Config,
            name: old.Name.replace(/^\//, ""),
            HostConfig: old.HostConfig,
            NetworkingConfig: { EndpointsConfig: { [d.network]: { Aliases: aliases } } },
        });
        await replacement.start();
        await waitHealthy(replacement, 60_000);
        d.container = replacement;
        address = await addressOn(replacement, d.network);
        d.address = address;
        // Until the client has written to the new container.
        const replacedAt = Date.now();
        while (last < replacedAt && Date.now() - replacedAt < 10_000) await sleep(10);
        if (last < replacedAt) throw new Error("the client never wrote to the new container with its old password");
        await sleep(300);
    } finally {
        running = false;
        await writer;
        client.disconnect();
    }
    return { gapMs, failed };
}
