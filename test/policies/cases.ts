// Every redis-guard policy's cases: stacks that break it, keep it, or leave it unable to tell.
// The rule tests run them, and the unknown/absent fuzz derives its variants from them.
import type { Policy } from "@pulumi/policy";
import { appendfsyncAlways } from "../../policies/appendfsyncAlways";
import { cacheNoEviction } from "../../policies/cacheNoEviction";
import { defaultUserFullAccess } from "../../policies/defaultUserFullAccess";
import { dockerContainerHardening } from "../../policies/dockerContainerHardening";
import { dockerInternalNetworkOnly } from "../../policies/dockerInternalNetworkOnly";
import { dockerNoHostNamespaces } from "../../policies/dockerNoHostNamespaces";
import { dockerNoPrivilegedOrSocket } from "../../policies/dockerNoPrivilegedOrSocket";
import { dockerNoPublishedPorts } from "../../policies/dockerNoPublishedPorts";
import { imagePinned } from "../../policies/imagePinned";
import { k8sNoHostNetwork } from "../../policies/k8sNoHostNetwork";
import { k8sNoIngressRoute } from "../../policies/k8sNoIngressRoute";
import { k8sNoPublicService } from "../../policies/k8sNoPublicService";
import { k8sPodHardening } from "../../policies/k8sPodHardening";
import { k8sRequireNetworkPolicy } from "../../policies/k8sRequireNetworkPolicy";
import { memoryLimit } from "../../policies/memoryLimit";
import { noLiteralPassword } from "../../policies/noLiteralPassword";
import { nonAdminUserDangerousCommands } from "../../policies/nonAdminUserDangerousCommands";
import { persistence } from "../../policies/persistence";
import { requireAuthAndHardening } from "../../policies/requireAuthAndHardening";
import { tlsInTransit } from "../../policies/tlsInTransit";
import { UNKNOWN, type TestResource } from "../../harness/policyHarness";
import {
    editConf,
    hardenedConf,
    hardenedKubernetes,
    internalNetwork,
    networkPolicy,
    nginxContainer,
    plainRedisContainer,
    PRIMARY_OR_REPLICA,
    redisContainer,
    redisSecret,
    redisServicePorts,
    redisStatefulSet,
    replicaConf,
    SECRET,
    service,
    tlsConf,
} from "../../harness/policyFixtures";

export interface PolicyCase {
    policy: Policy;
    /** Setups that break the policy: each must be reported. */
    violating: Array<[string, TestResource[]]>;
    /** Setups that keep it, including things that merely look like Redis. */
    compliant: Array<[string, TestResource[]]>;
    /** Setups whose deciding values are unknown at preview: no crash, no violation. */
    unknown: Array<[string, TestResource[]]>;
}

export const hardenedDocker = (): TestResource[] => [internalNetwork, redisContainer()];
export const k8sWith = (...replace: TestResource[]): TestResource[] => [
    ...hardenedKubernetes().filter((r) => !replace.some((x) => x.type === r.type && x.name === r.name)),
    ...replace,
];

/** A container that takes its users from an ACL file uploaded next to its config. */
/** `acl` is the file's text, or UNKNOWN (a string sentinel) for a value computed at deployment. */
export function withAclFile(acl: string): TestResource {
    const conf = `${editConf(hardenedConf, { user: null })}\naclfile /usr/local/etc/redis/users.acl\n`;
    const container = redisContainer({}, conf);
    const props = container.props as { uploads: unknown[] };
    return { ...container, props: { ...props, uploads: [...props.uploads, { file: "/usr/local/etc/redis/users.acl", content: acl }] } };
}

export const cases: PolicyCase[] = [
    {
        policy: dockerNoPublishedPorts,
        violating: [
            ["a published Redis port", [redisContainer({ ports: [{ internal: 6379, external: 6379 }] })]],
            ["publishAllPorts", [redisContainer({ publishAllPorts: true })]],
            // Its ports open on the first `docker start`, by hand or by a later update.
            ["a Redis container created stopped", [redisContainer({ start: false, ports: [{ internal: 6379, external: 6379 }] })]],
            [
                "a hand-written redis:7 container with a port",
                [plainRedisContainer({ ports: [{ internal: 6379, external: 16379, ip: "0.0.0.0" }] })],
            ],
        ],
        compliant: [
            ["the hardened container", hardenedDocker()],
            ["an nginx container with a published port", [nginxContainer]],
        ],
        unknown: [
            ["unknown ports", [redisContainer({ ports: UNKNOWN })]],
            ["an unknown port element", [redisContainer({ ports: [UNKNOWN] })]],
            [
                "an unknown image on a container without other Redis signs",
                [{ type: "docker:index/container:Container", name: "x", props: { image: UNKNOWN, ports: [{ internal: 80 }] } }],
            ],
        ],
    },
    {
        policy: dockerNoHostNamespaces,
        violating: [
            ["host networking", [redisContainer({ networkMode: "host" })]],
            ["the host PID namespace", [redisContainer({ pidMode: "host" })]],
            ["the host IPC namespace", [redisContainer({ ipcMode: "host" })]],
        ],
        compliant: [
            ["the hardened container", hardenedDocker()],
            ["nginx on the host network", [{ ...nginxContainer, props: { ...nginxContainer.props, networkMode: "host" } }]],
        ],
        unknown: [["an unknown network mode", [redisContainer({ networkMode: UNKNOWN })]]],
    },
    {
        policy: dockerInternalNetworkOnly,
        violating: [
            ["a network that is not internal", [{ ...internalNetwork, props: { name: "redis-net", internal: false } }, redisContainer()]],
            ["the default bridge", [redisContainer({ networksAdvanced: undefined })]],
            ["the built-in bridge by name", [redisContainer({ networksAdvanced: [{ name: "bridge" }] })]],
        ],
        compliant: [
            ["the hardened container on its internal network", hardenedDocker()],
            ["a network from another stack (cannot be judged here)", [redisContainer({ networksAdvanced: [{ name: "shared-internal" }] })]],
            ["nginx on the default bridge", [nginxContainer]],
        ],
        unknown: [
            ["an unknown internal flag", [{ ...internalNetwork, props: { name: "redis-net", internal: UNKNOWN } }, redisContainer()]],
            ["unknown networks", [internalNetwork, redisContainer({ networksAdvanced: UNKNOWN })]],
        ],
    },
    {
        policy: k8sNoPublicService,
        violating: [
            ["a LoadBalancer", [service({ type: "LoadBalancer", ports: redisServicePorts })]],
            // The usual NodePort: Kubernetes picks the node port.
            ["a NodePort", [service({ type: "NodePort", ports: redisServicePorts })]],
            ["an explicit nodePort on a ClusterIP", [service({ type: "ClusterIP", ports: [{ port: 6379, nodePort: 30079 }] })]],
            ["externalIPs", [service({ type: "ClusterIP", externalIPs: ["203.0.113.7"], ports: redisServicePorts })]],
            ["ExternalName selecting Redis by label", [service({ type: "ExternalName", selector: { app: "redis" } })]],
        ],
        compliant: [
            ["a ClusterIP Service", [service({ type: "ClusterIP", ports: redisServicePorts })]],
            [
                "a web LoadBalancer",
                [service({ type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 443, targetPort: 8443 }] }, "web")],
            ],
        ],
        unknown: [
            ["an unknown type", [service({ type: UNKNOWN, ports: redisServicePorts })]],
            ["unknown ports", [service({ type: "LoadBalancer", ports: UNKNOWN })]],
        ],
    },
    {
        policy: k8sNoIngressRoute,
        violating: [
            [
                "an Ingress to port 6379",
                [
                    {
                        type: "kubernetes:networking.k8s.io/v1:Ingress",
                        name: "edge",
                        props: {
                            spec: {
                                rules: [
                                    { http: { paths: [{ path: "/", backend: { service: { name: "cache", port: { number: 6379 } } } }] } },
                                ],
                            },
                        },
                    },
                ],
            ],
            [
                "an ingress-nginx TCP mapping",
                [
                    {
                        type: "kubernetes:core/v1:ConfigMap",
                        name: "tcp",
                        props: { metadata: { name: "tcp-services" }, data: { "6379": "redis/cache:6379" } },
                    },
                ],
            ],
        ],
        compliant: [
            [
                "an Ingress to a web port",
                [
                    {
                        type: "kubernetes:networking.k8s.io/v1:Ingress",
                        name: "edge",
                        props: { spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } } } },
                    },
                ],
            ],
            [
                "a TCP mapping to Postgres",
                [
                    {
                        type: "kubernetes:core/v1:ConfigMap",
                        name: "tcp",
                        props: { metadata: { name: "tcp-services" }, data: { "5432": "db/pg:5432" } },
                    },
                ],
            ],
        ],
        unknown: [
            [
                "an unknown backend port",
                [
                    {
                        type: "kubernetes:networking.k8s.io/v1:Ingress",
                        name: "edge",
                        props: { spec: { defaultBackend: { service: { name: "cache", port: UNKNOWN } } } },
                    },
                ],
            ],
        ],
    },
    {
        policy: k8sNoHostNetwork,
        violating: [
            ["hostNetwork", [redisStatefulSet({ hostNetwork: true })]],
            ["a hostPort", [redisStatefulSet({}, { ports: [{ containerPort: 6379, hostPort: 6379 }] })]],
            [
                "a bare Pod",
                [
                    {
                        type: "kubernetes:core/v1:Pod",
                        name: "p",
                        props: { spec: { hostNetwork: true, containers: [{ name: "r", image: "redis:7" }] } },
                    },
                ],
            ],
        ],
        compliant: [
            ["the hardened StatefulSet", [redisStatefulSet()]],
            [
                "an nginx Deployment on the host network",
                [
                    {
                        type: "kubernetes:apps/v1:Deployment",
                        name: "web",
                        props: {
                            spec: { template: { spec: { hostNetwork: true, containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
                        },
                    },
                ],
            ],
        ],
        unknown: [
            ["an unknown hostNetwork", [redisStatefulSet({ hostNetwork: UNKNOWN })]],
            ["an unknown pod spec", [{ type: "kubernetes:apps/v1:StatefulSet", name: "x", props: { spec: { template: UNKNOWN } } }]],
        ],
    },
    {
        policy: k8sPodHardening,
        violating: [
            [
                "a privileged container",
                [
                    redisStatefulSet(
                        {},
                        {
                            securityContext: {
                                privileged: true,
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                runAsNonRoot: true,
                                capabilities: { drop: ["ALL"] },
                            },
                        },
                    ),
                ],
            ],
            ["no container security context", [redisStatefulSet({ securityContext: undefined }, { securityContext: undefined })]],
            ["root", [redisStatefulSet({ securityContext: { runAsUser: 0, runAsNonRoot: true } })]],
            ["hostPID", [redisStatefulSet({ hostPID: true })]],
            ["a hostPath volume", [redisStatefulSet({ volumes: [{ name: "data", hostPath: { path: "/srv/redis" } }] })]],
        ],
        compliant: [
            ["the hardened StatefulSet", [redisStatefulSet()]],
            [
                "an unhardened nginx",
                [
                    {
                        type: "kubernetes:apps/v1:Deployment",
                        name: "web",
                        props: { spec: { template: { spec: { hostPID: true, containers: [{ name: "nginx", image: "nginx:1.27" }] } } } },
                    },
                ],
            ],
        ],
        unknown: [["an unknown security context", [redisStatefulSet({}, { securityContext: UNKNOWN })]]],
    },
    {
        policy: k8sRequireNetworkPolicy,
        violating: [
            ["no NetworkPolicy", hardenedKubernetes().filter((r) => !r.type.includes("NetworkPolicy"))],
            ["a policy that admits every source", k8sWith(networkPolicy({ ingress: [{}] }))],
            ["a policy for other pods", k8sWith(networkPolicy({ podSelector: { matchLabels: { app: "web" } } }))],
            [
                "a policy in another namespace",
                k8sWith({ ...networkPolicy(), props: { ...networkPolicy().props, metadata: { name: "cache", namespace: "web" } } }),
            ],
        ],
        compliant: [
            ["the hardened deployment", hardenedKubernetes()],
            [
                "a default-deny policy for the namespace",
                k8sWith(networkPolicy({ podSelector: {}, ingress: undefined, policyTypes: ["Ingress"] })),
            ],
        ],
        unknown: [
            [
                "an unknown namespace",
                [
                    redisStatefulSet(),
                    { ...networkPolicy(), props: { ...networkPolicy().props, metadata: { name: "cache", namespace: UNKNOWN } } },
                ],
            ],
            ["an unknown pod selector", k8sWith(networkPolicy({ podSelector: UNKNOWN }))],
        ],
    },
    {
        policy: requireAuthAndHardening,
        violating: [
            ["redis:7 with no config", [plainRedisContainer()]],
            ["a config without a password", [internalNetwork, redisContainer({}, editConf(hardenedConf, { user: null }))]],
            [
                "a user with nopass",
                [internalNetwork, redisContainer({}, editConf(hardenedConf, { user: "default on nopass ~* &* +@all" }))],
            ],
            [
                "protected-mode no as an argument, with an unreadable config",
                [redisContainer({ command: ["redis-server", "/etc/redis.conf", "--protected-mode", "no"], uploads: [] })],
            ],
            ["CONFIG kept", [internalNetwork, redisContainer({}, hardenedConf.replace(/^rename-command CONFIG .*$/m, ""))]],
            ["DEBUG enabled", [internalNetwork, redisContainer({}, editConf(hardenedConf, { "enable-debug-command": "yes" }))]],
            ["a Kubernetes Secret config without auth", k8sWith(redisSecret(editConf(hardenedConf, { user: null })))],
            ["requirepass empty in args", [redisContainer({ command: ["redis-server", "--requirepass", ""] })]],
            ["an ACL file with a nopass default user", [withAclFile("user default on nopass ~* &* +@all\n")]],
            ["an ACL file without a default user (Redis creates it with nopass)", [withAclFile("user app on #" + "a".repeat(64) + "\n")]],
        ],
        compliant: [
            ["the hardened container", hardenedDocker()],
            ["the hardened Kubernetes deployment", hardenedKubernetes()],
            ["requirepass and a disabled CONFIG", [redisContainer({}, `requirepass ${SECRET}\nrename-command CONFIG ""\n`)]],
            ["an ACL file it cannot read", [redisContainer({}, 'aclfile /etc/redis/users.acl\nrename-command CONFIG ""\n')]],
            ["an ACL file that turns default off", [withAclFile("user default off\nuser app on #" + "a".repeat(64) + " ~* +@read\n")]],
            ["nginx", [nginxContainer]],
        ],
        unknown: [
            [
                "config content unknown at preview",
                [internalNetwork, redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })],
            ],
            [
                "a Secret whose data is unknown",
                k8sWith({ ...redisSecret(), props: { metadata: { name: "cache-config-1234", namespace: "redis" }, stringData: UNKNOWN } }),
            ],
            [
                "a Secret name unknown at preview",
                k8sWith(redisStatefulSet({ volumes: [{ name: "config", secret: { secretName: UNKNOWN } }] })),
            ],
        ],
    },
    {
        policy: tlsInTransit,
        // Each finding on its own, on Docker and Kubernetes, is in tlsInTransit.test.ts.
        violating: [
            ["no TLS (the hardened container with TLS off)", hardenedDocker()],
            ["a plaintext port next to TLS", [internalNetwork, redisContainer({}, editConf(tlsConf, { port: null }))]],
            ["TLS 1.1 allowed", k8sWith(redisSecret(editConf(tlsConf, { "tls-protocols": '"TLSv1.1 TLSv1.2"' })))],
            [
                "a replica without tls-replication",
                k8sWith(
                    redisStatefulSet({}, { command: PRIMARY_OR_REPLICA }, { replicas: 2 }),
                    redisSecret(editConf(tlsConf, { "tls-replication": null }), { "replica.conf": replicaConf }),
                ),
            ],
        ],
        compliant: [
            ["TLS only on Docker", [internalNetwork, redisContainer({}, tlsConf)]],
            [
                "TLS only on Kubernetes, replicas included",
                k8sWith(
                    redisStatefulSet({}, { command: PRIMARY_OR_REPLICA }, { replicas: 2 }),
                    redisSecret(tlsConf, { "replica.conf": replicaConf }),
                ),
            ],
            ["nginx without TLS", [nginxContainer]],
        ],
        unknown: [
            [
                "config content unknown at preview",
                [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })],
            ],
            ["an unknown command", [redisContainer({ command: UNKNOWN })]],
            [
                "a Secret whose data is unknown",
                k8sWith({ ...redisSecret(), props: { metadata: { name: "cache-config-1234", namespace: "redis" }, stringData: UNKNOWN } }),
            ],
        ],
    },
    {
        policy: noLiteralPassword,
        violating: [
            ["--requirepass with a literal", [redisContainer({ command: ["redis-server", "--requirepass", SECRET] })]],
            ["a healthcheck with -a", [redisContainer({ healthcheck: { tests: ["CMD", "redis-cli", "-a", SECRET, "ping"] } })]],
            ["a password env value", [redisContainer({ envs: [`REDIS_PASSWORD=${SECRET}`] })]],
            ["a Kubernetes env value", [redisStatefulSet({}, { env: [{ name: "REDIS_PASSWORD", value: SECRET }] })]],
            [
                "a Kubernetes probe with REDISCLI_AUTH",
                [redisStatefulSet({}, { livenessProbe: { exec: { command: ["sh", "-c", `REDISCLI_AUTH=${SECRET} redis-cli ping`] } } })],
            ],
        ],
        compliant: [
            ["the hardened container", hardenedDocker()],
            ["the hardened StatefulSet (password on stdin)", [redisStatefulSet()]],
            [
                "an env var expanded from a Secret",
                [
                    redisStatefulSet(
                        {},
                        {
                            env: [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "s", key: "p" } } }],
                            args: ["--requirepass", "$(REDIS_PASSWORD)"],
                        },
                    ),
                ],
            ],
            ["nginx with a literal password (not Redis)", [nginxContainer]],
        ],
        unknown: [
            ["an unknown command", [redisContainer({ command: UNKNOWN })]],
            ["an unknown env list", [redisStatefulSet({}, { env: UNKNOWN })]],
        ],
    },
    {
        policy: dockerNoPrivilegedOrSocket,
        violating: [
            ["privileged", [redisContainer({ privileged: true })]],
            [
                "the Docker socket bound",
                [redisContainer({ volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] })],
            ],
            [
                "the Docker socket as a mount",
                [redisContainer({ mounts: [{ type: "bind", source: "/run/docker.sock", target: "/docker.sock" }] })],
            ],
        ],
        compliant: [
            ["the hardened container", hardenedDocker()],
            ["a privileged nginx", [nginxContainer]],
        ],
        unknown: [
            ["unknown privileged flag", [redisContainer({ privileged: UNKNOWN })]],
            ["an unknown host path", [redisContainer({ volumes: [{ hostPath: UNKNOWN, containerPath: "/x" }] })]],
        ],
    },
    {
        policy: dockerContainerHardening,
        violating: [
            ["the official image's defaults", [plainRedisContainer()]],
            ["root", [redisContainer({ user: "0:0" })]],
            ["capabilities kept", [redisContainer({ capabilities: undefined })]],
            ["no no-new-privileges", [redisContainer({ securityOpts: [] })]],
            ["a writable root", [redisContainer({ readOnly: false })]],
            ["a bind mount", [redisContainer({ volumes: [{ hostPath: "/srv/redis", containerPath: "/data" }] })]],
        ],
        compliant: [
            ["the hardened container", hardenedDocker()],
            ["nginx as root", [nginxContainer]],
        ],
        unknown: [["an unknown user and capability list", [redisContainer({ user: UNKNOWN, capabilities: { drops: UNKNOWN } })]]],
    },
    {
        policy: persistence,
        violating: [
            ["AOF and RDB both off", [internalNetwork, redisContainer({}, editConf(hardenedConf, { appendonly: "no" }))]],
            [
                "no volume at /data",
                [internalNetwork, redisContainer({ volumes: [{ volumeName: "cache-config", containerPath: "/usr/local/etc/redis" }] })],
            ],
            [
                "a StatefulSet without a claim at /data",
                [redisStatefulSet({}, { volumeMounts: [{ name: "config", mountPath: "/usr/local/etc/redis" }] }), redisSecret()],
            ],
        ],
        compliant: [
            ["the hardened container", hardenedDocker()],
            ["the hardened StatefulSet", hardenedKubernetes()],
            ["RDB only", [internalNetwork, redisContainer({}, editConf(hardenedConf, { appendonly: "no", save: "900 1" }))]],
        ],
        unknown: [["unknown volumes and config", [redisContainer({ volumes: UNKNOWN, uploads: UNKNOWN })]]],
    },
    {
        policy: appendfsyncAlways,
        violating: [
            ["appendfsync always", [redisContainer({}, editConf(hardenedConf, { appendfsync: "always" }))]],
            ["--appendfsync always", [plainRedisContainer({ command: ["redis-server", "--appendfsync", "always"] })]],
        ],
        compliant: [
            ["everysec", hardenedDocker()],
            ["everysec on Kubernetes", hardenedKubernetes()],
        ],
        unknown: [["unknown config", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]]],
    },
    {
        policy: defaultUserFullAccess,
        violating: [
            [
                "requirepass alone (the default user keeps every command)",
                [redisContainer({}, editConf(hardenedConf, { user: null, requirepass: SECRET }))],
            ],
            [
                "a default user with a password and +@all",
                [redisContainer({}, editConf(hardenedConf, { user: `default on >${SECRET} ~* +@all` }))],
            ],
            [
                "a default user with +@admin",
                [redisContainer({}, editConf(hardenedConf, { user: `default on >${SECRET} ~* +@read +@admin` }))],
            ],
            ["an ACL file whose default user has +@all", [withAclFile(`user default on #${"b".repeat(64)} ~* &* +@all\n`)]],
        ],
        compliant: [
            ["the hardened container (default off)", hardenedDocker()],
            ["the hardened Kubernetes deployment", hardenedKubernetes()],
            [
                "a default user without @dangerous",
                [redisContainer({}, editConf(hardenedConf, { user: `default on >${SECRET} ~* +@all -@dangerous +info` }))],
            ],
            ["an ACL file that turns default off", [withAclFile("user default off\n")]],
        ],
        unknown: [
            ["unknown config", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]],
            ["an ACL file unknown at preview", [withAclFile(UNKNOWN)]],
        ],
    },
    {
        policy: nonAdminUserDangerousCommands,
        violating: [
            ["an app user with +@all", [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +@all\n`)]],
            [
                "an app user with +@all -@admin (FLUSHALL and KEYS remain)",
                [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +@all -@admin\n`)],
            ],
            [
                "a user with +@write (it holds FLUSHALL)",
                [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +@write\n`)],
            ],
            ["a user with +config|set", [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} +get +config|set\n`)]],
            [
                "a user with +client (CLIENT KILL among it)",
                [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} +client\n`)],
            ],
            ["such a user in an ACL file", [withAclFile(`user default off\nuser web on #${"c".repeat(64)} ~* allcommands\n`)]],
        ],
        compliant: [
            ["the hardened container (app: +@all -@dangerous +info, admin)", hardenedDocker()],
            ["the hardened Kubernetes deployment", hardenedKubernetes()],
            ["a user with +@all that is off", [redisContainer({}, `${hardenedConf}\nuser web off #${"c".repeat(64)} ~* +@all\n`)]],
            [
                "a user with +@read -keys -sort_ro",
                [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +@read -keys -sort_ro\n`)],
            ],
            [
                "a user with +client -client|kill ... that keeps only safe subcommands",
                [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} +client|setname +client|id\n`)],
            ],
        ],
        unknown: [
            ["unknown config", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]],
            ["an ACL file unknown at preview", [withAclFile(UNKNOWN)]],
        ],
    },
    {
        policy: cacheNoEviction,
        violating: [
            ["maxmemory with noeviction", [redisContainer({}, editConf(hardenedConf, { "maxmemory-policy": "noeviction" }))]],
            ["maxmemory with the default policy", [redisContainer({}, editConf(hardenedConf, { "maxmemory-policy": null }))]],
        ],
        compliant: [
            ["allkeys-lfu", hardenedDocker()],
            ["no maxmemory (another policy's concern)", [plainRedisContainer()]],
        ],
        unknown: [["unknown config", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]]],
    },
    {
        policy: imagePinned,
        violating: [
            ["redis:latest", [plainRedisContainer({ image: "redis:latest" })]],
            ["an untagged RemoteImage", [{ type: "docker:index/remoteImage:RemoteImage", name: "img", props: { name: "redis" } }]],
            ["Redis 6", [redisStatefulSet({}, { image: "redis:6.2-alpine" })]],
        ],
        compliant: [
            [
                "redis:7-alpine",
                [plainRedisContainer(), { type: "docker:index/remoteImage:RemoteImage", name: "img", props: { name: "redis:7-alpine" } }],
            ],
            ["a digest pin", [redisStatefulSet({}, { image: `redis@sha256:${"a".repeat(64)}` })]],
            ["nginx:latest", [{ ...nginxContainer, props: { image: "nginx:latest" } }]],
        ],
        unknown: [["an unknown image", [plainRedisContainer({ image: UNKNOWN, command: ["redis-server"] })]]],
    },
    {
        policy: memoryLimit,
        violating: [
            ["no container memory limit", [redisContainer({ memory: undefined })]],
            ["no maxmemory", [redisContainer({}, editConf(hardenedConf, { maxmemory: null }))]],
            ["no Kubernetes limit", k8sWith(redisStatefulSet({}, { resources: {} }))],
        ],
        compliant: [
            ["the hardened container", hardenedDocker()],
            ["the hardened StatefulSet", hardenedKubernetes()],
        ],
        unknown: [["an unknown memory limit and config", [redisContainer({ memory: UNKNOWN, uploads: UNKNOWN })]]],
    },
];
