// Resources as the engine sees them, for policy tests: a hardened Redis on Docker and on
// Kubernetes (as hardened-redis declares them), lookalikes that are not Redis, and helpers
// to break one setting at a time.
import { renderRedisConfig } from "../../redis/config/render";
import { hardenedUsers } from "../../redis/acl/users";
import { renderSentinelConfig, sentinelCommand } from "../../redis/sentinel/sentinelConfig";
import { UNKNOWN, type TestResource } from "./inProcess";

/** A password that must never show up in a policy message. */
export const SECRET = "S3cr3t-Passw0rd-do-not-echo";

export const hardenedConf = renderRedisConfig({
    users: hardenedUsers({ app: [SECRET], admin: [`${SECRET}-admin`], replication: [`${SECRET}-replication`] }),
    configCommandName: "cfg0123456789abcdef0123",
})["redis.conf"];

/** Changes `redis.conf` directives: `{ appendonly: "no" }` rewrites that line, `null` removes it. */
export function editConf(conf: string, changes: Record<string, string | null>): string {
    let text = conf;
    for (const [key, value] of Object.entries(changes)) {
        const line = new RegExp(`^${key} .*$`, "gm");
        text =
            value === null
                ? text.replace(line, "")
                : line.test(text)
                  ? text.replace(line, `${key} ${value}`)
                  : `${text}\n${key} ${value}\n`;
    }
    return text;
}

/** `hardenedConf` with TLS on, as hardened-redis renders it: TLS only (port 0), TLS 1.2+, replicas over TLS. */
export const tlsConf = renderRedisConfig({
    users: hardenedUsers({ app: [SECRET], admin: [`${SECRET}-admin`], replication: [`${SECRET}-replication`] }),
    configCommandName: "cfg0123456789abcdef0123",
    tls: true,
})["redis.conf"];

/** A replica's `replica.conf` as hardened-redis renders it: it includes redis.conf, then replicates pod 0. */
export const replicaConf = renderRedisConfig({
    users: hardenedUsers({ app: [SECRET], admin: [`${SECRET}-admin`], replication: [`${SECRET}-replication`] }),
    configCommandName: "cfg0123456789abcdef0123",
    replicaOfHost: "cache-0.cache-headless.redis.svc",
})["replica.conf"];

/** The command of a replicated StatefulSet's pods: pod 0 starts from redis.conf, the others from replica.conf. */
export const PRIMARY_OR_REPLICA = [
    "sh",
    "-c",
    'if [ "${HOSTNAME##*-}" = 0 ]; then exec redis-server /usr/local/etc/redis/redis.conf; else exec redis-server /usr/local/etc/redis/replica.conf; fi',
];

const sentinelUsers = hardenedUsers({
    app: [SECRET],
    admin: [`${SECRET}-admin`],
    replication: [`${SECRET}-replication`],
    sentinel: [`${SECRET}-sentinel`],
});

/** `redis.conf` of a server Sentinels watch, as hardened-redis renders it: with the `sentinel` user. */
export const watchedConf = renderRedisConfig({ users: sentinelUsers, configCommandName: "cfg0123456789abcdef0123" })["redis.conf"];

/** `sentinel-0.conf` as hardened-redis renders it (TLS with `tls`). */
export function sentinelConf(tls = false): string {
    return renderSentinelConfig({
        masterName: "cache",
        primaryHost: "cache-0",
        redisPort: 6379,
        announceHost: "cache-sentinel-0",
        servers: [0, 1, 2].map((i) => ({ host: `cache-${i}`, port: 6379 })),
        sentinels: [0, 1, 2].map((i) => ({ host: `cache-sentinel-${i}`, port: 26379 })),
        quorum: 2,
        downAfterMilliseconds: 5_000,
        failoverTimeoutMilliseconds: 60_000,
        users: sentinelUsers,
        configCommandName: "cfg0123456789abcdef0123",
        dataDir: "/data",
        configDir: "/usr/local/etc/redis",
        tls,
    });
}

/** How hardened-redis starts a Sentinel: from a private, writable copy of its uploaded, read-only config. */
export const SENTINEL_COMMAND = sentinelCommand("redis", {
    renderedFile: "/usr/local/etc/redis/sentinel-0.conf",
    dataDir: "/data",
    masterName: "cache",
});

/**
 * One Sentinel as DockerRedis declares it: the never-started helper that uploads `sentinel-0.conf`
 * (`conf`) into the config volume, a network holder (a redis-image container that only sleeps,
 * carrying the network alias) and the Sentinel, which joins the holder's network namespace.
 * `sentinel` and `holder` change those containers' props.
 */
export function sentinelTopology(
    conf: string = sentinelConf(),
    sentinel: Record<string, unknown> = {},
    holder: Record<string, unknown> = {},
): TestResource[] {
    const hardening = {
        user: "999:1000",
        readOnly: true,
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        memory: 64,
        labels: [{ label: "hardened-redis.component", value: "cache" }],
    };
    return [
        internalNetwork,
        {
            type: "docker:index/container:Container",
            name: "cache-config",
            props: {
                image: "redis:7-alpine",
                start: false,
                networkMode: "none",
                volumes: [{ volumeName: "cache-config", containerPath: "/usr/local/etc/redis" }],
                uploads: [{ file: "/usr/local/etc/redis/sentinel-0.conf", content: conf, permissions: "0444" }],
            },
        },
        {
            type: "docker:index/container:Container",
            name: "cache-sentinel-0-network",
            props: {
                name: "cache-sentinel-0-network-1a2b3c",
                image: "redis:7-alpine",
                command: ["sleep", "2147483647"],
                ...hardening,
                networksAdvanced: [{ name: "redis-net", aliases: ["cache-sentinel-0"] }],
                ...holder,
            },
        },
        {
            type: "docker:index/container:Container",
            name: "cache-sentinel-0",
            props: {
                name: "cache-sentinel-0-4d5e6f",
                image: "redis:7-alpine",
                command: SENTINEL_COMMAND,
                ...hardening,
                networkMode: "container:cache-sentinel-0-network-1a2b3c",
                volumes: [
                    { volumeName: "cache-sentinel-0", containerPath: "/data" },
                    { volumeName: "cache-config", containerPath: "/usr/local/etc/redis", readOnly: true },
                ],
                healthcheck: { tests: ["CMD-SHELL", "redis-cli -p 26379 ping 2>&1 | grep -Eq '^(PONG|NOAUTH)'"] },
                ...sentinel,
            },
        },
    ];
}

export const internalNetwork: TestResource = {
    type: "docker:index/network:Network",
    name: "redis-net",
    props: { name: "redis-net", internal: true, driver: "bridge" },
};

export function redisContainer(props: Record<string, unknown> = {}, conf = hardenedConf): TestResource {
    return {
        type: "docker:index/container:Container",
        name: "cache",
        props: {
            image: "sha256:0123456789abcdef",
            command: ["redis-server", "/usr/local/etc/redis/redis.conf"],
            user: "999:1000",
            readOnly: true,
            capabilities: { drops: ["ALL"] },
            securityOpts: ["no-new-privileges:true"],
            memory: 256,
            networksAdvanced: [{ name: "redis-net", aliases: ["cache"] }],
            volumes: [
                { volumeName: "cache-data", containerPath: "/data" },
                { volumeName: "cache-config", containerPath: "/usr/local/etc/redis" },
            ],
            uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: conf, permissions: "0444" }],
            labels: [{ label: "hardened-redis.component", value: "cache" }],
            healthcheck: { tests: ["CMD-SHELL", "redis-cli -p 6379 ping 2>&1 | grep -Eq '^(PONG|NOAUTH)'"] },
            ...props,
        },
    };
}

/** A hand-written Redis container: the official image name, its default command, nothing else. */
export function plainRedisContainer(props: Record<string, unknown> = {}): TestResource {
    return { type: "docker:index/container:Container", name: "plain-redis", props: { image: "redis:7-alpine", ...props } };
}

/**
 * A container that names its image only by ID, as `new docker.Container(…, { image: img.imageId })`
 * declares it, with the RemoteImage it comes from. `"pulled"`: the ID known and matching the
 * image's (the engine's dependency left out, so only the ID tells); `"preview"`: the ID not known
 * yet, so only the container's dependency on the image tells. Nothing else says what it runs: no
 * command, ports or labels.
 */
export function containerFromImageId(
    image: string,
    props: Record<string, unknown> = {},
    when: "pulled" | "preview" = "pulled",
): TestResource[] {
    const id = when === "pulled" ? `sha256:${"5e1f".repeat(16)}` : UNKNOWN;
    const remote: TestResource = { type: "docker:index/remoteImage:RemoteImage", name: "pulled", props: { name: image, imageId: id } };
    const container: TestResource = {
        type: "docker:index/container:Container",
        name: "from-id",
        props: { image: id, ...props },
        ...(when === "preview" && { propertyDependencies: { image: ["pulled"] } }),
    };
    return [remote, container];
}

/**
 * Images of other servers that speak Redis's protocol, or of Redis under another repository name,
 * with the name a test label gives each. Policies must know each as Redis, with nothing else
 * (command, port, labels) saying so.
 */
export const OTHER_REDIS_IMAGES: ReadonlyArray<readonly [string, string]> = [
    ["Valkey", "valkey/valkey:8.0.2-alpine"],
    ["Bitnami's Valkey", "bitnami/valkey:8.0.1"],
    ["KeyDB", "eqalpha/keydb:x86_64_v6.3.4"],
    ["Dragonfly", "docker.dragonflydb.io/dragonflydb/dragonfly:v1.25.1"],
    ["Redis Stack", "redis/redis-stack-server:7.4.0-v1"],
    ["Bitnami's Redis Sentinel", "bitnami/redis-sentinel:7.2.5"],
    ["Valkey with modules", "valkey/valkey-bundle:8.1.1"],
    ["Redis with modules", "redislabs/redismod:edge-7.2.0"],
    ["FalkorDB", "falkordb/falkordb:v4.2.0"],
    ["Apache Kvrocks", "apache/kvrocks:2.10.1"],
    ["Garnet", "ghcr.io/microsoft/garnet:1.0.50"],
    ["Chainguard's Redis", "cgr.dev/chainguard/redis-server-bitnami:7.4"],
];

/** A hand-written Docker container of `image` running its default command, nothing else set but `props`. */
export function imageContainer(image: string, props: Record<string, unknown> = {}): TestResource {
    return { type: "docker:index/container:Container", name: "server", props: { image, ...props } };
}

/** A hand-written Deployment of one container of `image`, on port 7000 (so no port says Redis). */
export function imageDeployment(image: string, pod: Record<string, unknown> = {}, container: Record<string, unknown> = {}): TestResource {
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "server",
        props: {
            metadata: { name: "server", namespace: "apps" },
            spec: {
                selector: { matchLabels: { app: "server" } },
                template: {
                    metadata: { labels: { app: "server" } },
                    spec: { containers: [{ name: "server", image, ports: [{ containerPort: 7000 }], ...container }], ...pod },
                },
            },
        },
    };
}

/** A Swarm service of `image`, as `new docker.Service(…)` declares it; `props` merge over the task's container spec and the rest. */
export function swarmService(
    image: string,
    { containerSpec = {}, ...props }: { containerSpec?: Record<string, unknown> } & Record<string, unknown> = {},
): TestResource {
    return {
        type: "docker:index/service:Service",
        name: "swarm-cache",
        props: { name: "swarm-cache", taskSpec: { containerSpec: { image, ...containerSpec } }, ...props },
    };
}

/** A Helm v3 Release of `chart` with `values`, as `new k8s.helm.v3.Release(…)` declares it. */
export function helmRelease(chart: string, values: Record<string, unknown>): TestResource {
    return {
        type: "kubernetes:helm.sh/v3:Release",
        name: "cache",
        props: { chart, version: "20.1.0", namespace: "redis", repositoryOpts: { repo: "https://charts.bitnami.com/bitnami" }, values },
    };
}

export const nginxContainer: TestResource = {
    type: "docker:index/container:Container",
    name: "web",
    props: { image: "nginx:1.27", ports: [{ internal: 80, external: 8080 }], envs: ["API_PASSWORD=literal"], privileged: true },
};

const labels = { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "cache" };

/** The Secret holding the config directory; `files` adds files next to redis.conf (e.g. replica.conf). */
export function redisSecret(conf = hardenedConf, files: Record<string, string> = {}): TestResource {
    return {
        type: "kubernetes:core/v1:Secret",
        name: "cache-config",
        props: {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "cache-config-1234", namespace: "redis" },
            stringData: { "redis.conf": conf, password: SECRET, ...files },
        },
    };
}

export function redisStatefulSet(
    pod: Record<string, unknown> = {},
    container: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
): TestResource {
    return {
        type: "kubernetes:apps/v1:StatefulSet",
        name: "cache",
        props: {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "cache", namespace: "redis" },
            spec: {
                serviceName: "cache-headless",
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: 999,
                            runAsGroup: 1000,
                            fsGroup: 1000,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        automountServiceAccountToken: false,
                        containers: [
                            {
                                name: "redis",
                                image: "redis:7-alpine",
                                command: ["redis-server", "/usr/local/etc/redis/redis.conf"],
                                ports: [{ name: "redis", containerPort: 6379 }],
                                resources: { limits: { memory: "256Mi" } },
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    runAsNonRoot: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                volumeMounts: [
                                    { name: "data", mountPath: "/data" },
                                    { name: "config", mountPath: "/usr/local/etc/redis", readOnly: true },
                                ],
                                readinessProbe: {
                                    exec: {
                                        command: ["sh", "-c", "redis-cli --askpass ping < /usr/local/etc/redis/password | grep -q PONG"],
                                    },
                                },
                                ...container,
                            },
                        ],
                        volumes: [{ name: "config", secret: { secretName: "cache-config-1234" } }],
                        ...pod,
                    },
                },
                volumeClaimTemplates: [
                    { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
                ],
                ...extra,
            },
        },
    };
}

export function networkPolicy(spec: Record<string, unknown> = {}): TestResource {
    return {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name: "cache",
        props: {
            metadata: { name: "cache", namespace: "redis" },
            spec: {
                podSelector: { matchLabels: labels },
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ from: [{ podSelector: { matchLabels: { "cache-client": "true" } } }], ports: [{ port: 6379 }] }],
                ...spec,
            },
        },
    };
}

export function service(spec: Record<string, unknown>, name = "cache"): TestResource {
    return { type: "kubernetes:core/v1:Service", name, props: { metadata: { name, namespace: "redis" }, spec } };
}

export const redisServicePorts = [{ name: "redis", port: 6379, targetPort: "redis" }];

/** The hardened Kubernetes deployment as a whole. */
export const hardenedKubernetes = (): TestResource[] => [
    redisStatefulSet(),
    redisSecret(),
    networkPolicy(),
    service({ type: "ClusterIP", selector: labels, ports: redisServicePorts }),
];
