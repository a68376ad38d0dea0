// What DockerRedis deploys, planned as plain values: the containers, their network holders, the
// volumes' labels, the uploads and the exporters. Planning only: pure functions over one plan
// object, no resources (the Docker provider is imported for its types alone), so each decision is
// tested directly, as the Kubernetes plan is. The topology is decided once, in planDockerRedis.
import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import { SENTINEL_PORT } from "../../policies/shared/ports";
import type { ResolvedRedisTuning } from "../../redis/config/settings";
import {
    CONFIG_DIR,
    DATA_DIR,
    DNS_LABEL,
    DNS_LABEL_ALLOWED,
    NOFILE_LIMIT,
    pingCommand,
    REDIS_GID,
    REDIS_UID,
    SENTINEL_DIR,
    SENTINEL_MEMORY_MB,
    serverCommand,
} from "../../redis/container";
import {
    EXPORTER_ENTRYPOINT,
    EXPORTER_MEMORY_MB,
    EXPORTER_SECRETS_DIR,
    EXPORTER_UID,
    exporterAddress,
    exporterArgs,
} from "../../redis/metrics/exporter";
import { RedisConfigError } from "../../redis/redisConfigError";
import { parseSettings } from "../../redis/parseSettings";
import { sentinelCommand, sentinelServerCommand } from "../../redis/sentinel/sentinelConfig";
import { HANDOVER_SECONDS } from "../../policies/shared/serverStart";
import { planSentinel, type SentinelPlan } from "../../redis/sentinel/topology";
import { planMetrics, requireExporterIdentity, type MetricsPlan } from "../common/metricsArgs";
import { chosenServer, containerCpu, sizeRedisForContainer, type ContainerCpu } from "../common/serverArgs";
import type { RedisServerKind } from "../../redis/servers";
import { authClients, requireEnabled, type ParsedTlsArgs } from "../common/tlsArgs";
import { dockerArgsSchema, type DockerRedisArgs, type ParsedDockerArgs } from "./dockerArgs";

/** Memory limit of a container that only holds a network namespace, in MiB. */
const NETWORK_HOLDER_MEMORY_MB = 8;

/** Everything DockerRedis's resources are planned from, decided once from its arguments. */
export interface DockerRedisPlan {
    name: string;
    /** Each server's alias on the network, server 0 (the primary at first boot) first. */
    servers: string[];
    /** Each Sentinel's alias; empty without Sentinel. */
    sentinels: string[];
    sentinel?: SentinelPlan;
    /** Redis's settings, resolved: the port, maxmemory and the rest of redis.conf's tuning. */
    tuning: ResolvedRedisTuning;
    /** The server it runs (Redis 7, Redis 8, Valkey 8), and its image. */
    server: RedisServerKind;
    image: string;
    memoryLimitMb: number;
    cpu: ContainerCpu;
    restartPolicy: string;
    log: { maxSize: string; maxFiles: number };
    /** With TLS: the settings certificates are made or checked with, and whether clients must present one. */
    tls?: { settings: ParsedTlsArgs; authClients: "optional" | "yes"; generated: boolean };
    metrics?: MetricsPlan & { scrapeNetworkName?: unknown };
    /** What the credentials are made from. */
    credentials: Pick<ParsedDockerArgs, "credentialGeneration" | "retirePreviousCredentials" | "extraUsers">;
}

/** The resources the containers are wired to, known only once created. */
export interface DockerWiring {
    /** The image's ID. */
    image: pulumi.Input<string>;
    networkName: pulumi.Input<string>;
    configVolume: pulumi.Input<string>;
    /** The rendered files' hash (configHash): a label, so a new config replaces the containers. */
    configSha256: pulumi.Input<string>;
}

/**
 * Checks `args` and decides the topology: the servers' and Sentinels' aliases, Redis's settings
 * sized for the container, Sentinel, metrics and TLS. Throws {@link RedisConfigError} for a bad
 * setting, in the order a reader of the arguments meets them.
 */
export function planDockerRedis(name: string, args: DockerRedisArgs): DockerRedisPlan {
    const settings = parseSettings(dockerArgsSchema, args, Object.keys(dockerArgsSchema.shape));
    const { server, image } = chosenServer(settings);
    const tuning = sizeRedisForContainer(args, settings.memoryLimitMb, server);
    const cpu = containerCpu(settings);
    const alias = settings.alias ?? defaultAlias(name, args.networkName !== undefined);
    const sentinel = planSentinel(name, settings.sentinel, settings.replicas, args.sentinel);
    // One server keeps the plain alias; in a topology every server and Sentinel has one of its own.
    const servers = settings.replicas === 1 ? [alias] : Array.from({ length: settings.replicas }, (_, i) => `${alias}-${i}`);
    const sentinels = Array.from({ length: sentinel?.sentinels ?? 0 }, (_, i) => `${alias}-sentinel-${i}`);
    const metrics = planMetrics(settings.metrics, args.metrics, tuning.port);
    const tls = planTls(settings.tls, args.tls);
    requireExporterIdentity(metrics !== undefined, tls && { authClients: tls.authClients, client: tls.generated ? true : undefined });
    return {
        name,
        servers,
        sentinels,
        sentinel,
        tuning,
        server,
        image,
        memoryLimitMb: settings.memoryLimitMb,
        cpu,
        restartPolicy: settings.restartPolicy,
        log: { maxSize: settings.logMaxSize, maxFiles: settings.logMaxFiles },
        tls,
        metrics,
        credentials: settings,
    };
}

/** TLS, or undefined without: generated certificates unless all three PEMs are given. */
function planTls(settings: ParsedDockerArgs["tls"], given: DockerRedisArgs["tls"]): DockerRedisPlan["tls"] {
    requireEnabled(settings, { ...given, enabled: undefined });
    if (!settings.enabled) return undefined;
    const pems = [settings.caCertificate, settings.certificate, settings.privateKey];
    if (pems.some((pem) => pem !== undefined) && pems.some((pem) => pem === undefined)) {
        const missing =
            settings.caCertificate === undefined ? "caCertificate" : settings.certificate === undefined ? "certificate" : "privateKey";
        throw new RedisConfigError(
            `tls.${missing}`,
            "a PEM, given together with tls.caCertificate, tls.certificate and tls.privateKey (or none of them, to generate all three)",
            "nothing",
        );
    }
    return { settings, authClients: authClients(settings), generated: pems.every((pem) => pem === undefined) };
}

function defaultAlias(name: string, sharedNetwork: boolean): string {
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

/** A Docker label list naming the component and the resource's role in it. */
export function dockerLabels(plan: Pick<DockerRedisPlan, "name">, role: string): Array<{ label: string; value: pulumi.Input<string> }> {
    return [
        { label: "hardened-redis.component", value: plan.name },
        { label: "hardened-redis.role", value: role },
    ];
}

/** The server Sentinels and replicas start from, or undefined for a single server. */
export function dockerPrimary(plan: DockerRedisPlan): { host: string; port: number } | undefined {
    return plan.servers.length > 1 ? { host: plan.servers[0], port: plan.tuning.port } : undefined;
}

/** Every name a server or Sentinel is reached by, for the certificate's SANs. */
export function dockerDnsNames(plan: DockerRedisPlan): string[] {
    return [...plan.servers, ...plan.sentinels];
}

/** The lockdown of every container of the component: its user, no capability, no privilege, a read-only root, bounded logs. */
function lockedDown(plan: DockerRedisPlan, user: string) {
    return {
        user,
        readOnly: true,
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        restart: plan.restartPolicy,
        logDriver: "json-file",
        logOpts: { "max-size": plan.log.maxSize, "max-file": String(plan.log.maxFiles) },
        mustRun: true,
    };
}

/** What the Redis and Sentinel containers share besides the lockdown: the image, a small /tmp, the config's hash, waiting until healthy. */
function redisContainer(plan: DockerRedisPlan, wiring: DockerWiring, role: string) {
    return {
        image: wiring.image,
        ...lockedDown(plan, `${REDIS_UID}:${REDIS_GID}`),
        tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=16m" },
        labels: [...dockerLabels(plan, role), { label: "hardened-redis.config-sha256", value: wiring.configSha256 }],
        wait: true,
        waitTimeout: 120,
    };
}

/** A NOAUTH reply proves the server is up without handing the password to the check. */
function healthcheck(plan: DockerRedisPlan, port: number): docker.types.input.ContainerHealthcheck {
    return {
        tests: [
            "CMD-SHELL",
            pingCommand(
                plan.server.family,
                port,
                ["PONG", "NOAUTH"],
                plan.tls && { tls: { clientCertificate: plan.tls.authClients === "yes" } },
            ),
        ],
        interval: "5s",
        timeout: "3s",
        startPeriod: "30s",
        retries: 5,
    };
}

/** Server `index`'s resource name: server 0 keeps the names a single server has always had, so adding replicas keeps its data. */
export function serverResourceName(plan: DockerRedisPlan, index: number): string {
    return index === 0 ? plan.name : `${plan.name}-${index}`;
}

/** Whether servers and Sentinels get a network holder (see planNetworkHolder): in a topology, where others look them up by name. */
export function needsNetworkHolders(plan: DockerRedisPlan): boolean {
    return plan.servers.length > 1;
}

/**
 * A network identity that outlives the process using it, as a Kubernetes pod's infra
 * container does: a container that only holds the network namespace, with the alias, which the
 * Redis or Sentinel container joins. When Redis crashes or is killed its name keeps resolving
 * and its address keeps refusing connections at once; without it, Docker drops the name, and on
 * an internal network a lookup of the missing name stalls for tens of seconds (the embedded DNS
 * forwards it to resolvers it cannot reach), which blocks Sentinel (TILT) and the replicas.
 */
export function planNetworkHolder(plan: DockerRedisPlan, host: string, wiring: DockerWiring): docker.ContainerArgs {
    return {
        image: wiring.image,
        // Does nothing, forever, as the pause container does; nothing to flush, so SIGKILL stops it.
        command: ["sleep", "2147483647"],
        ...lockedDown(plan, `${REDIS_UID}:${REDIS_GID}`),
        memory: NETWORK_HOLDER_MEMORY_MB,
        memorySwap: NETWORK_HOLDER_MEMORY_MB,
        networksAdvanced: [{ name: wiring.networkName, aliases: [host] }],
        labels: dockerLabels(plan, "network"),
        stopSignal: "SIGKILL",
    };
}

/** Seconds Redis gets to stop on SIGTERM (flush the AOF, let replicas catch up) before SIGKILL. */
const SHUTDOWN_SECONDS = 30;

/**
 * The command server `index` starts with. Replicated: the first from redis.conf as the primary,
 * the others from replica.conf as its replicas. With Sentinel: each in the role the Sentinels name
 * (see policies/shared/serverStart.ts), handing over when stopped. Each announces its alias, so
 * Sentinels and replicas know it by name across restarts and address changes.
 */
export function serverStart(plan: DockerRedisPlan, index: number): string[] {
    const host = plan.servers[index];
    if (plan.sentinel) {
        return sentinelServerCommand(plan.server.family, {
            self: host,
            firstPrimary: plan.servers[0],
            port: plan.tuning.port,
            sentinels: plan.sentinels.map((alias) => ({ host: alias, port: SENTINEL_PORT })),
            sentinel: plan.sentinel,
            tls: plan.tls && { clientCertificate: plan.tls.authClients === "yes" },
        });
    }
    const file = index === 0 ? "redis.conf" : "replica.conf";
    return [...serverCommand(plan.server.family, file), ...(needsNetworkHolders(plan) ? ["--replica-announce-ip", host] : [])];
}

/** Redis server `index` (see {@link serverStart}). `networkMode` joins its network holder, if any. */
export function planServer(
    plan: DockerRedisPlan,
    index: number,
    wiring: DockerWiring & { dataVolume: pulumi.Input<string>; networkMode?: pulumi.Input<string> },
): docker.ContainerArgs {
    const host = plan.servers[index];
    const port = plan.tuning.port;
    // A primary of a Sentinel topology hands over before it gets SIGTERM's share.
    const stopSeconds = SHUTDOWN_SECONDS + (plan.sentinel ? HANDOVER_SECONDS : 0);
    return {
        ...redisContainer(plan, wiring, "server"),
        command: serverStart(plan, index),
        memory: plan.memoryLimitMb,
        memorySwap: plan.memoryLimitMb,
        cpuShares: plan.cpu.dockerShares,
        cpus: plan.cpu.dockerCpus,
        // The provider has no pids limit; Redis forks at most one child (BGSAVE or an AOF rewrite).
        ulimits: [{ name: "nofile", soft: NOFILE_LIMIT, hard: NOFILE_LIMIT }],
        ...(wiring.networkMode !== undefined
            ? { networkMode: wiring.networkMode }
            : { networksAdvanced: [{ name: wiring.networkName, aliases: [host] }] }),
        volumes: [
            { volumeName: wiring.dataVolume, containerPath: DATA_DIR },
            { volumeName: wiring.configVolume, containerPath: CONFIG_DIR, readOnly: true },
        ],
        healthcheck: healthcheck(plan, port),
        // Redis flushes the AOF on SIGTERM; give it time before SIGKILL.
        stopSignal: "SIGTERM",
        stopTimeout: stopSeconds,
        destroyGraceSeconds: stopSeconds,
    };
}

/**
 * Sentinel `index`. Sentinel rewrites its config as it learns the topology, so it runs on a
 * private copy on a small writable volume (readable by uid 999 alone: it holds the password
 * Sentinels authenticate with), rebuilt at each start keeping what it learnt; the root
 * filesystem stays read-only.
 */
export function planSentinelContainer(
    plan: DockerRedisPlan,
    index: number,
    wiring: DockerWiring & { sentinelVolume: pulumi.Input<string>; networkMode: pulumi.Input<string> },
): docker.ContainerArgs {
    if (plan.sentinel === undefined) throw new Error("planSentinelContainer: no Sentinel planned");
    return {
        ...redisContainer(plan, wiring, "sentinel"),
        command: sentinelCommand(plan.server.family, {
            renderedFile: `${CONFIG_DIR}/${sentinelFile(index)}`,
            dataDir: SENTINEL_DIR,
            masterName: plan.sentinel.masterName,
        }),
        memory: SENTINEL_MEMORY_MB,
        memorySwap: SENTINEL_MEMORY_MB,
        networkMode: wiring.networkMode,
        volumes: [
            { volumeName: wiring.sentinelVolume, containerPath: SENTINEL_DIR },
            { volumeName: wiring.configVolume, containerPath: CONFIG_DIR, readOnly: true },
        ],
        healthcheck: healthcheck(plan, SENTINEL_PORT),
    };
}

/** Sentinel `index`'s rendered file, in the config volume. */
export function sentinelFile(index: number): string {
    return `sentinel-${index}.conf`;
}

/** Each server's exporter address (`redis://<alias>:<port>`, `rediss://` with TLS), the key of its password. */
export function exporterAddresses(plan: DockerRedisPlan): string[] {
    return plan.servers.map((host) => exporterAddress(host, plan.tuning.port, plan.tls !== undefined));
}

/** Whether the exporters present the generated client certificate: with mutual TLS (requireExporterIdentity refused it without one). */
export function exporterPresentsCertificate(plan: DockerRedisPlan): boolean {
    return plan.tls?.authClients === "yes";
}

/** Server `index`'s exporter alias: `<server alias>-metrics`. */
function exporterAlias(plan: DockerRedisPlan, index: number): string {
    return `${plan.servers[index]}-metrics`;
}

/** Each server's exporter endpoint, in server order; empty without metrics. */
export function metricsEndpoints(plan: DockerRedisPlan): string[] {
    const metrics = plan.metrics;
    if (metrics === undefined) return [];
    return plan.servers.map((_, i) => `http://${exporterAlias(plan, i)}:${metrics.port}/metrics`);
}

/**
 * Server `index`'s redis_exporter, on the internal network under `<server alias>-metrics` (and on
 * `scrapeNetworkName` when given, where Redis is not), authenticating as the metrics user, its
 * files read-only from the exporters' own volume. It runs with group 0 to read them (they belong
 * to root, group-readable only), so no other uid can.
 */
export function planExporter(
    plan: DockerRedisPlan,
    index: number,
    wiring: {
        image: pulumi.Input<string>;
        networkName: pulumi.Input<string>;
        secretsVolume: pulumi.Input<string>;
        filesSha256: pulumi.Input<string>;
    },
): docker.ContainerArgs {
    const metrics = plan.metrics;
    if (metrics === undefined) throw new Error("planExporter: no metrics planned");
    const alias = exporterAlias(plan, index);
    const scrapeNetwork = metrics.scrapeNetworkName as pulumi.Input<string> | undefined;
    return {
        image: wiring.image,
        // The image's own entrypoint, spelt out: a policy cannot read an image, and an
        // argv of bare flags would otherwise pass for redis-server's.
        entrypoints: [EXPORTER_ENTRYPOINT],
        command: exporterArgs({
            address: exporterAddresses(plan)[index],
            port: metrics.port,
            tls: plan.tls && { clientCertificate: exporterPresentsCertificate(plan) },
        }),
        ...lockedDown(plan, `${EXPORTER_UID}:0`),
        memory: EXPORTER_MEMORY_MB,
        memorySwap: EXPORTER_MEMORY_MB,
        networksAdvanced: [
            { name: wiring.networkName, aliases: [alias] },
            ...(scrapeNetwork === undefined ? [] : [{ name: scrapeNetwork, aliases: [alias] }]),
        ],
        volumes: [{ volumeName: wiring.secretsVolume, containerPath: EXPORTER_SECRETS_DIR, readOnly: true }],
        labels: [...dockerLabels(plan, "metrics"), { label: "hardened-redis.metrics-sha256", value: wiring.filesSha256 }],
    };
}

/**
 * A container that is created but never started, to receive `uploads` into `volume` at `dir`. The
 * provider uploads files through the archive API at "/", which Docker refuses for a container with
 * a read-only root filesystem, even when the file lands in a volume; the containers that run mount
 * the volume read-only instead.
 */
export function planWriter(
    plan: DockerRedisPlan,
    role: string,
    wiring: { image: pulumi.Input<string>; volume: pulumi.Input<string>; dir: string; uploads: docker.ContainerArgs["uploads"] },
): docker.ContainerArgs {
    return {
        image: wiring.image,
        start: false,
        mustRun: false,
        networkMode: "none",
        volumes: [{ volumeName: wiring.volume, containerPath: wiring.dir }],
        uploads: wiring.uploads,
        labels: dockerLabels(plan, role),
    };
}
