import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { schemaErrors } from "../../../harness/mocks/kubernetesSchema";
import { restrictedViolations } from "../../../harness/mocks/podSecurity";
import {
    allRegistered,
    installMocks,
    isSecretValue,
    plainStrings,
    registeredUrns,
    registrationOptions,
    resourcesOf,
    single,
    unwrapSecrets,
    valueOf,
    type RegisteredResource,
} from "../../../harness/mocks/pulumiMocks";

// Registered inputs, typed as the provider's fully-populated Kubernetes objects.
type StatefulSet = k8s.types.output.apps.v1.StatefulSet;
type Service = k8s.types.output.core.v1.Service;
type NetworkPolicy = k8s.types.output.networking.v1.NetworkPolicy;

let api: typeof import("../../../index");
beforeAll(async () => {
    await installMocks();
    api = await import("../../../index");
});

export interface KubernetesDeployment {
    redis: InstanceType<typeof api.KubernetesRedis>;
    resources: RegisteredResource[];
    statefulSet: StatefulSet;
    pod: k8s.types.output.core.v1.PodSpec;
    container: k8s.types.output.core.v1.Container;
    secretFiles: Record<string, string>;
    password: string;
    configCommandName: string;
}

async function deploy(name: string, args?: import("../../../index").KubernetesRedisArgs): Promise<KubernetesDeployment> {
    const redis = new api.KubernetesRedis(name, args);
    const [password, configCommandName] = await Promise.all([
        valueOf(redis.password),
        valueOf(redis.configCommandName),
        valueOf(redis.statefulSetName),
        valueOf(redis.serviceName),
        valueOf(redis.connectionString),
    ]);
    const resources = resourcesOf(name);
    const statefulSet = unwrapSecrets(single(resources, "kubernetes:apps/v1:StatefulSet").inputs) as StatefulSet;
    const secret = single(resources, "kubernetes:core/v1:Secret").inputs;
    return {
        redis,
        resources,
        statefulSet,
        pod: statefulSet.spec.template.spec,
        container: statefulSet.spec.template.spec.containers[0],
        secretFiles: unwrapSecrets(secret.stringData) as Record<string, string>,
        password,
        configCommandName,
    };
}

describe("KubernetesRedis with no arguments", () => {
    let d: KubernetesDeployment;
    beforeAll(async () => {
        d = await deploy("cache");
    });

    it("declares a namespace, the credentials, a Secret, two Services, a StatefulSet and a NetworkPolicy", () => {
        expect(d.resources.map((r) => r.type).sort()).toEqual(
            [
                "hardened-redis:index:KubernetesRedis",
                "kubernetes:core/v1:Namespace",
                "random:index/randomPassword:RandomPassword",
                "random:index/randomPassword:RandomPassword",
                "random:index/randomString:RandomString",
                "kubernetes:core/v1:Secret",
                "kubernetes:core/v1:Service",
                "kubernetes:core/v1:Service",
                "kubernetes:apps/v1:StatefulSet",
                "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            ].sort(),
        );
        const children = registeredUrns().filter((urn) => /::cache(-[a-z0-9-]+)?$/.test(urn) && urn.includes("KubernetesRedis$"));
        expect(children).toHaveLength(9);
    });

    it("meets every control of the restricted Pod Security Standard, so that namespace admits its pods", () => {
        expect(restrictedViolations(d.pod, d.statefulSet.spec.template.metadata.annotations)).toEqual([]);
    });

    it("would be refused by the restricted standard with any of its guards removed (the check's own test)", () => {
        type Pod = { securityContext: Record<string, unknown>; containers: Array<{ securityContext: Record<string, unknown> }> } & Record<
            string,
            unknown
        > & { volumes: unknown[] };
        const broken = (edit: (pod: Pod) => void) => {
            const pod = structuredClone(d.pod) as unknown as Pod;
            edit(pod);
            return restrictedViolations(pod);
        };
        expect(broken((p) => (p.containers[0].securityContext.allowPrivilegeEscalation = undefined))).toHaveLength(1);
        expect(broken((p) => (p.containers[0].securityContext.capabilities = { drop: ["NET_RAW"] }))).toHaveLength(1);
        expect(broken((p) => (p.securityContext.seccompProfile = undefined))).toHaveLength(1);
        expect(
            broken((p) => {
                p.securityContext.runAsNonRoot = undefined;
                p.containers[0].securityContext.runAsNonRoot = undefined;
            }),
        ).toHaveLength(1);
        expect(broken((p) => (p.containers[0].securityContext.privileged = true))).toHaveLength(1);
        expect(broken((p) => p.volumes.push({ name: "host", hostPath: { path: "/" } }))).toHaveLength(2);
        expect(broken((p) => (p.hostNetwork = true))).toHaveLength(1);
        expect(broken((p) => (p.securityContext.runAsUser = 0))).toHaveLength(1);
    });

    it("puts everything in a namespace of its own that enforces the restricted Pod Security Standard", async () => {
        const namespace = single(d.resources, "kubernetes:core/v1:Namespace").inputs as unknown as k8s.types.output.core.v1.Namespace;
        expect(namespace.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        const ns = await valueOf(d.redis.namespace);
        for (const r of d.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.endsWith("Namespace"))) {
            expect((unwrapSecrets(r.inputs) as { metadata: { namespace: string } }).metadata.namespace, r.type).toBe(ns);
        }
    });

    it("runs the pod non-root with seccomp, no service account token and no service links", () => {
        expect(d.pod.securityContext).toEqual({
            runAsNonRoot: true,
            runAsUser: 999,
            runAsGroup: 1000,
            fsGroup: 1000,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(d.pod.automountServiceAccountToken).toBe(false);
        expect(d.pod.enableServiceLinks).toBe(false);
        expect(d.pod.hostNetwork).toBeUndefined();
        expect(d.pod.hostPID).toBeUndefined();
        expect(d.pod.hostIPC).toBeUndefined();
        expect(d.pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    });

    it("locks the container down", () => {
        expect(d.container.securityContext).toEqual({
            runAsNonRoot: true,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
        expect(d.container.image).toBe("redis:7-alpine");
        expect(d.container.command).toEqual(["redis-server", "/usr/local/etc/redis/redis.conf"]);
        expect(d.container.args).toBeUndefined();
        expect(d.container.env).toBeUndefined();
        expect(d.container.envFrom).toBeUndefined();
        expect(d.container.ports).toEqual([{ name: "redis", containerPort: 6379, protocol: "TCP" }]);
        expect(d.container.ports[0].hostPort).toBeUndefined();
    });

    it("limits memory to 256Mi and derives maxmemory from it", () => {
        expect(d.container.resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "256Mi" } });
        expect(d.secretFiles["redis.conf"]).toMatch(/^maxmemory 201326592$/m);
        expect(d.secretFiles["redis.conf"]).toMatch(/^appendfsync everysec$/m);
        expect(d.secretFiles["redis.conf"]).toMatch(/^dir \/data$/m);
    });

    it("persists /data on a claim per pod, mounts the config read-only from the Secret and /tmp from an emptyDir", () => {
        expect(d.statefulSet.spec.volumeClaimTemplates).toEqual([
            {
                metadata: { name: "data", labels: expect.any(Object) },
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
            },
        ]);
        expect(d.container.volumeMounts).toEqual([
            { name: "data", mountPath: "/data" },
            { name: "config", mountPath: "/usr/local/etc/redis", readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
        ]);
        // The name the provider gave the autonamed Secret.
        const secretName = (single(d.resources, "kubernetes:core/v1:Secret").state.metadata as { name: string }).name;
        expect(secretName).toMatch(/^cache-config-/);
        expect(d.pod.volumes).toEqual([
            { name: "config", secret: { secretName, defaultMode: 0o440 } },
            { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
        ]);
        expect(d.pod.volumes.some((v) => v.hostPath)).toBe(false);
        expect(d.statefulSet.spec.replicas).toBe(1);
        expect(d.statefulSet.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    });

    it("probes without putting the password in argv or env: liveness accepts NOAUTH/LOADING, readiness needs an authenticated PONG", () => {
        const command = (probe: k8s.types.output.core.v1.Probe) => probe.exec.command.join(" ");
        expect(command(d.container.startupProbe)).toMatch(/redis-cli -p 6379 ping .*\^\(PONG\|NOAUTH\|LOADING\)/);
        expect(d.container.startupProbe.periodSeconds * d.container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
        expect(command(d.container.livenessProbe)).toMatch(/redis-cli -p 6379 ping .*\^\(PONG\|NOAUTH\|LOADING\)/);
        expect(command(d.container.readinessProbe)).toMatch(
            /redis-cli -p 6379 --user app --askpass ping < \/usr\/local\/etc\/redis\/password .*\^\(PONG\)'/,
        );
        for (const probe of [d.container.startupProbe, d.container.livenessProbe, d.container.readinessProbe]) {
            expect(command(probe)).not.toContain(d.password);
            expect(command(probe)).not.toMatch(/\s-a\s|REDISCLI_AUTH|--pass\b/);
        }
    });

    it("keeps the password and CONFIG name in the Secret alone", () => {
        const secret = single(d.resources, "kubernetes:core/v1:Secret").inputs;
        expect(isSecretValue(secret.stringData)).toBe(true);
        // Replaced, never rewritten under running pods.
        expect(secret.immutable).toBe(true);
        expect(Object.keys(d.secretFiles).sort()).toEqual(["password", "redis.conf"]);
        expect(d.secretFiles.password).toBe(d.password);
        expect(d.secretFiles["redis.conf"]).toContain(`rename-command CONFIG ${d.configCommandName}`);
        expect(d.secretFiles["redis.conf"]).not.toContain(d.password);
        expect(d.secretFiles["redis.conf"]).toContain(
            `user app reset on #${api.hashRedisPassword(d.password)} ~* &[^_]* &_[^_]* &_ &__redis__:invalidate &__keyspace@*__:* &__keyevent@*__:* +@all -@dangerous +info -script|debug -function|load -function|delete -function|flush -function|restore`,
        );
        expect(d.secretFiles["redis.conf"]).toMatch(/^user default reset off \+@all ~\* &\*$/m);
        expect(d.secretFiles["redis.conf"]).not.toMatch(/^user replication/m);
        const needles = [d.password, api.hashRedisPassword(d.password), d.configCommandName];
        const leaks = d.resources.flatMap((r) =>
            plainStrings(r.inputs)
                .filter(({ text }) => needles.some((needle) => text.includes(needle)))
                .map(({ path }) => `${r.type} ${r.name}: ${path}`),
        );
        expect(leaks).toEqual([]);
    });

    it("exposes Redis through a ClusterIP Service only, plus a headless Service for pod DNS", () => {
        const services = d.resources.filter((r) => r.type === "kubernetes:core/v1:Service").map((r) => r.inputs as unknown as Service);
        const client = services.find((s) => s.spec.type === "ClusterIP")!;
        const headless = services.find((s) => s.spec.clusterIP === "None")!;
        expect(client.spec).toEqual({
            type: "ClusterIP",
            selector: { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "cache" },
            ports: [{ name: "redis", port: 6379, targetPort: "redis", protocol: "TCP" }],
        });
        expect(headless.spec.type).toBeUndefined();
        expect(d.statefulSet.spec.serviceName).toBe(headless.metadata.name);
        for (const s of services) {
            expect(s.spec.externalIPs).toBeUndefined();
            expect(s.spec.ports.every((p) => p.nodePort === undefined)).toBe(true);
        }
    });

    it("admits only labelled client pods, on the Redis port, and lets Redis out only for DNS", () => {
        const policy = single(d.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs as unknown as NetworkPolicy;
        expect(policy.spec.podSelector.matchLabels).toEqual(d.statefulSet.spec.selector.matchLabels);
        for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) {
            expect(d.statefulSet.spec.template.metadata.labels[k]).toBe(v);
        }
        expect(policy.spec.policyTypes).toEqual(["Ingress", "Egress"]);
        expect(policy.spec.ingress).toEqual([
            { from: [{ podSelector: { matchLabels: { "cache-client": "true" } } }], ports: [{ protocol: "TCP", port: 6379 }] },
        ]);
        expect(policy.spec.egress).toEqual([
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ]);
    });

    it("annotates the pod template with a hash of the config", () => {
        expect(d.statefulSet.spec.template.metadata.annotations["hardened-redis/config-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    });

    it("exports the service address, the client label and secret credentials", async () => {
        const ns = await valueOf(d.redis.namespace);
        expect(await valueOf(d.redis.host)).toBe(`cache.${ns}.svc.cluster.local`);
        expect(await valueOf(d.redis.port)).toBe(6379);
        expect(await valueOf(d.redis.serviceName)).toBe("cache");
        expect(await valueOf(d.redis.statefulSetName)).toBe("cache");
        expect(await valueOf(d.redis.clientLabel)).toEqual({ "cache-client": "true" });
        const secrets = [d.redis.password, d.redis.configCommandName, d.redis.connectionString, d.redis.adminConnectionString];
        for (const output of [...secrets, d.redis.extraConnectionStrings as pulumi.Output<unknown>]) {
            expect(await pulumi.isSecret(output)).toBe(true);
        }
        expect(await pulumi.isSecret(d.redis.host)).toBe(false);
        const admin = new URL(await valueOf(d.redis.adminConnectionString));
        expect(admin.username).toBe("admin");
        expect(admin.host).toBe(`cache.${ns}.svc.cluster.local:6379`);
        expect(decodeURIComponent(admin.password)).not.toBe(d.password);
        const url = new URL(await valueOf(d.redis.connectionString));
        expect(decodeURIComponent(url.password)).toBe(d.password);
        expect(url.host).toBe(`cache.${ns}.svc.cluster.local:6379`);
        expect(url.username).toBe("app");
        expect(url.pathname).toBe("/0");
    });

    it("keeps its namespace, and with it the data claims, when the stack is destroyed", () => {
        expect(registrationOptions.get("kubernetes:core/v1:Namespace::cache")?.retainOnDelete).toBe(true);
    });

    it("replaces the StatefulSet delete-first, so its claims are reused and never mounted twice", () => {
        expect(registrationOptions.get("kubernetes:apps/v1:StatefulSet::cache")?.deleteBeforeReplace).toBe(true);
    });
});

describe("every Kubernetes object KubernetesRedis declares", () => {
    it("is valid against the Kubernetes API schema, with no unknown field", async () => {
        const deployments = [
            await deploy("schema-one"),
            await deploy("schema-three", {
                replicas: 3,
                clientNamespaceLabels: { team: "web" },
                cpuLimit: "1",
                storageClassName: "fast-ssd",
            }),
        ];
        const objects = deployments.flatMap((d) => d.resources.filter((r) => r.type.startsWith("kubernetes:")));
        // 6 objects, and a PodDisruptionBudget with replicas.
        expect(objects).toHaveLength(13);
        for (const object of objects) {
            expect(schemaErrors(unwrapSecrets(object.inputs) as Record<string, unknown>), `${object.type} ${object.name}`).toEqual([]);
        }
    });

    it("is checked strictly enough to catch a misspelt field or a wrong type", () => {
        const pod = {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "x" },
            spec: {
                serviceName: "x",
                selector: { matchLabels: { a: "b" } },
                template: { spec: { containers: [{ name: "redis", securityContext: { readOnlyRootFileSystem: true } }] } },
            },
        };
        expect(schemaErrors(pod)).toEqual([
            "spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem: unknown field for V1SecurityContext",
        ]);
        expect(schemaErrors({ ...pod, spec: { ...pod.spec, replicas: "3" } }).join()).toMatch(/replicas must be integer/);
    });
});

describe("KubernetesRedis with replicas", () => {
    let d: KubernetesDeployment;
    beforeAll(async () => {
        d = await deploy("ha", { replicas: 3 });
    });

    it("starts pod 0 as the primary and the others as replicas of it", async () => {
        const ns = await valueOf(d.redis.namespace);
        expect(d.statefulSet.spec.replicas).toBe(3);
        expect(d.container.command[0]).toBe("sh");
        expect(d.container.command[2]).toContain(
            'if [ "${HOSTNAME##*-}" = 0 ]; then exec redis-server /usr/local/etc/redis/redis.conf; else exec redis-server /usr/local/etc/redis/replica.conf; fi',
        );
        expect(d.secretFiles["replica.conf"]).toMatch(new RegExp(`^replicaof ha-0\\.ha-headless\\.${ns}\\.svc 6379$`, "m"));
        // Replicas authenticate as the replication user, which exists only with replicas.
        expect(d.secretFiles["redis.conf"]).toMatch(/^user replication reset on #[0-9a-f]{64} \+psync \+replconf \+ping$/m);
        expect(d.secretFiles["redis.conf"]).toMatch(/^masteruser replication$/m);
    });

    it("sends clients to the primary only", () => {
        const client = d.resources.map((r) => r.inputs as unknown as Service).find((i) => i.spec?.type === "ClusterIP")!;
        expect(client.spec.selector["statefulset.kubernetes.io/pod-name"]).toBe("ha-0");
    });

    it("lets the pods replicate from each other and keeps a disruption budget", () => {
        const policy = single(d.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs as unknown as NetworkPolicy;
        const self = { podSelector: { matchLabels: d.statefulSet.spec.selector.matchLabels } };
        expect(policy.spec.ingress[0].from).toContainEqual(self);
        expect(policy.spec.egress).toContainEqual({ to: [self], ports: [{ protocol: "TCP", port: 6379 }] });
        const pdb = single(d.resources, "kubernetes:policy/v1:PodDisruptionBudget")
            .inputs as unknown as k8s.types.output.policy.v1.PodDisruptionBudget;
        expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: d.statefulSet.spec.selector.matchLabels } });
    });
});

describe("KubernetesRedis with arguments", () => {
    it("deploys into an existing namespace with the given sizes and client label", async () => {
        const d = await deploy("shared", {
            namespace: "apps",
            memoryLimitMb: 1024,
            storageSize: "20Gi",
            storageClassName: "fast-ssd",
            clientLabelKey: "example.com/redis-client",
            clientLabelValue: "sessions",
            clientNamespaceLabels: { "kubernetes.io/metadata.name": "web" },
            allowAllEgress: true,
        });
        expect(d.resources.some((r) => r.type === "kubernetes:core/v1:Namespace")).toBe(false);
        expect(d.statefulSet.metadata.namespace).toBe("apps");
        expect(d.container.resources.limits.memory).toBe("1024Mi");
        expect(d.secretFiles["redis.conf"]).toMatch(/^maxmemory 805306368$/m);
        expect(d.statefulSet.spec.volumeClaimTemplates[0].spec).toMatchObject({
            storageClassName: "fast-ssd",
            resources: { requests: { storage: "20Gi" } },
        });
        const policy = single(d.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").inputs as unknown as NetworkPolicy;
        const client = { "example.com/redis-client": "sessions" };
        expect(policy.spec.ingress[0].from).toEqual([
            { podSelector: { matchLabels: client } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "web" } }, podSelector: { matchLabels: client } },
        ]);
        expect(policy.spec.egress).toEqual([{}]);
        expect(await valueOf(d.redis.host)).toBe("shared.apps.svc.cluster.local");
    });

    it("lets the Redis and Sentinel pods query the DNS servers dnsPeers names (NodeLocal DNSCache, OpenShift) instead of kube-dns", async () => {
        const nodeLocal = { ipBlock: "169.254.20.10/32" };
        const openShift = {
            namespaceLabels: { "kubernetes.io/metadata.name": "openshift-dns" },
            podLabels: { "dns.operator.openshift.io/daemonset-dns": "default" },
            ports: [5353],
        };
        const redis = new api.KubernetesRedis("dns", { replicas: 2, sentinel: { enabled: true }, dnsPeers: [nodeLocal, openShift] });
        await Promise.all([valueOf(redis.connectionString), valueOf(redis.sentinelAddresses)]);
        await allRegistered();
        const policies = resourcesOf("dns").filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        expect(policies.map((r) => r.name).sort()).toEqual(["dns", "dns-sentinel"]);
        const port = (protocol: string, number: number) => ({ protocol, port: number });
        for (const policy of policies) {
            const egress = (policy.inputs as unknown as NetworkPolicy).spec.egress;
            expect(egress.slice(0, 2), policy.name).toEqual([
                { to: [{ ipBlock: { cidr: "169.254.20.10/32" } }], ports: [port("UDP", 53), port("TCP", 53)] },
                {
                    to: [
                        {
                            namespaceSelector: { matchLabels: openShift.namespaceLabels },
                            podSelector: { matchLabels: openShift.podLabels },
                        },
                    ],
                    ports: [port("UDP", 5353), port("TCP", 5353)],
                },
            ]);
            // The rest reach the component's own pods only; kube-dns is no longer named.
            expect(JSON.stringify(egress.slice(2)), policy.name).not.toMatch(/kube-dns|ipBlock|namespaceSelector/);
        }
    });

    it("rolls the pods when the password or a setting changes, and only then", async () => {
        const hash = (d: KubernetesDeployment) => d.statefulSet.spec.template.metadata.annotations["hardened-redis/config-sha256"];
        const base = await deploy("roll-a", { namespace: "roll", credentialKeepers: { rotation: "1" } });
        const same = await deploy("roll-b", { namespace: "roll", credentialKeepers: { rotation: "1" } });
        const rotated = await deploy("roll-c", { namespace: "roll", credentialKeepers: { rotation: "2" } });
        const retuned = await deploy("roll-d", { namespace: "roll", credentialKeepers: { rotation: "1" }, maxmemoryPolicy: "allkeys-lru" });
        expect(same.password).toBe(base.password);
        expect(hash(same)).toBe(hash(base));
        expect(rotated.password).not.toBe(base.password);
        expect(hash(rotated)).not.toBe(hash(base));
        expect(hash(retuned)).not.toBe(hash(base));
    });
});

describe("KubernetesRedis rejects bad arguments at construction", () => {
    const cases: Array<[string, string, Record<string, unknown>, RegExp]> = [
        [
            "a negative storage size",
            "bad-storage",
            { storageSize: "-1Gi" },
            /"storageSize": got "-1Gi"; allowed: a positive storage quantity/,
        ],
        ["a zero storage size", "bad-zero", { storageSize: "0Gi" }, /"storageSize": got "0Gi"/],
        [
            "a storage class that is not a DNS subdomain",
            "bad-class",
            { storageClassName: "Fast_SSD" },
            /"storageClassName": got "Fast_SSD"; allowed: a DNS subdomain/,
        ],
        [
            "a memory limit below maxmemory",
            "bad-memory",
            { memoryLimitMb: 256, maxmemory: "300mb" },
            /"maxmemory": got "300mb"; allowed: more than 0 and at most 80% of memoryLimitMb/,
        ],
        ["no replicas", "bad-replicas", { replicas: 0 }, /"replicas": got 0; allowed: an integer from 1 to 16/],
        [
            "a client label key that is not a label",
            "bad-key",
            { clientLabelKey: "redis client!" },
            /"clientLabelKey": got "redis client!"; allowed: a label key/,
        ],
        [
            "a client label value that is too long",
            "bad-value",
            { clientLabelValue: "x".repeat(64) },
            /"clientLabelValue": got "x{60,}.*; allowed: a label value/,
        ],
        [
            "a CPU request that is not a quantity",
            "bad-cpu",
            { cpuRequest: "fast" },
            /"cpuRequest": got "fast"; allowed: a positive CPU quantity/,
        ],
        [
            "an unknown argument",
            "bad-arg",
            { replica: 2 },
            /"replica": got an unknown setting; allowed: known settings: server, image, memoryLimitMb, .*replicas/,
        ],
        ["an unknown eviction policy", "bad-policy", { maxmemoryPolicy: "lfu" }, /"maxmemoryPolicy": got "lfu"/],
        ["a component name that cannot name Kubernetes objects", "Bad_Name", {}, /"name": got "Bad_Name"; allowed: a DNS label/],
        ["a component name starting with a digit", "1cache", {}, /"name": got "1cache"/],
        [
            "a component name too long for pod labels",
            "a".repeat(53),
            {},
            /"name": got "a{53}"; allowed: a DNS label of at most 52 characters/,
        ],
        [
            "a CPU limit below the request",
            "bad-cpu-limit",
            { cpuRequest: "2", cpuLimit: "1" },
            /"cpuLimit": got "1"; allowed: a CPU quantity of at least cpuRequest \(2\)/,
        ],
        ["a storage size in millibytes", "bad-milli", { storageSize: "1m" }, /"storageSize": got "1m"/],
        ["a namespace that is not a DNS label", "bad-ns", { namespace: "Bad_NS" }, /"namespace": got "Bad_NS"/],
        ["a privileged port", "bad-port", { port: 443 }, /"port": got 443; allowed: an integer from 1024 to 65535/],
        [
            "DNS servers that are not a list",
            "bad-dns-type",
            { dnsPeers: { ipBlock: "169.254.20.10/32" } },
            /"dnsPeers": got \{"ipBlock":"169.254.20.10\/32"\}; allowed: a list of DNS servers, each an object of namespaceLabels/,
        ],
        [
            "no DNS server",
            "bad-dns-empty",
            { dnsPeers: [] },
            /"dnsPeers": got \[\]; allowed: at least one DNS server \(omit dnsPeers for the cluster's kube-dns\)/,
        ],
        [
            "a DNS server named by nothing",
            "bad-dns-none",
            { dnsPeers: [{ ports: [53] }] },
            /"dnsPeers.0": got \{"ports":\[53\]\}; allowed: an object of namespaceLabels and\/or podLabels, or ipBlock \(not both\)/,
        ],
        [
            "a DNS server named by labels and an address range",
            "bad-dns-both",
            { dnsPeers: [{ podLabels: { "k8s-app": "kube-dns" }, ipBlock: "10.96.0.10/32" }] },
            /"dnsPeers.0": got .*; allowed: an object of namespaceLabels and\/or podLabels, or ipBlock \(not both\)/,
        ],
        [
            "a DNS address without a prefix length",
            "bad-dns-cidr",
            { dnsPeers: [{ ipBlock: "169.254.20.10" }] },
            /"dnsPeers.0.ipBlock": got "169.254.20.10"; allowed: an address range in CIDR notation other than every address/,
        ],
        [
            "every address as a DNS server",
            "bad-dns-all",
            { dnsPeers: [{ ipBlock: "0.0.0.0/0" }] },
            /"dnsPeers.0.ipBlock": got "0.0.0.0\/0"; allowed: an address range in CIDR notation other than every address/,
        ],
        ["every IPv6 address as a DNS server", "bad-dns-all6", { dnsPeers: [{ ipBlock: "::/0" }] }, /"dnsPeers.0.ipBlock": got "::\/0"/],
        [
            "an empty DNS pod selector, which selects every pod",
            "bad-dns-selector",
            { dnsPeers: [{ namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" }, podLabels: {} }] },
            /"dnsPeers.0.podLabels": got \{\}; allowed: at least one label \(an empty selector selects everything\)/,
        ],
        [
            "a DNS label key that is not a label",
            "bad-dns-label",
            { dnsPeers: [{ podLabels: { "k8s app": "kube-dns" } }] },
            /"dnsPeers.0.podLabels.k8s app": got "kube-dns"; allowed: a map of label keys to label values/,
        ],
        [
            "a DNS port out of range",
            "bad-dns-port",
            { dnsPeers: [{ ipBlock: "169.254.20.10/32", ports: [0] }] },
            /"dnsPeers.0.ports.0": got 0; allowed: a list of ports, each an integer from 1 to 65535, at least one, none twice/,
        ],
        [
            "no DNS port",
            "bad-dns-ports",
            { dnsPeers: [{ ipBlock: "169.254.20.10/32", ports: [] }] },
            /"dnsPeers.0.ports": got \[\]; allowed: a list of ports/,
        ],
        [
            "a DNS port twice",
            "bad-dns-twice",
            { dnsPeers: [{ ipBlock: "169.254.20.10/32", ports: [53, 53] }] },
            /"dnsPeers.0.ports": got \[53,53\]; allowed: a list of ports/,
        ],
        [
            "a misspelt DNS server field",
            "bad-dns-field",
            { dnsPeers: [{ ipBlock: "169.254.20.10/32", port: 53 }] },
            /"dnsPeers.0.port": got an unknown setting; allowed: only the documented fields/,
        ],
        [
            "DNS servers with allowAllEgress",
            "bad-dns-egress",
            { allowAllEgress: true, dnsPeers: [{ ipBlock: "169.254.20.10/32" }] },
            /"dnsPeers": got a list; allowed: nothing with allowAllEgress/,
        ],
    ];
    it.each(cases)("%s", (_label, name, args, message) => {
        expect(() => new api.KubernetesRedis(name, args)).toThrow(message);
        expect(() => new api.KubernetesRedis(name, args)).toThrow(api.RedisConfigError);
    });
});
