// What a config change costs in availability. On `pulumi up`, a new config (here: a credential
// rotation, so both passwords are accepted) replaces the Docker container, deleting the old one
// first so two servers never append to one AOF; on Kubernetes it rolls the pods, pod 0 (the one
// behind the client Service) last, each stopped before its successor starts. A client that keeps
// writing with the previous generation's password sees a gap.
import { DEFAULT_SERVER } from "../redis/servers";
import { createServer, connect as tcpConnect, type AddressInfo, type Socket } from "node:net";
import type Docker from "dockerode";
import Redis from "ioredis";
import { sizeRedisForContainer } from "../platforms/common/serverArgs";
import { CONFIG_DIR, REDIS_GID } from "../redis/container";
import { hardenedUsers } from "../redis/acl/users";
import type { DockerDeployment } from "../harness/engine/deployments";
import type { KubernetesDeployment } from "../harness/engine/kubernetesDeployment";
import { addressOn, tarOf, waitHealthy } from "../harness/engine/realise";
import { generatedPassword } from "../harness/local/localRedis";
import { renderRedisConfig } from "../redis/config/render";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The next generation's files for a default component: a new password per user next to the app's current one. */
function rotatedFiles(oldAppPassword: string, configCommandName: string): { files: Record<string, string>; appPassword: string } {
    const appPassword = generatedPassword();
    const users = hardenedUsers({ app: [appPassword, oldAppPassword], admin: [generatedPassword()], replication: [] });
    return { files: renderRedisConfig({ ...sizeRedisForContainer({}, 256, DEFAULT_SERVER), users, configCommandName }), appPassword };
}

/** A Redis container to replace, and how its platform delivers files and routes clients. */
interface Replaceable {
    docker: Docker;
    container: Docker.Container;
    /** The connection string the client holds (any host: the address is filled in). */
    connectionString: string;
    /** Where `container` is reached on the network (Docker: its own address; Kubernetes: its pod's infra container's). */
    addressOf(container: Docker.Container): Promise<string>;
    /** The successor's create options, like the old container (`old`, inspected before it stopped). */
    successorOf(old: Docker.ContainerInspectInfo): Docker.ContainerCreateOptions;
    /** Puts the new generation's files where the successor will read them. */
    deliver(files: Record<string, string>): Promise<void>;
    /** Where clients connect; `route` is told where traffic goes (undefined: nowhere) as the platform would. */
    clientAddress(address: string): { host: string; port?: number };
    route(address: string | undefined): void;
    /** Resolves when the platform would send the successor traffic (Docker: once it is on the network; Kubernetes: ready). */
    routable(container: Docker.Container): Promise<void>;
}

/**
 * A stand-in for a Kubernetes Service on loopback: it forwards new connections to the current
 * endpoint, and refuses them while there is none (between a pod's termination and its successor's
 * readiness), as kube-proxy does with an empty endpoint list.
 */
async function serviceStandIn(
    port: number,
): Promise<{ port: number; setEndpoint(address: string | undefined): void; close(): Promise<void> }> {
    let endpoint: string | undefined;
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
        if (endpoint === undefined) return void client.destroy();
        const upstream = tcpConnect(port, endpoint);
        for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("close", () => sockets.delete(s));
            s.on("error", () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as AddressInfo).port,
        setEndpoint: (address) => (endpoint = address),
        close: async () => {
            for (const s of sockets) s.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

/**
 * Replaces `target.container` with a successor on new files while a client writes every 5 ms with
 * the old password; returns the longest time between two acknowledged writes, how many writes
 * failed, and the successor (the caller removes it: the harness did not create it).
 */
async function replacementGap(
    target: Replaceable,
    files: Record<string, string>,
): Promise<{ gapMs: number; failed: number; successor: Docker.Container }> {
    let address = await target.addressOf(target.container);
    target.route(address);
    const connect = () => {
        const url = new URL(target.connectionString);
        const { host, port } = target.clientAddress(address);
        url.hostname = host;
        if (port !== undefined) url.port = String(port);
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
        await target.deliver(files);
        const old = await target.container.inspect();
        // The old one stops taking traffic as it terminates.
        target.route(undefined);
        await target.container.stop({ t: 30 });
        await target.container.remove();
        const successor = await target.docker.createContainer(target.successorOf(old));
        await successor.start();
        await target.routable(successor);
        address = await target.addressOf(successor);
        target.route(address);
        // Until the client has written to the successor with its old password.
        const routedAt = Date.now();
        while (last < routedAt && Date.now() - routedAt < 10_000) await sleep(10);
        if (last < routedAt) throw new Error("the client never wrote to the new container with its old password");
        await sleep(300);
        return { gapMs, failed, successor };
    } finally {
        running = false;
        await writer;
        client.disconnect();
    }
}

/** A config change of a realised DockerRedis named `name`: the config writer gets the files, then the container is replaced. */
export async function dockerConfigChange(d: DockerDeployment, name: string): Promise<{ gapMs: number; failed: number }> {
    const configWriter = d.realised.containers.get(`${name}-config`);
    if (!configWriter) throw new Error("no config writer container");
    const { gapMs, failed, successor } = await replacementGap(
        {
            ...d,
            addressOf: (container) => addressOn(container, d.network),
            // On the same network under the same aliases.
            successorOf: (old) => {
                // Aliases are missing from dockerode's EndpointSettings type.
                const endpoint = old.NetworkSettings.Networks[d.network] as { Aliases?: string[] } | undefined;
                return {
                    ...old.Config,
                    name: old.Name.replace(/^\//, ""),
                    HostConfig: old.HostConfig,
                    NetworkingConfig: { EndpointsConfig: { [d.network]: { Aliases: endpoint?.Aliases ?? [] } } },
                };
            },
            deliver: async (files) => {
                for (const [file, content] of Object.entries(files)) {
                    await configWriter.putArchive(tarOf(`${CONFIG_DIR.slice(1)}/${file}`, Buffer.from(content), 0o444), { path: "/" });
                }
            },
            // Clients resolve the alias to whichever container is attached: no gate in between.
            clientAddress: (address) => ({ host: address }),
            route: () => undefined,
            routable: () => Promise.resolve(),
        },
        rotatedFiles(d.password, d.configCommandName).files,
    );
    // The provider waits for healthy before it reports the update done.
    await waitHealthy(successor, 60_000);
    d.container = successor;
    d.address = await addressOn(successor, d.network);
    return { gapMs, failed };
}

/**
 * A config change of a realised single-pod KubernetesRedis: pod 0 is replaced on the new Secret's
 * files (root-owned, group fsGroup, mode 0440, as the kubelet projects them) and receives traffic
 * again once its readiness probe passes.
 */
export async function kubernetesConfigChange(k: KubernetesDeployment): Promise<{ gapMs: number; failed: number }> {
    const pod = k.realised.pods[0];
    const docker = k.docker;
    const info = await pod.container.inspect();
    const volume = info.Mounts.find((m) => m.Destination === CONFIG_DIR)?.Name;
    if (!volume) throw new Error("pod 0 has no config volume");
    const { files, appPassword } = rotatedFiles(k.password, k.configCommandName);
    const image = info.Image;
    const service = await serviceStandIn(Number(new URL(k.connectionString).port));
    try {
        const { gapMs, failed, successor } = await replacementGap(
            {
                docker,
                container: pod.container,
                connectionString: k.connectionString,
                // The pod's address is its infra container's, whichever container the pod runs.
                addressOf: () => addressOn(pod.infra, k.realised.network),
                // As the kubelet replaces a pod's container: in the infra container's network namespace,
                // whose hostname and DNS names it takes. Docker refuses a hostname, networks or exposed
                // ports (inspect lists the image's, e.g. the official redis image's 6379) of its own there.
                successorOf: (old) => ({
                    ...old.Config,
                    Hostname: undefined,
                    ExposedPorts: undefined,
                    name: old.Name.replace(/^\//, ""),
                    HostConfig: { ...old.HostConfig, NetworkMode: `container:${pod.infra.id}` },
                }),
                deliver: async (secretFiles) => {
                    const writer = await docker.createContainer({
                        Image: image,
                        HostConfig: { NetworkMode: "none", Binds: [`${volume}:/secret`] },
                    });
                    try {
                        for (const [file, content] of Object.entries({ ...secretFiles, password: appPassword })) {
                            await writer.putArchive(tarOf(`secret/${file}`, Buffer.from(content), 0o440, REDIS_GID), { path: "/" });
                        }
                    } finally {
                        await writer.remove({ force: true });
                    }
                },
                clientAddress: () => ({ host: "127.0.0.1", port: service.port }),
                route: (address) => service.setEndpoint(address),
                // As the kubelet: the startup probe, then the readiness probe, each at its period.
                routable: async (container) => {
                    pod.container = container;
                    const deadline = Date.now() + 120_000;
                    for (const which of ["startupProbe", "readinessProbe"] as const) {
                        while (!(await pod.probe(which))) {
                            if (Date.now() > deadline) throw new Error(`pod 0 failed its ${which} for 120 s`);
                            await sleep(pod.periodMs(which));
                        }
                    }
                },
            },
            files,
        );
        pod.container = successor;
        pod.address = await addressOn(pod.infra, k.realised.network);
        return { gapMs, failed };
    } finally {
        await service.close();
    }
}
