// DockerRedis: wiring only. What it deploys is decided by dockerPlan.ts; this creates the
// resources the plan describes and connects them.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { SENTINEL_PORT } from "../../policies/shared/ports";
import { CONFIG_DIR, configHash, TLS_FILES } from "../../redis/container";
import { EXPORTER_FILES, EXPORTER_SECRETS_DIR, exporterPasswordFile } from "../../redis/metrics/exporter";
import { RedisConfigError } from "../../redis/redisConfigError";
import { redisAccess, type RedisAccess } from "../common/credentials";
import { assignOutputs } from "../common/outputs";
import { renderSentinelFile, renderServerFiles } from "../common/render";
import { generateTls, providedTls, type RedisTls } from "../common/tls";
import type { DockerRedisTlsArgs } from "../common/tlsArgs";
import type { DockerRedisArgs } from "./dockerArgs";
import {
    dockerDnsNames,
    dockerLabels,
    dockerPrimary,
    exporterAddresses,
    exporterPresentsCertificate,
    metricsEndpoints,
    needsNetworkHolders,
    planDockerRedis,
    planExporter,
    planNetworkHolder,
    planSentinelContainer,
    planServer,
    planWriter,
    sentinelFile,
    serverResourceName,
    type DockerRedisPlan,
    type DockerWiring,
} from "./dockerPlan";

export type { DockerRedisArgs } from "./dockerArgs";

/**
 * Redis 7 on Docker, deployed the way security reviews ask for: on an
 * internal network with no published port, as uid 999 with every capability
 * dropped, a read-only root filesystem, `no-new-privileges`, a memory limit
 * with `maxmemory` below it, AOF `everysec`, LFU eviction, a generated
 * password and CONFIG renamed to a generated name.
 */
export class DockerRedis extends pulumi.ComponentResource {
    /** Hostname of Redis on its network (the container's network alias). */
    declare public readonly host: pulumi.Output<string>;
    /** Port Redis listens on. */
    declare public readonly port: pulumi.Output<number>;
    /** The internal network clients must join to reach Redis. */
    declare public readonly networkName: pulumi.Output<string>;
    /** The volume holding the AOF/RDB files. */
    declare public readonly volumeName: pulumi.Output<string>;
    /** The Redis container's name. */
    declare public readonly containerName: pulumi.Output<string>;
    /** Current password of the `app` user (secret). */
    declare public readonly password: pulumi.Output<string>;
    /** The name CONFIG was renamed to (secret). */
    declare public readonly configCommandName: pulumi.Output<string>;
    /** `redis://app:<password>@host:port/0`: the application's least-privilege user (secret). */
    declare public readonly connectionString: pulumi.Output<string>;
    /** `redis://admin:<password>@host:port/0`: the operators' user, with CONFIG under `configCommandName` (secret). */
    declare public readonly adminConnectionString: pulumi.Output<string>;
    /** Connection strings of the `extraUsers`, by user name (secret). */
    declare public readonly extraConnectionStrings: pulumi.Output<{ [user: string]: string }>;
    /** PEM of the CA clients must trust, with TLS (public); undefined without. */
    declare public readonly caCertificate: pulumi.Output<string | undefined>;
    /** PEM of a client certificate the CA signed, with generated mutual TLS; undefined otherwise. */
    declare public readonly clientCertificate: pulumi.Output<string | undefined>;
    /** PEM of the client certificate's private key (secret), with generated mutual TLS; undefined otherwise. */
    declare public readonly clientPrivateKey: pulumi.Output<string | undefined>;
    /** With Sentinel: the name the primary is monitored under; undefined without. */
    declare public readonly masterName: pulumi.Output<string | undefined>;
    /** With Sentinel: every Sentinel as `host:port` on the network; empty without. */
    declare public readonly sentinelAddresses: pulumi.Output<string[]>;
    /** With metrics: the first server's exporter, `http://<alias>-metrics:<port>/metrics` on the network; undefined without. */
    declare public readonly metricsEndpoint: pulumi.Output<string | undefined>;
    /** With metrics: every server's exporter endpoint, in server order; empty without. */
    declare public readonly metricsEndpoints: pulumi.Output<string[]>;

    constructor(name: string, args: DockerRedisArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("hardened-redis:index:DockerRedis", name, {}, opts);

        const plan = planDockerRedis(name, args);
        const tls = this.tls(plan, args.tls);
        const sentinel = plan.sentinel;
        const access = redisAccess(
            name,
            plan.credentials,
            args.credentialKeepers,
            plan.servers.length > 1,
            this,
            sentinel !== undefined,
            plan.metrics !== undefined,
        );
        const files = this.files(plan, access, tls);

        const networkName = args.networkName === undefined ? this.createNetwork(plan) : this.requireInternal(args.networkName);
        const configVolume = new docker.Volume(`${name}-config`, { labels: dockerLabels(plan, "config") }, { parent: this });
        const image = new docker.RemoteImage(`${name}-image`, { name: plan.image, keepLocally: true }, { parent: this });
        // Uploaded files belong to root (the provider sets no owner), so 0444 is the only mode that
        // lets uid 999 read them, the TLS key included: nothing but this component's Redis and
        // Sentinel containers (and the writer) mounts the volume.
        const configWriter = new docker.Container(
            `${name}-config`,
            planWriter(plan, "config-writer", {
                image: image.imageId,
                volume: configVolume.name,
                dir: CONFIG_DIR,
                // Every rendered file, by name: a secret input, so the engine keeps it encrypted.
                uploads: files.apply((f) =>
                    Object.entries(f).map(([file, content]) => ({ file: `${CONFIG_DIR}/${file}`, content, permissions: "0444" })),
                ),
            }),
            { parent: this, deleteBeforeReplace: true },
        );
        // As a label, the hash replaces the Redis container (rereading the config) whenever the config changes.
        const wiring = {
            image: image.imageId,
            networkName,
            configVolume: configVolume.name,
            configSha256: pulumi.unsecret(files.apply(configHash)),
        };
        const servers = plan.servers.map((_, i) => this.server(plan, i, wiring, configWriter));
        plan.sentinels.forEach((_, i) => this.sentinel(plan, i, wiring, configWriter, servers));
        if (plan.metrics) this.exporters(plan, wiring, servers, access, tls);

        const sentinelAddresses = plan.sentinels.map((host) => ({ host, port: SENTINEL_PORT }));
        const urls = access.connectionStrings(
            plan.servers[0],
            plan.tuning.port,
            tls !== undefined,
            sentinel && { sentinels: sentinelAddresses, masterName: sentinel.masterName },
        );
        const endpoints = metricsEndpoints(plan);
        this.registerOutputs(
            assignOutputs<DockerRedis>(this, {
                host: pulumi.output(plan.servers[0]),
                port: pulumi.output(plan.tuning.port),
                networkName,
                volumeName: servers[0].volume.name,
                containerName: servers[0].container.name,
                password: pulumi.secret(access.credentials.passwords.apply((p) => p.app[0])),
                configCommandName: access.credentials.configCommandName,
                connectionString: urls.app,
                adminConnectionString: urls.admin,
                extraConnectionStrings: urls.extra,
                caCertificate: tls ? tls.caCertificate : pulumi.output(undefined),
                clientCertificate: tls?.client ? tls.client.certificate : pulumi.output(undefined),
                clientPrivateKey: tls?.client ? pulumi.secret(tls.client.privateKey) : pulumi.output(undefined),
                masterName: pulumi.output(sentinel?.masterName),
                sentinelAddresses: pulumi.output(sentinelAddresses.map((a) => `${a.host}:${a.port}`)),
                metricsEndpoint: pulumi.output(endpoints[0]),
                metricsEndpoints: pulumi.output(endpoints),
            }),
        );
    }

    /** The files every server and Sentinel starts from, by name (secret): redis.conf, replica.conf, each sentinel-<n>.conf and the TLS files. */
    private files(plan: DockerRedisPlan, access: RedisAccess, tls: RedisTls | undefined): pulumi.Output<Record<string, string>> {
        const sentinel = plan.sentinel;
        const primary = dockerPrimary(plan);
        return pulumi.secret(
            pulumi
                .all([access.users, access.credentials.configCommandName, tls?.material])
                .apply(([users, configCommandName, material]): Record<string, string> => {
                    const topology = {
                        tuning: plan.tuning,
                        users,
                        configCommandName,
                        tls: tls && { authClients: tls.authClients },
                        primary,
                        sentinel,
                    };
                    const servers = plan.servers.map((host) => ({ host, port: plan.tuning.port }));
                    const sentinels = plan.sentinels.map((host) => ({ host, port: SENTINEL_PORT }));
                    return {
                        ...renderServerFiles(topology),
                        ...(sentinel &&
                            primary &&
                            Object.fromEntries(
                                plan.sentinels.map((announceHost, i) => [
                                    sentinelFile(i),
                                    renderSentinelFile(
                                        { ...topology, sentinel, primary, server: plan.server.name },
                                        { servers, sentinels, announceHost },
                                    ),
                                ]),
                            )),
                        ...(material && {
                            [TLS_FILES.certificate]: material.certificate,
                            [TLS_FILES.privateKey]: material.privateKey,
                            [TLS_FILES.caCertificate]: material.caCertificate,
                        }),
                    };
                }),
        );
    }

    /** Server `index`, its data volume and, in a topology, the network holder it joins. */
    private server(
        plan: DockerRedisPlan,
        index: number,
        wiring: DockerWiring,
        configWriter: docker.Container,
    ): { volume: docker.Volume; container: docker.Container } {
        const resourceName = serverResourceName(plan, index);
        const suffix = resourceName.slice(plan.name.length);
        // The AOF outlives the container, and a rename or `pulumi destroy` must not take it along:
        // the volume stays on the host until removed by hand.
        const volume = new docker.Volume(
            `${plan.name}-data${suffix}`,
            { labels: dockerLabels(plan, "data") },
            { parent: this, retainOnDelete: true },
        );
        const networkMode = needsNetworkHolders(plan) ? this.networkHolder(plan, resourceName, plan.servers[index], wiring) : undefined;
        const container = new docker.Container(
            resourceName,
            planServer(plan, index, { ...wiring, dataVolume: volume.name, networkMode }),
            // Two servers must never append to the same AOF: remove the old container first.
            { parent: this, deleteBeforeReplace: true, dependsOn: [configWriter] },
        );
        return { volume, container };
    }

    /** The holder of `host`'s network namespace (planNetworkHolder); returns the network mode that joins it. */
    private networkHolder(plan: DockerRedisPlan, resourceName: string, host: string, wiring: DockerWiring): pulumi.Output<string> {
        const holder = new docker.Container(`${resourceName}-network`, planNetworkHolder(plan, host, wiring), {
            parent: this,
            deleteBeforeReplace: true,
        });
        return pulumi.interpolate`container:${holder.name}`;
    }

    /** Sentinel `index` on a writable volume of its own, started once the servers it watches are up. */
    private sentinel(
        plan: DockerRedisPlan,
        index: number,
        wiring: DockerWiring,
        configWriter: docker.Container,
        servers: Array<{ container: docker.Container }>,
    ): void {
        const resourceName = `${plan.name}-sentinel-${index}`;
        const volume = new docker.Volume(resourceName, { labels: dockerLabels(plan, "sentinel") }, { parent: this });
        const networkMode = this.networkHolder(plan, resourceName, plan.sentinels[index], wiring);
        new docker.Container(resourceName, planSentinelContainer(plan, index, { ...wiring, sentinelVolume: volume.name, networkMode }), {
            parent: this,
            deleteBeforeReplace: true,
            dependsOn: [configWriter, ...servers.map((s) => s.container)],
        });
    }

    /**
     * A redis_exporter per server (planExporter). Their files (the password by server URI, and with
     * TLS the CA and a client identity) go to a volume of their own, never the config volume: the
     * exporters must not read the servers' ACL or key. As for the config, a never-started writer
     * receives the upload; the files belong to root with group read only. The official image is FROM
     * scratch with no shell: nothing can health-check it from inside, so its health is Prometheus's
     * `up` and `redis_up` (the exporter-down alert).
     */
    private exporters(
        plan: DockerRedisPlan,
        wiring: DockerWiring,
        servers: Array<{ container: docker.Container }>,
        access: RedisAccess,
        tls: RedisTls | undefined,
    ): void {
        const metrics = plan.metrics;
        if (metrics === undefined) return;
        const password = access.credentials.passwords.apply((p) => {
            const current = p.metrics?.[0];
            if (current === undefined) throw new Error("DockerRedis: metrics planned without a metrics password");
            return current;
        });
        // With mutual TLS the exporter presents the generated client certificate.
        const identity = exporterPresentsCertificate(plan) ? tls?.client : undefined;
        const files = pulumi.secret(
            pulumi.all([password, tls?.caCertificate, identity?.certificate, identity?.privateKey]).apply(([secret, ca, cert, key]) => [
                { file: EXPORTER_FILES.passwords, content: exporterPasswordFile(exporterAddresses(plan), secret), permissions: "0440" },
                ...(ca === undefined ? [] : [{ file: EXPORTER_FILES.caCertificate, content: ca, permissions: "0444" }]),
                ...(cert === undefined || key === undefined
                    ? []
                    : [
                          { file: EXPORTER_FILES.certificate, content: cert, permissions: "0444" },
                          { file: EXPORTER_FILES.privateKey, content: key, permissions: "0440" },
                      ]),
            ]),
        );
        const image = new docker.RemoteImage(`${plan.name}-exporter-image`, { name: metrics.image, keepLocally: true }, { parent: this });
        const volume = new docker.Volume(`${plan.name}-metrics`, { labels: dockerLabels(plan, "metrics-secrets") }, { parent: this });
        const writer = new docker.Container(
            `${plan.name}-metrics-secrets`,
            planWriter(plan, "metrics-writer", {
                image: image.imageId,
                volume: volume.name,
                dir: EXPORTER_SECRETS_DIR,
                uploads: files.apply((list) => list.map((f) => ({ ...f, file: `${EXPORTER_SECRETS_DIR}/${f.file}` }))),
            }),
            { parent: this, deleteBeforeReplace: true },
        );
        // A new password (a rotation) or certificate replaces the exporters: they read the files once, at start.
        const filesSha256 = pulumi.unsecret(files.apply((list) => configHash(Object.fromEntries(list.map((f) => [f.file, f.content])))));
        plan.servers.forEach((_, i) => {
            new docker.Container(
                `${plan.name}-metrics${i === 0 ? "" : `-${i}`}`,
                planExporter(plan, i, { image: image.imageId, networkName: wiring.networkName, secretsVolume: volume.name, filesSha256 }),
                { parent: this, deleteBeforeReplace: true, dependsOn: [writer, servers[i].container] },
            );
        });
    }

    /** The certificates to serve TLS with, for every name, or undefined without TLS. */
    private tls(plan: DockerRedisPlan, given: DockerRedisArgs["tls"]): RedisTls | undefined {
        if (plan.tls === undefined) return undefined;
        const names = dockerDnsNames(plan);
        if (plan.tls.generated) return generateTls(plan.name, names, plan.tls.settings, this);
        // planDockerRedis checked that all three PEMs are given.
        const { caCertificate, certificate, privateKey } = given as Required<
            Pick<DockerRedisTlsArgs, "caCertificate" | "certificate" | "privateKey">
        >;
        return providedTls({ caCertificate, certificate, privateKey }, names, plan.tls.settings, "tls");
    }

    private createNetwork(plan: DockerRedisPlan): pulumi.Output<string> {
        // internal: no route to or from other networks (the Docker host itself can still reach the bridge address).
        const network = new docker.Network(
            `${plan.name}-net`,
            { internal: true, driver: "bridge", labels: dockerLabels(plan, "network") },
            { parent: this },
        );
        return network.name;
    }

    private requireInternal(networkName: pulumi.Input<string>): pulumi.Output<string> {
        return docker.getNetworkOutput({ name: networkName }, { parent: this }).apply((network) => {
            if (!network.internal) {
                throw new RedisConfigError(
                    "networkName",
                    "the name of an existing Docker network created with internal: true",
                    JSON.stringify(network.name),
                );
            }
            return network.name;
        });
    }
}
