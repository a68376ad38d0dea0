import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { containerCpu, redisServerArgsShape, sizeRedisForContainer, type RedisServerArgs } from "../common/serverArgs";
import { redisAccess } from "../common/credentials";
import {
    EXPORTER_ENTRYPOINT,
    EXPORTER_FILES,
    EXPORTER_MEMORY_MB,
    EXPORTER_SECRETS_DIR,
    EXPORTER_UID,
    exporterAddress,
    exporterArgs,
    exporterPasswordFile,
} from "../../redis/metrics/exporter";
import { planSentinel, sentinelArgs, type RedisSentinelArgs } from "../../redis/sentinel/topology";
import { renderSentinelConfig, sentinelCommand } from "../../redis/sentinel/sentinelConfig";
import { generateTls, providedTls, requireEnabled, tlsArgsShape, type DockerRedisTlsArgs, type RedisTls } from "../common/tls";
import { renderRedisConfig } from "../../redis/config/redisConfig";
import {
    CONFIG_DIR,
    configHash,
    DATA_DIR,
    DNS_LABEL,
    DNS_LABEL_ALLOWED,
    NOFILE_LIMIT,
    pingCommand,
    TLS_FILES,
    REDIS_GID,
    REDIS_UID,
    SENTINEL_DIR,
    SENTINEL_MEMORY_MB,
    serverCommand,
} from "../../redis/container";
import { RedisConfigError } from "../../redis/redisConfigError";
import { parseSettings } from "../../redis/parseSettings";
import { SENTINEL_PORT } from "../../policies/shared/ports";
import { integer } from "../../redis/config/fields";
import { DockerRedisMetricsArgs, dockerMetricsArgs, planMetrics, requireExporterIdentity, MetricsPlan } from "../common/metricsArgs";

/** Arguments of {@link DockerRedis}. Every field is optional: the defaults are the hardened deployment. */
export interface DockerRedisArgs extends RedisServerArgs {
    /** Name of an existing Docker network to join instead of creating one; it must be `internal`, and `alias` must then be set. */
    networkName?: pulumi.Input<string>;
    /**
     * Hostname clients use on the network (a DNS label). Default the component's name, lowercased; required with `networkName`, where other
     * stacks' aliases could collide.
     */
    alias?: string;
    /** Docker restart policy: `no`, `on-failure`, `always` or `unless-stopped`. Default `unless-stopped`. */
    restartPolicy?: string;
    /** Rotate the container log at this size (`json-file` `max-size`, e.g. `10m`). Default `10m`. */
    logMaxSize?: string;
    /** Number of rotated log files kept (1 to 100). Default 3. */
    logMaxFiles?: number;
    /** TLS for clients and health checks: off by default; generated certificates or PEMs of your own. */
    tls?: DockerRedisTlsArgs;
    /**
     * Redis servers (1 to 16): the first starts as the primary, the others as its replicas, each in a container with a data volume of its
     * own and the alias `<alias>-<n>`. Default 1.
     */
    replicas?: number;
    /** Automatic failover by Sentinel containers on the same network (needs `replicas` of 2 or more). Default off. */
    sentinel?: RedisSentinelArgs;
    /** Prometheus metrics: a redis_exporter container per server, as the `metrics` ACL user. Default off. */
    metrics?: DockerRedisMetricsArgs;
}

const dockerArgsSchema = z.strictObject({
    ...redisServerArgsShape,
    alias: z.string({ error: DNS_LABEL_ALLOWED }).regex(DNS_LABEL, { error: DNS_LABEL_ALLOWED }).optional(),
    restartPolicy: z
        .enum(["no", "on-failure", "always", "unless-stopped"], { error: "no, on-failure, always, unless-stopped" })
        .default("unless-stopped"),
    logMaxSize: z
        .string({ error: 'a size such as "10m" (units k, m, g)' })
        .regex(/^[1-9]\d{0,5}[kmg]$/, { error: 'a size such as "10m" (units k, m, g)' })
        .default("10m"),
    logMaxFiles: integer(1, 100, "an integer from 1 to 100").default(3),
    tls: z
        .strictObject(
            {
                ...tlsArgsShape,
                // PEMs may be unknown until deployment: checked by providedTls.
                caCertificate: z.unknown().optional(),
                certificate: z.unknown().optional(),
                privateKey: z.unknown().optional(),
            },
            { error: "an object of the documented tls settings" },
        )
        .default({ enabled: false, requireClientCertificates: false, certificateValidityDays: 365 }),
    replicas: integer(1, 16, "an integer from 1 to 16").default(1),
    sentinel: sentinelArgs,
    metrics: dockerMetricsArgs,
    // Inputs that may be unknown until deployment are checked elsewhere.
    networkName: z.unknown().optional(),
});

/** Memory limit of a container that only holds a network namespace, in MiB. */
const NETWORK_HOLDER_MEMORY_MB = 8;

/** The resources every container of one component uses. */
interface SharedResources {
    image: pulumi.Output<string>;
    networkName: pulumi.Output<string>;
    configVolume: pulumi.Output<string>;
    configSha256: pulumi.Output<string>;
    configWriter: docker.Container;
    tls: RedisTls | undefined;
}

/**
 * Redis 7 on Docker, deployed the way security reviews ask for: on an
 * internal network with no published port, as uid 999 with every capability
 * dropped, a read-only root filesystem, `no-new-privileges`, a memory limit
 * with `maxmemory` below it, AOF `everysec`, LFU eviction, a generated
 * password and CONFIG renamed to a generated name.
 */
export class DockerRedis extends pulumi.ComponentResource {
    /** Hostname of Redis on its network (the container's network alias). */
    public readonly host: pulumi.Output<string>;
    /** Port Redis listens on. */
    public readonly port: pulumi.Output<number>;
    /** The internal network clients must join to reach Redis. */
    public readonly networkName: pulumi.Output<string>;
    /** The volume holding the AOF/RDB files. */
    public readonly volumeName: pulumi.Output<string>;
    /** The Redis container's name. */
    public readonly containerName: pulumi.Output<string>;
    /** Current password of the `app` user (secret). */
    public readonly password: pulumi.Output<string>;
    /** The name CONFIG was renamed to (secret). */
    public readonly configCommandName: pulumi.Output<string>;
    /** `redis://app:<password>@host:port/0`: the application's least-privilege user (secret). */
    public readonly connectionString: pulumi.Output<string>;
    /** `redis://admin:<password>@host:port/0`: the operators' user, with CONFIG under `configCommandName` (secret). */
    public readonly adminConnectionString: pulumi.Output<string>;
    /** Connection strings of the `extraUsers`, by user name (secret). */
    public readonly extraConnectionStrings: pulumi.Output<{ [user: string]: string }>;
    /** PEM of the CA clients must trust, with TLS (public); undefined without. */
    public readonly caCertificate: pulumi.Output<string | undefined>;
    /** PEM of a client certificate the CA signed, with generated mutual TLS; undefined otherwise. */
    public readonly clientCertificate: pulumi.Output<string | undefined>;
    /** PEM of the client certificate's private key (secret), with generated mutual TLS; undefined otherwise. */
    public readonly clientPrivateKey: pulumi.Output<string | undefined>;
    /** With Sentinel: the name the primary is monitored under; undefined without. */
    public readonly masterName: pulumi.Output<string | undefined>;
    /** With Sentinel: every Sentinel as `host:port` on the network; empty without. */
    public readonly sentinelAddresses: pulumi.Output<string[]>;
    /** With metrics: the first server's exporter, `http://<alias>-metrics:<port>/metrics` on the network; undefined without. */
    public readonly metricsEndpoint: pulumi.Output<string | undefined>;
    /** With metrics: every server's exporter endpoint, in server order; empty without. */
    public readonly metricsEndpoints: pulumi.Output<string[]>;

    constructor(name: string, args: DockerRedisArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("hardened-redis:index:DockerRedis", name, {}, opts);

        const settings = parseSettings(dockerArgsSchema, args, Object.keys(dockerArgsSchema.shape));
        const tuning = sizeRedisForContainer(args, settings.memoryLimitMb);
        const cpu = containerCpu(settings);
        const alias = settings.alias ?? this.defaultAlias(name, args.networkName !== undefined);

        const sentinel = planSentinel(name, settings.sentinel, settings.replicas, args.sentinel);
        // One server keeps the plain alias; in a topology every server and Sentinel has one of its own.
        const servers = settings.replicas === 1 ? [alias] : Array.from({ length: settings.replicas }, (_, i) => `${alias}-${i}`);
        const sentinels = Array.from({ length: sentinel?.sentinels ?? 0 }, (_, i) => `${alias}-sentinel-${i}`);
        const metrics = planMetrics(settings.metrics, args.metrics, tuning.port);
        const tls = this.tls(name, [...servers, ...sentinels], settings.tls, args.tls);
        requireExporterIdentity(metrics !== undefined, tls);

        const access = redisAccess(
            name,
            settings,
            args.credentialKeepers,
            servers.length > 1,
            this,
            sentinel !== undefined,
            metrics !== undefined,
        );
        const { credentials } = access;
        const files = pulumi.secret(
            pulumi.all([access.users, credentials.configCommandName, tls?.material]).apply(([users, configCommandName, material]) => {
                const tlsSettings = { tls: tls !== undefined, tlsAuthClients: tls?.authClients };
                return {
                    ...renderRedisConfig({
                        ...tuning,
                        ...tlsSettings,
                        users,
                        configCommandName,
                        replicaOfHost: servers.length > 1 ? servers[0] : undefined,
                        replicaOfPort: servers.length > 1 ? tuning.port : undefined,
                        // With Sentinel, a primary cut off from every replica stops taking writes it would lose.
                        minReplicasToWrite: sentinel ? 1 : 0,
                        minReplicasMaxLagSeconds: sentinel?.maxReplicaLagSeconds,
                    }),
                    ...(sentinel &&
                        Object.fromEntries(
                            sentinels.map((host, i) => [
                                `sentinel-${i}.conf`,
                                renderSentinelConfig({
                                    ...tlsSettings,
                                    masterName: sentinel.masterName,
                                    quorum: sentinel.quorum,
                                    downAfterMilliseconds: sentinel.downAfterMilliseconds,
                                    failoverTimeoutMilliseconds: sentinel.failoverTimeoutMilliseconds,
                                    primaryHost: servers[0],
                                    redisPort: tuning.port,
                                    announceHost: host,
                                    port: SENTINEL_PORT,
                                    servers: servers.map((server) => ({ host: server, port: tuning.port })),
                                    sentinels: sentinels.map((sentinel) => ({ host: sentinel, port: SENTINEL_PORT })),
                                    users,
                                    configCommandName,
                                    dataDir: SENTINEL_DIR,
                                    configDir: CONFIG_DIR,
                                }),
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

        const networkName = args.networkName === undefined ? this.createNetwork(name) : this.requireInternal(args.networkName);
        const configVolume = new docker.Volume(`${name}-config`, { labels: this.labels(name, "config") }, { parent: this });
        const image = new docker.RemoteImage(`${name}-image`, { name: settings.image, keepLocally: true }, { parent: this });
        // The provider uploads files through the archive API at "/", which Docker refuses for a
        // container with a read-only root filesystem, even when the file lands in a volume. So a
        // container that is created but never started receives the upload into the config volume,
        // and Redis mounts that volume read-only. Uploaded files belong to root (the provider sets
        // no owner), so 0444 is the only mode that lets uid 999 read them, the TLS key included:
        // nothing but this component's Redis and Sentinel containers (and the writer) mounts the volume.
        const configWriter = new docker.Container(
            `${name}-config`,
            {
                image: image.imageId,
                start: false,
                mustRun: false,
                networkMode: "none",
                volumes: [{ volumeName: configVolume.name, containerPath: CONFIG_DIR }],
                // Every rendered file, by name: a secret input, so the engine keeps it encrypted.
                uploads: files.apply((f) =>
                    Object.entries(f).map(([file, content]) => ({ file: `${CONFIG_DIR}/${file}`, content, permissions: "0444" })),
                ),
                labels: this.labels(name, "config-writer"),
            },
            { parent: this, deleteBeforeReplace: true },
        );
        // As a label, the hash replaces the Redis container (rereading the config) whenever the config changes.
        const configSha256 = pulumi.unsecret(files.apply(configHash));
        const shared = { image: image.imageId, networkName, configVolume: configVolume.name, configSha256, configWriter, tls };
        const data = servers.map((host, i) => this.redisServer(name, i, host, servers, settings, tuning.port, cpu, shared));
        if (sentinel) sentinels.forEach((host, i) => this.sentinelContainer(name, i, host, sentinel.masterName, settings, shared, data));
        const metricsEndpoints = metrics
            ? this.exporters(
                  name,
                  servers,
                  tuning.port,
                  metrics,
                  settings,
                  shared,
                  data,
                  credentials.passwords.apply((p) => {
                      const current = p.metrics?.[0];
                      if (current === undefined) throw new Error("DockerRedis: metrics planned without a metrics password");
                      return current;
                  }),
              )
            : [];

        this.host = pulumi.output(servers[0]);
        this.port = pulumi.output(tuning.port);
        this.networkName = networkName;
        this.volumeName = data[0].volume.name;
        this.containerName = data[0].container.name;
        this.password = pulumi.secret(credentials.passwords.apply((p) => p.app[0]));
        this.configCommandName = credentials.configCommandName;
        const sentinelAddresses = sentinels.map((host) => ({ host, port: SENTINEL_PORT }));
        const urls = access.connectionStrings(
            servers[0],
            tuning.port,
            tls !== undefined,
            sentinel && { sentinels: sentinelAddresses, masterName: sentinel.masterName },
        );
        this.masterName = pulumi.output(sentinel?.masterName);
        this.sentinelAddresses = pulumi.output(sentinelAddresses.map((a) => `${a.host}:${a.port}`));
        this.metricsEndpoint = pulumi.output(metricsEndpoints[0]);
        this.metricsEndpoints = pulumi.output(metricsEndpoints);
        this.connectionString = urls.app;
        this.adminConnectionString = urls.admin;
        this.extraConnectionStrings = urls.extra;
        this.caCertificate = tls ? tls.caCertificate : pulumi.output(undefined);
        this.clientCertificate = tls?.client ? tls.client.certificate : pulumi.output(undefined);
        this.clientPrivateKey = tls?.client ? pulumi.secret(tls.client.privateKey) : pulumi.output(undefined);
        this.registerOutputs({
            host: this.host,
            port: this.port,
            networkName: this.networkName,
            volumeName: this.volumeName,
            containerName: this.containerName,
            password: this.password,
            configCommandName: this.configCommandName,
            connectionString: this.connectionString,
            adminConnectionString: this.adminConnectionString,
            extraConnectionStrings: this.extraConnectionStrings,
            caCertificate: this.caCertificate,
            clientCertificate: this.clientCertificate,
            clientPrivateKey: this.clientPrivateKey,
            masterName: this.masterName,
            sentinelAddresses: this.sentinelAddresses,
            metricsEndpoint: this.metricsEndpoint,
            metricsEndpoints: this.metricsEndpoints,
        });
    }

    /**
     * Redis server `index`: the first starts from redis.conf as the primary, the others from
     * replica.conf as its replicas. Each announces its alias, so Sentinels and replicas know it by
     * name across restarts and address changes.
     */
    private redisServer(
        name: string,
        index: number,
        host: string,
        servers: string[],
        settings: z.output<typeof dockerArgsSchema>,
        port: number,
        cpu: ReturnType<typeof containerCpu>,
        shared: SharedResources,
    ): { volume: docker.Volume; container: docker.Container } {
        // Server 0 keeps the names a single server has always had, so adding replicas keeps its data.
        const suffix = index === 0 ? "" : `-${index}`;
        // The AOF outlives the container, and a rename or `pulumi destroy` must not take it along:
        // the volume stays on the host until removed by hand.
        const volume = new docker.Volume(
            `${name}-data${suffix}`,
            { labels: this.labels(name, "data") },
            { parent: this, retainOnDelete: true },
        );
        const file = index === 0 ? "redis.conf" : "replica.conf";
        const networking = servers.length > 1 ? this.networkHolder(name, `${name}${suffix}`, host, settings, shared) : undefined;
        const container = new docker.Container(
            `${name}${suffix}`,
            {
                ...this.hardenedContainer(name, settings, shared, "server"),
                command: [...serverCommand(file), ...(servers.length > 1 ? ["--replica-announce-ip", host] : [])],
                memory: settings.memoryLimitMb,
                memorySwap: settings.memoryLimitMb,
                cpuShares: cpu.dockerShares,
                cpus: cpu.dockerCpus,
                // The provider has no pids limit; Redis forks at most one child (BGSAVE or an AOF rewrite).
                ulimits: [{ name: "nofile", soft: NOFILE_LIMIT, hard: NOFILE_LIMIT }],
                ...(networking ?? { networksAdvanced: [{ name: shared.networkName, aliases: [host] }] }),
                volumes: [
                    { volumeName: volume.name, containerPath: DATA_DIR },
                    { volumeName: shared.configVolume, containerPath: CONFIG_DIR, readOnly: true },
                ],
                healthcheck: this.healthcheck(port, shared.tls),
                // Redis flushes the AOF on SIGTERM; give it time before SIGKILL.
                stopSignal: "SIGTERM",
                stopTimeout: 30,
                destroyGraceSeconds: 30,
            },
            // Two servers must never append to the same AOF: remove the old container first.
            { parent: this, deleteBeforeReplace: true, dependsOn: [shared.configWriter] },
        );
        return { volume, container };
    }

    /**
     * A network identity that outlives the process using it, as a Kubernetes pod's infra
     * container does: a container that only holds the network namespace, with the alias, which the
     * Redis or Sentinel container joins. When Redis crashes or is killed its name keeps resolving
     * and its address keeps refusing connections at once; without it, Docker drops the name, and on
     * an internal network a lookup of the missing name stalls for tens of seconds (the embedded DNS
     * forwards it to resolvers it cannot reach), which blocks Sentinel (TILT) and the replicas.
     */
    private networkHolder(
        name: string,
        resourceName: string,
        host: string,
        settings: z.output<typeof dockerArgsSchema>,
        shared: SharedResources,
    ): { networkMode: pulumi.Output<string> } {
        const holder = new docker.Container(
            `${resourceName}-network`,
            {
                image: shared.image,
                // Does nothing, forever, as the pause container does; nothing to flush, so SIGKILL stops it.
                command: ["sleep", "2147483647"],
                user: `${REDIS_UID}:${REDIS_GID}`,
                readOnly: true,
                capabilities: { drops: ["ALL"] },
                securityOpts: ["no-new-privileges:true"],
                memory: NETWORK_HOLDER_MEMORY_MB,
                memorySwap: NETWORK_HOLDER_MEMORY_MB,
                networksAdvanced: [{ name: shared.networkName, aliases: [host] }],
                restart: settings.restartPolicy,
                logDriver: "json-file",
                logOpts: { "max-size": settings.logMaxSize, "max-file": String(settings.logMaxFiles) },
                labels: this.labels(name, "network"),
                stopSignal: "SIGKILL",
                mustRun: true,
            },
            { parent: this, deleteBeforeReplace: true },
        );
        return { networkMode: pulumi.interpolate`container:${holder.name}` };
    }

    /**
     * Sentinel `index`. Sentinel rewrites its config as it learns the topology, so it runs on a
     * private copy on a small writable volume (readable by uid 999 alone: it holds the password
     * Sentinels authenticate with), rebuilt at each start keeping what it learnt; the root
     * filesystem stays read-only.
     */
    private sentinelContainer(
        name: string,
        index: number,
        host: string,
        masterName: string,
        settings: z.output<typeof dockerArgsSchema>,
        shared: SharedResources,
        servers: Array<{ container: docker.Container }>,
    ): void {
        const volume = new docker.Volume(`${name}-sentinel-${index}`, { labels: this.labels(name, "sentinel") }, { parent: this });
        const networking = this.networkHolder(name, `${name}-sentinel-${index}`, host, settings, shared);
        new docker.Container(
            `${name}-sentinel-${index}`,
            {
                ...this.hardenedContainer(name, settings, shared, "sentinel"),
                command: sentinelCommand({ renderedFile: `${CONFIG_DIR}/sentinel-${index}.conf`, dataDir: SENTINEL_DIR, masterName }),
                memory: SENTINEL_MEMORY_MB,
                memorySwap: SENTINEL_MEMORY_MB,
                ...networking,
                volumes: [
                    { volumeName: volume.name, containerPath: SENTINEL_DIR },
                    { volumeName: shared.configVolume, containerPath: CONFIG_DIR, readOnly: true },
                ],
                healthcheck: this.healthcheck(SENTINEL_PORT, shared.tls),
            },
            // Started once the servers it watches are up.
            { parent: this, deleteBeforeReplace: true, dependsOn: [shared.configWriter, ...servers.map((s) => s.container)] },
        );
    }

    /**
     * A redis_exporter per server, each on the internal network under `<server alias>-metrics` (and
     * on `scrapeNetworkName` when given, where Redis is not), authenticating as the metrics user.
     * Their files (the password by server URI, and with TLS the CA and a client identity) go to a
     * volume of their own, never the config volume: the exporters must not read the servers' ACL
     * or key. As for the config, a never-started writer receives the upload; the files belong to
     * root with group read only, and the exporters run with group 0 to read them, so no other uid
     * can. The official image is FROM scratch with no shell: nothing can health-check it from
     * inside, so its health is Prometheus's `up` and `redis_up` (the exporter-down alert).
     * Returns each exporter's endpoint.
     */
    private exporters(
        name: string,
        servers: string[],
        port: number,
        metrics: MetricsPlan & { scrapeNetworkName?: unknown },
        settings: z.output<typeof dockerArgsSchema>,
        shared: SharedResources,
        data: Array<{ container: docker.Container }>,
        password: pulumi.Output<string>,
    ): string[] {
        const tls = shared.tls;
        const addresses = servers.map((host) => exporterAddress(host, port, tls !== undefined));
        // With mutual TLS the exporter presents the generated client certificate (requireExporterIdentity
        // refused the case without one).
        const identity = tls?.authClients === "yes" ? tls.client : undefined;
        const files = pulumi.secret(
            pulumi.all([password, tls?.caCertificate, identity?.certificate, identity?.privateKey]).apply(([secret, ca, cert, key]) => [
                { file: EXPORTER_FILES.passwords, content: exporterPasswordFile(addresses, secret), permissions: "0440" },
                ...(ca === undefined ? [] : [{ file: EXPORTER_FILES.caCertificate, content: ca, permissions: "0444" }]),
                ...(cert === undefined || key === undefined
                    ? []
                    : [
                          { file: EXPORTER_FILES.certificate, content: cert, permissions: "0444" },
                          { file: EXPORTER_FILES.privateKey, content: key, permissions: "0440" },
                      ]),
            ]),
        );
        const image = new docker.RemoteImage(`${name}-exporter-image`, { name: metrics.image, keepLocally: true }, { parent: this });
        const volume = new docker.Volume(`${name}-metrics`, { labels: this.labels(name, "metrics-secrets") }, { parent: this });
        const writer = new docker.Container(
            `${name}-metrics-secrets`,
            {
                image: image.imageId,
                start: false,
                mustRun: false,
                networkMode: "none",
                volumes: [{ volumeName: volume.name, containerPath: EXPORTER_SECRETS_DIR }],
                uploads: files.apply((list) => list.map((f) => ({ ...f, file: `${EXPORTER_SECRETS_DIR}/${f.file}` }))),
                labels: this.labels(name, "metrics-writer"),
            },
            { parent: this, deleteBeforeReplace: true },
        );
        // A new password (a rotation) or certificate replaces the exporters: they read the files once, at start.
        const filesSha256 = pulumi.unsecret(files.apply((list) => configHash(Object.fromEntries(list.map((f) => [f.file, f.content])))));
        const scrapeNetwork = metrics.scrapeNetworkName as pulumi.Input<string> | undefined;
        return servers.map((host, i) => {
            const alias = `${host}-metrics`;
            new docker.Container(
                `${name}-metrics${i === 0 ? "" : `-${i}`}`,
                {
                    image: image.imageId,
                    // The image's own entrypoint, spelt out: a policy cannot read an image, and an
                    // argv of bare flags would otherwise pass for redis-server's.
                    entrypoints: [EXPORTER_ENTRYPOINT],
                    command: exporterArgs({
                        address: addresses[i],
                        port: metrics.port,
                        tls: tls && { clientCertificate: identity !== undefined },
                    }),
                    user: `${EXPORTER_UID}:0`,
                    readOnly: true,
                    capabilities: { drops: ["ALL"] },
                    securityOpts: ["no-new-privileges:true"],
                    memory: EXPORTER_MEMORY_MB,
                    memorySwap: EXPORTER_MEMORY_MB,
                    networksAdvanced: [
                        { name: shared.networkName, aliases: [alias] },
                        ...(scrapeNetwork === undefined ? [] : [{ name: scrapeNetwork, aliases: [alias] }]),
                    ],
                    volumes: [{ volumeName: volume.name, containerPath: EXPORTER_SECRETS_DIR, readOnly: true }],
                    restart: settings.restartPolicy,
                    logDriver: "json-file",
                    logOpts: { "max-size": settings.logMaxSize, "max-file": String(settings.logMaxFiles) },
                    labels: [...this.labels(name, "metrics"), { label: "hardened-redis.metrics-sha256", value: filesSha256 }],
                    mustRun: true,
                },
                { parent: this, deleteBeforeReplace: true, dependsOn: [writer, data[i].container] },
            );
            return `http://${alias}:${metrics.port}/metrics`;
        });
    }

    /** What every container of the component shares: the image, the network, the config, the lockdown. */
    private hardenedContainer(name: string, settings: z.output<typeof dockerArgsSchema>, shared: SharedResources, role: string) {
        return {
            image: shared.image,
            user: `${REDIS_UID}:${REDIS_GID}`,
            readOnly: true,
            tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=16m" },
            capabilities: { drops: ["ALL"] },
            securityOpts: ["no-new-privileges:true"],
            restart: settings.restartPolicy,
            logDriver: "json-file",
            logOpts: { "max-size": settings.logMaxSize, "max-file": String(settings.logMaxFiles) },
            labels: [...this.labels(name, role), { label: "hardened-redis.config-sha256", value: shared.configSha256 }],
            wait: true,
            waitTimeout: 120,
            mustRun: true,
        };
    }

    /** A NOAUTH reply proves the server is up without handing the password to the check. */
    private healthcheck(port: number, tls: RedisTls | undefined) {
        return {
            tests: ["CMD-SHELL", pingCommand(port, ["PONG", "NOAUTH"], tls && { tls: { clientCertificate: tls.authClients === "yes" } })],
            interval: "5s",
            timeout: "3s",
            startPeriod: "30s",
            retries: 5,
        };
    }

    /** The certificates to serve TLS with, for every name, or undefined without TLS. */
    private tls(
        name: string,
        names: string[],
        settings: z.output<typeof dockerArgsSchema>["tls"],
        given: DockerRedisTlsArgs | undefined,
    ): RedisTls | undefined {
        const { caCertificate, certificate, privateKey } = given ?? {};
        requireEnabled(settings, { ...given, enabled: undefined });
        if (!settings.enabled) return undefined;
        if (caCertificate === undefined && certificate === undefined && privateKey === undefined) {
            return generateTls(name, names, settings, this);
        }
        if (caCertificate === undefined || certificate === undefined || privateKey === undefined) {
            const missing = caCertificate === undefined ? "caCertificate" : certificate === undefined ? "certificate" : "privateKey";
            throw new RedisConfigError(
                `tls.${missing}`,
                "a PEM, given together with tls.caCertificate, tls.certificate and tls.privateKey (or none of them, to generate all three)",
                "nothing",
            );
        }
        return providedTls({ caCertificate, certificate, privateKey }, names, settings, "tls");
    }

    private defaultAlias(name: string, sharedNetwork: boolean): string {
        const alias = name.toLowerCase();
        // On a network of its own nothing else can answer to this name; on a shared one it could.
        if (sharedNetwork || !DNS_LABEL.test(alias)) {
            throw new RedisConfigError(
                "alias",
                sharedNetwork ? "a DNS label unique on the shared network (required with networkName)" : DNS_LABEL_ALLOWED,
                `nothing (the component name ${JSON.stringify(name)} is used by default)`,
            );
        }
        return alias;
    }

    private createNetwork(name: string): pulumi.Output<string> {
        // internal: no route to or from other networks (the Docker host itself can still reach the bridge address).
        const network = new docker.Network(
            `${name}-net`,
            { internal: true, driver: "bridge", labels: this.labels(name, "network") },
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

    private labels(name: string, role: string): Array<{ label: string; value: pulumi.Input<string> }> {
        return [
            { label: "hardened-redis.component", value: name },
            { label: "hardened-redis.role", value: role },
        ];
    }
}
