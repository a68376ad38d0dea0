import type { Policy } from "@pulumi/policy";
import { beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../policies/rules";
import { evaluate, type TestResource } from "../../harness/policy/inProcess";
import { allRegistered, installMocks, registered, unwrapSecrets } from "../../harness/mocks/pulumiMocks";

const byName = (name: string): Policy => {
    const policy = policies.find((p) => p.name === name);
    if (!policy) throw new Error(`no policy ${name}`);
    return policy;
};

/** Every policy's violations over a set of resources, by policy name. */
async function violations(resources: TestResource[]): Promise<Record<string, string[]>> {
    const found: Record<string, string[]> = {};
    for (const policy of policies) {
        const outcome = await evaluate(policy, resources);
        if (outcome.violations.length > 0) found[policy.name] = outcome.violations;
    }
    return found;
}

/** Replaces the props of the resources of `type` (and `name`, if given) with `change(props)`. */
function twin(
    resources: TestResource[],
    type: string,
    change: (props: Record<string, unknown>) => Record<string, unknown>,
    name?: string,
): TestResource[] {
    return resources.map((r) =>
        r.type === type && (name === undefined || r.name === name) ? { ...r, props: change(structuredClone(r.props)) } : r,
    );
}

// What our own components declare, as the engine would hand it to the pack.
describe("redis-guard on what hardened-redis declares", () => {
    let docker: TestResource[];
    let kubernetes: TestResource[];
    /** The same components with TLS left at its default, off. */
    let plaintext: TestResource[];
    /** DockerRedis with Sentinel (a primary, two replicas, three Sentinels, each in a network holder's namespace), with TLS and without. */
    let sentinel: TestResource[];
    let sentinelPlaintext: TestResource[];
    /** KubernetesRedis with Sentinel (three Redis pods, three Sentinel pods), with TLS and without. */
    let kubernetesSentinel: TestResource[];
    let kubernetesSentinelPlaintext: TestResource[];
    /** DockerRedis with metrics: an exporter per server, one server's also on a scrape network that is not internal. */
    let metered: TestResource[];
    /** Valkey 8 with Sentinel, TLS and metrics, on each platform: valkey-server, valkey-cli and their start scripts. */
    let valkey: TestResource[];

    beforeAll(async () => {
        await installMocks();
        const { DockerRedis, KubernetesRedis } = await import("../../index");
        new DockerRedis("cache", { tls: { enabled: true } });
        new KubernetesRedis("kcache", { replicas: 2, tls: { enabled: true } });
        new DockerRedis("plain");
        new KubernetesRedis("kplain", { replicas: 2 });
        new DockerRedis("ha", { replicas: 3, sentinel: { enabled: true }, tls: { enabled: true } });
        new DockerRedis("sentinelplain", { replicas: 3, sentinel: { enabled: true } });
        new KubernetesRedis("kha", { replicas: 3, sentinel: { enabled: true }, tls: { enabled: true } });
        new KubernetesRedis("ksentinelplain", { replicas: 3, sentinel: { enabled: true } });
        new DockerRedis("metered", { replicas: 2, tls: { enabled: true }, metrics: { enabled: true, scrapeNetworkName: "prometheus" } });
        const ha = { server: "valkey-8", replicas: 3, sentinel: { enabled: true }, tls: { enabled: true } };
        new DockerRedis("valkey", { ...ha, metrics: { enabled: true } });
        new KubernetesRedis("kvalkey", { ...ha, metrics: { enabled: true, scrapePodLabels: { app: "prometheus" } } });
        await allRegistered();
        // After an update, stack policies see outputs (autonamed names included) over the inputs.
        const asResource = (r: (typeof registered)[number]): TestResource => ({
            type: r.type,
            name: r.name,
            props: unwrapSecrets(r.state) as Record<string, unknown>,
        });
        docker = registered.filter((r) => r.name.startsWith("cache")).map(asResource);
        kubernetes = registered.filter((r) => r.name.startsWith("kcache")).map(asResource);
        plaintext = registered.filter((r) => r.name.startsWith("plain") || r.name.startsWith("kplain")).map(asResource);
        sentinel = registered.filter((r) => r.name.startsWith("ha")).map(asResource);
        sentinelPlaintext = registered.filter((r) => r.name.startsWith("sentinelplain")).map(asResource);
        kubernetesSentinel = registered.filter((r) => r.name.startsWith("kha")).map(asResource);
        kubernetesSentinelPlaintext = registered.filter((r) => r.name.startsWith("ksentinelplain")).map(asResource);
        metered = registered.filter((r) => r.name.startsWith("metered")).map(asResource);
        valkey = registered.filter((r) => r.name.startsWith("valkey") || r.name.startsWith("kvalkey")).map(asResource);
    });

    it("finds nothing to report on DockerRedis or KubernetesRedis with TLS, at any level", async () => {
        expect(await violations(docker)).toEqual({});
        expect(await violations(kubernetes)).toEqual({});
    });

    it("finds nothing to report on DockerRedis with Sentinel and TLS, at any level", async () => {
        // What is checked: three servers and three Sentinels (the network holders run no Redis).
        const containers = sentinel.filter((r) => r.type === "docker:index/container:Container").map((r) => r.name);
        expect(containers).toEqual(
            expect.arrayContaining(["ha", "ha-1", "ha-2", "ha-sentinel-0", "ha-sentinel-2", "ha-network", "ha-config"]),
        );
        expect(await violations(sentinel)).toEqual({});
    });

    it("finds nothing to report on Valkey 8 with Sentinel, TLS and metrics, on Docker and Kubernetes, at any level", async () => {
        // Its start scripts are recognised exactly, as Redis's are: else the config they start on would be unseen.
        const containers = JSON.stringify(valkey.map((r) => r.props));
        expect(containers).toContain("exec valkey-server /data/sentinel.conf --sentinel");
        expect(containers).toContain("valkey-server /data/redis.conf --replica-announce-ip");
        expect(await violations(valkey)).toEqual({});
    });

    it("finds nothing to report on DockerRedis with metrics: the exporters run no Redis, wherever they are attached", async () => {
        const exporters = metered.filter((r) => r.type === "docker:index/container:Container" && r.name.startsWith("metered-metrics"));
        expect(exporters.map((r) => r.name).sort()).toEqual(["metered-metrics", "metered-metrics-1", "metered-metrics-secrets"]);
        expect(await violations(metered)).toEqual({});
    });

    it("finds nothing to report on KubernetesRedis with Sentinel and TLS, at any level, and only the missing TLS without", async () => {
        const statefulSets = kubernetesSentinel.filter((r) => r.type === "kubernetes:apps/v1:StatefulSet").map((r) => r.name);
        expect(statefulSets.sort()).toEqual(["kha", "kha-sentinel"]);
        expect(await violations(kubernetesSentinel)).toEqual({});
        const found = await violations(kubernetesSentinelPlaintext);
        expect(Object.keys(found)).toEqual(["redis-tls-in-transit"]);
        const outcome = await evaluate(byName("redis-tls-in-transit"), kubernetesSentinelPlaintext);
        expect(new Set(outcome.urns.map((urn) => urn?.split("::").at(-1)))).toEqual(new Set(["ksentinelplain", "ksentinelplain-sentinel"]));
    });

    it("reports only the missing TLS on DockerRedis with Sentinel by default, as advice, on the servers and the Sentinels", async () => {
        const found = await violations(sentinelPlaintext);
        expect(Object.keys(found)).toEqual(["redis-tls-in-transit"]);
        const outcome = await evaluate(byName("redis-tls-in-transit"), sentinelPlaintext);
        const names = new Set(outcome.urns.map((urn) => urn?.split("::").at(-1)));
        expect(names).toEqual(
            new Set(["sentinelplain", "sentinelplain-1", "sentinelplain-2", ...[0, 1, 2].map((i) => `sentinelplain-sentinel-${i}`)]),
        );
        expect(found["redis-tls-in-transit"].join("\n")).toMatch(/Redis Sentinel connects to the Redis servers/);
    });

    it("reports only the missing TLS on the components' defaults, as advice", async () => {
        const found = await violations(plaintext);
        expect(Object.keys(found)).toEqual(["redis-tls-in-transit"]);
        expect(byName("redis-tls-in-transit").enforcementLevel).toBe("advisory");
        // The Docker container, and the StatefulSet for both its primary and its replicas.
        expect(found["redis-tls-in-transit"].join("\n")).toMatch(/tls-replication/);
    });

    const container = "docker:index/container:Container";
    // Config edits go to the container that uploads the config, the rest to the Redis container.
    const dockerTwins: Array<[string, string, "cache" | "cache-config", (p: Record<string, unknown>) => Record<string, unknown>]> = [
        ["published ports", "redis-docker-no-published-ports", "cache", (p) => ({ ...p, ports: [{ internal: 6379, external: 6379 }] })],
        ["host networking", "redis-docker-no-host-namespaces", "cache", (p) => ({ ...p, networkMode: "host" })],
        ["privileged", "redis-docker-no-privileged-or-docker-socket", "cache", (p) => ({ ...p, privileged: true })],
        [
            "a writable root running as root",
            "redis-docker-container-hardening",
            "cache",
            (p) => ({ ...p, readOnly: false, user: undefined }),
        ],
        [
            "auth removed from the config",
            "redis-requires-auth-and-hardening",
            "cache-config",
            (p) => withConf(p, (c) => c.replace(/^user default .*$/m, "")),
        ],
        [
            "a literal password argument",
            "redis-no-literal-password",
            "cache",
            (p) => ({ ...p, command: [...(p.command as string[]), "--requirepass", "literal-password-123"] }),
        ],
        ["AOF off", "redis-persistence", "cache-config", (p) => withConf(p, (c) => c.replace(/^appendonly yes$/m, "appendonly no"))],
        [
            "appendfsync always",
            "redis-appendfsync-always",
            "cache-config",
            (p) => withConf(p, (c) => c.replace(/^appendfsync .*$/m, "appendfsync always")),
        ],
        [
            "noeviction",
            "redis-cache-noeviction",
            "cache-config",
            (p) => withConf(p, (c) => c.replace(/^maxmemory-policy .*$/m, "maxmemory-policy noeviction")),
        ],
        ["no memory limit", "redis-memory-limit", "cache", (p) => ({ ...p, memory: undefined })],
        [
            "the plaintext port reopened next to TLS",
            "redis-tls-in-transit",
            "cache-config",
            (p) => withConf(p, (c) => c.replace(/^port 0$/m, "port 6379")),
        ],
        [
            "TLS 1.1 allowed",
            "redis-tls-in-transit",
            "cache-config",
            (p) => withConf(p, (c) => c.replace(/^tls-protocols .*$/m, 'tls-protocols "TLSv1.1 TLSv1.2 TLSv1.3"')),
        ],
    ];
    it.each(dockerTwins)("catches a DockerRedis twin with %s", async (_label, policy, target, change) => {
        const outcome = await evaluate(byName(policy), twin(docker, container, change, target));
        expect(outcome.violations.length).toBeGreaterThan(0);
    });

    it("catches a DockerRedis twin on a network that is not internal", async () => {
        const twinned = twin(docker, "docker:index/network:Network", (p) => ({ ...p, internal: false }));
        expect((await evaluate(byName("redis-docker-internal-network-only"), twinned)).violations).toHaveLength(1);
    });

    // The Sentinel topology: config edits go to the helper that uploads every file, the rest to one
    // Sentinel or to the network holder whose namespace it listens in.
    const sentinelTwins: Array<[string, string, string, (p: Record<string, unknown>) => Record<string, unknown>]> = [
        [
            "a Sentinel whose config lets the default user in",
            "redis-requires-auth-and-hardening",
            "ha-config",
            (p) => withUpload(p, "sentinel-0.conf", (c) => c.replace(/^user default .*$/m, "user default on nopass ~* &* +@all")),
        ],
        [
            "a Sentinel whose default user keeps every command behind requirepass",
            "redis-default-user-full-access",
            "ha-config",
            (p) => withUpload(p, "sentinel-0.conf", (c) => c.replace(/^user default .*$/m, "requirepass some-long-password-1234")),
        ],
        [
            "a Sentinel app user with every SENTINEL subcommand",
            "redis-non-admin-user-dangerous-commands",
            "ha-config",
            (p) => withUpload(p, "sentinel-1.conf", (c) => c.replace(/^(user app .*)$/m, "$1 +sentinel")),
        ],
        [
            "the servers' sentinel user given keys",
            "redis-non-admin-user-dangerous-commands",
            "ha-config",
            (p) => withUpload(p, "redis.conf", (c) => c.replace(/^(user sentinel .*)$/m, "$1 ~*")),
        ],
        [
            "a Sentinel talking to Redis without TLS",
            "redis-tls-in-transit",
            "ha-config",
            (p) => withUpload(p, "sentinel-2.conf", (c) => c.replace(/^tls-replication yes$/m, "")),
        ],
        [
            "a Sentinel with a published port",
            "redis-docker-no-published-ports",
            "ha-sentinel-0",
            (p) => ({ ...p, ports: [{ internal: 26379, external: 26379 }] }),
        ],
        [
            "a published port on a Sentinel's network holder",
            "redis-docker-no-published-ports",
            "ha-sentinel-0-network",
            (p) => ({ ...p, ports: [{ internal: 26379, external: 26379 }] }),
        ],
        [
            "a network holder changed to run redis-server without auth",
            "redis-requires-auth-and-hardening",
            "ha-network",
            (p) => ({ ...p, command: ["redis-server"] }),
        ],
        [
            "a network holder changed to run a script",
            "redis-requires-auth-and-hardening",
            "ha-1-network",
            (p) => ({ ...p, command: ["sh", "-c", "sleep 1 && exec redis-server --port 6379"] }),
        ],
        [
            "a network holder on the host network",
            "redis-docker-no-host-namespaces",
            "ha-sentinel-1-network",
            (p) => ({ ...p, networkMode: "host" }),
        ],
        [
            "a network holder on the host network (seen from the Sentinel in it)",
            "redis-docker-internal-network-only",
            "ha-sentinel-1-network",
            (p) => ({ ...p, networkMode: "host", networksAdvanced: undefined }),
        ],
    ];
    it.each(sentinelTwins)("catches a DockerRedis-with-Sentinel twin with %s", async (_label, policy, target, change) => {
        const outcome = await evaluate(byName(policy), twin(sentinel, container, change, target));
        expect(outcome.violations.length).toBeGreaterThan(0);
    });

    it("catches a DockerRedis-with-Sentinel twin on a network that is not internal, on every server and Sentinel", async () => {
        const twinned = twin(sentinel, "docker:index/network:Network", (p) => ({ ...p, internal: false }));
        expect((await evaluate(byName("redis-docker-internal-network-only"), twinned)).violations).toHaveLength(6);
    });

    const statefulSet = "kubernetes:apps/v1:StatefulSet";
    const k8sTwins: Array<[string, string, TestResource[] | (() => TestResource[])]> = [
        [
            "its client Service as a LoadBalancer",
            "redis-k8s-no-public-service",
            () =>
                kubernetes.map((r) =>
                    r.type === "kubernetes:core/v1:Service" && r.name === "kcache"
                        ? { ...r, props: { ...r.props, spec: { ...(r.props.spec as object), type: "LoadBalancer" } } }
                        : r,
                ),
        ],
        [
            "hostNetwork",
            "redis-k8s-no-host-network",
            () => twin(kubernetes, statefulSet, (p) => withPod(p, (pod) => ({ ...pod, hostNetwork: true }))),
        ],
        [
            "a root pod",
            "redis-k8s-pod-hardening",
            () => twin(kubernetes, statefulSet, (p) => withPod(p, (pod) => ({ ...pod, securityContext: { runAsUser: 0 } }))),
        ],
        ["no NetworkPolicy", "redis-k8s-requires-network-policy", () => kubernetes.filter((r) => !r.type.endsWith("NetworkPolicy"))],
        [
            "replication over plaintext",
            "redis-tls-in-transit",
            () =>
                twin(
                    kubernetes,
                    "kubernetes:core/v1:Secret",
                    (p) => ({
                        ...p,
                        stringData: {
                            ...(p.stringData as Record<string, string>),
                            "redis.conf": (p.stringData as Record<string, string>)["redis.conf"].replace(/^tls-replication yes$/m, ""),
                        },
                    }),
                    "kcache-config",
                ),
        ],
        [
            "auth removed from the Secret",
            "redis-requires-auth-and-hardening",
            () =>
                twin(kubernetes, "kubernetes:core/v1:Secret", (p) => ({
                    ...p,
                    stringData: { ...(p.stringData as object), "redis.conf": "appendonly yes\n" },
                })),
        ],
    ];
    it.each(k8sTwins)("catches a KubernetesRedis twin with %s", async (_label, policy, resources) => {
        const outcome = await evaluate(byName(policy), typeof resources === "function" ? resources() : resources);
        expect(outcome.violations.length).toBeGreaterThan(0);
    });
});

function withConf(props: Record<string, unknown>, edit: (conf: string) => string): Record<string, unknown> {
    const uploads = (props.uploads as Array<{ file: string; content: string }>).map((u) => ({ ...u, content: edit(u.content) }));
    return { ...props, uploads };
}

/** Edits one uploaded file (by its name), leaving the others. */
function withUpload(props: Record<string, unknown>, file: string, edit: (content: string) => string): Record<string, unknown> {
    const uploads = props.uploads as Array<{ file: string; content: string }>;
    if (!uploads.some((u) => u.file.endsWith(`/${file}`))) throw new Error(`no upload ${file}`);
    return { ...props, uploads: uploads.map((u) => (u.file.endsWith(`/${file}`) ? { ...u, content: edit(u.content) } : u)) };
}

function withPod(props: Record<string, unknown>, edit: (pod: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> {
    const spec = props.spec as { template: { spec: Record<string, unknown> } };
    return { ...props, spec: { ...spec, template: { ...spec.template, spec: edit(spec.template.spec) } } };
}
