import type * as k8s from "@pulumi/kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import { policies } from "../../../policies/rules";
import { evaluate } from "../../../harness/policy/inProcess";
import { restrictedViolations } from "../../../harness/mocks/podSecurity";
import { schemaErrors } from "../../../harness/mocks/kubernetesSchema";
import { redisAlertRules } from "../../../redis/metrics/alertRules";
import { EXPORTER_FILES, EXPORTER_IMAGE, EXPORTER_SECRETS_DIR, EXPORTER_UID } from "../../../redis/metrics/exporter";
import { configHash } from "../../../redis/container";
import { issueCertificates } from "../../../harness/local/certificates";
import {
    allRegistered,
    existingSecrets,
    installMocks,
    isSecretValue,
    plainStrings,
    registeredUrns,
    resourcesOf,
    unwrapSecrets,
    valueOf,
    type RegisteredResource,
} from "../../../harness/mocks/pulumiMocks";

// KubernetesRedis with `metrics`: a redis_exporter sidecar per Redis pod, its password file in a
// Secret of its own, a metrics Service, a NetworkPolicy rule for the scrapers only, and optionally
// the Prometheus Operator's resources. Passwords are compared with `.includes`, never printed.
type StatefulSet = k8s.types.output.apps.v1.StatefulSet;
type Container = k8s.types.output.core.v1.Container;
type Service = k8s.types.output.core.v1.Service;
type NetworkPolicy = k8s.types.output.networking.v1.NetworkPolicy;
type Args = import("../../../index").KubernetesRedisArgs;

let api: typeof import("../../../index");
beforeAll(async () => {
    await installMocks();
    api = await import("../../../index");
});

interface Deployed {
    redis: InstanceType<typeof api.KubernetesRedis>;
    resources: RegisteredResource[];
    statefulSet: StatefulSet;
    containers: Container[];
    exporter: Container | undefined;
    /** The metrics Secret's registered inputs, and its files unwrapped. */
    metricsSecret: RegisteredResource | undefined;
    metricsFiles: Record<string, string>;
    configFiles: Record<string, string>;
    services: Service[];
    policy: NetworkPolicy;
    endpoint: string | undefined;
}

const inputs = <T>(r: RegisteredResource) => unwrapSecrets(r.inputs) as T;
const ofType = (resources: RegisteredResource[], type: string) => resources.filter((r) => r.type === type);

async function deploy(name: string, args: Args): Promise<Deployed> {
    const redis = new api.KubernetesRedis(name, args);
    const [endpoint] = await Promise.all([valueOf(redis.metricsEndpoint), valueOf(redis.connectionString), valueOf(redis.statefulSetName)]);
    await allRegistered();
    const resources = resourcesOf(name);
    const statefulSet = inputs<StatefulSet>(ofType(resources, "kubernetes:apps/v1:StatefulSet").find((r) => r.name === name)!);
    const containers = statefulSet.spec.template.spec.containers;
    const secrets = ofType(resources, "kubernetes:core/v1:Secret");
    const metricsSecret = secrets.find((r) => r.name === `${name}-metrics`);
    return {
        redis,
        resources,
        statefulSet,
        containers,
        exporter: containers.find((c) => c.name === "redis-exporter"),
        metricsSecret,
        metricsFiles: metricsSecret ? (unwrapSecrets(metricsSecret.inputs.stringData) as Record<string, string>) : {},
        configFiles: unwrapSecrets(secrets.find((r) => r.name === `${name}-config`)!.inputs.stringData) as Record<string, string>,
        services: ofType(resources, "kubernetes:core/v1:Service").map((r) => inputs<Service>(r)),
        policy: inputs<NetworkPolicy>(ofType(resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((r) => r.name === name)!),
        endpoint,
    };
}

/** The metrics user's password, as the exporter's password file holds it (one password for every address). */
function metricsPassword(d: Deployed): string {
    const passwords = [...new Set(Object.values(JSON.parse(d.metricsFiles[EXPORTER_FILES.passwords]) as Record<string, string>))];
    expect(passwords).toHaveLength(1);
    expect(passwords[0].length).toBeGreaterThanOrEqual(32);
    return passwords[0];
}

const SCRAPERS = { "kubernetes.io/metadata.name": "monitoring" };

describe("KubernetesRedis without metrics", () => {
    let d: Deployed;
    beforeAll(async () => {
        d = await deploy("nometrics", {});
    });

    it("runs Redis alone: no exporter, no metrics Secret, Service or scrape rule, no metrics user", () => {
        expect(d.containers.map((c) => c.name)).toEqual(["redis"]);
        expect(d.statefulSet.spec.template.spec.volumes?.map((v) => v.name)).not.toContain("metrics");
        expect(d.metricsSecret).toBeUndefined();
        expect(d.services.map((s) => s.metadata.name)).not.toContain("nometrics-metrics");
        expect(d.policy.spec.ingress).toHaveLength(1);
        expect(d.resources.some((r) => r.type.startsWith("kubernetes:monitoring.coreos.com"))).toBe(false);
        expect(d.configFiles["redis.conf"]).not.toMatch(/^user metrics /m);
        expect(d.endpoint).toBeUndefined();
    });
});

describe("KubernetesRedis with metrics", () => {
    let d: Deployed;
    let plain: Deployed;
    beforeAll(async () => {
        d = await deploy("metered", { metrics: { enabled: true, scrapeNamespaceLabels: SCRAPERS } });
        plain = await deploy("unmetered", {});
    });

    it("adds a redis-exporter sidecar on the pinned image, connecting to localhost as the metrics user, its password from a file", () => {
        expect(d.containers.map((c) => c.name)).toEqual(["redis", "redis-exporter"]);
        const exporter = d.exporter!;
        expect(exporter.image).toBe(EXPORTER_IMAGE);
        // The image is FROM scratch with its own entrypoint: args only.
        expect(exporter.command).toBeUndefined();
        expect(exporter.args).toEqual([
            "-redis.addr=redis://localhost:6379",
            "-redis.user=metrics",
            `-redis.password-file=${EXPORTER_SECRETS_DIR}/${EXPORTER_FILES.passwords}`,
            "-config-command=-",
            "-web.listen-address=:9121",
        ]);
        expect(exporter.ports).toEqual([{ name: "metrics", containerPort: 9121, protocol: "TCP" }]);
        expect(exporter.resources).toEqual({ requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "64Mi" } });
    });

    it("keeps the metrics password out of every container's args, command, env, and out of labels and annotations", () => {
        const password = metricsPassword(d);
        expect(JSON.stringify(d.containers).includes(password)).toBe(false);
        expect(JSON.stringify(d.statefulSet.metadata).includes(password)).toBe(false);
        expect(JSON.stringify(d.statefulSet.spec.template.metadata).includes(password)).toBe(false);
        // Nowhere outside a secret wrapper, in any resource the component declared.
        for (const r of d.resources) {
            expect(
                plainStrings(r.inputs).some((s) => s.text.includes(password)),
                `${r.type} ${r.name}`,
            ).toBe(false);
        }
    });

    it("maps the exporter's address to the current metrics password, in a secret, immutable Secret", async () => {
        const secret = d.metricsSecret!;
        expect(isSecretValue(secret.inputs.stringData)).toBe(true);
        expect(secret.inputs.immutable).toBe(true);
        expect(Object.keys(d.metricsFiles)).toEqual([EXPORTER_FILES.passwords]);
        expect(Object.keys(JSON.parse(d.metricsFiles[EXPORTER_FILES.passwords]) as object)).toEqual(["redis://localhost:6379"]);
        // The ACL holds the metrics user (by hash): the same password the file holds.
        const { createHash } = await import("node:crypto");
        const hash = createHash("sha256").update(metricsPassword(d)).digest("hex");
        expect(d.configFiles["redis.conf"]).toMatch(new RegExp(`^user metrics .*#${hash}`, "m"));
    });

    it("mounts the Secret read-only into the exporter alone, readable by owner and fsGroup only", () => {
        const pod = d.statefulSet.spec.template.spec;
        const volume = pod.volumes?.find((v) => v.name === "metrics");
        const secretName = (d.metricsSecret!.state.metadata as { name: string }).name;
        expect(volume?.secret).toEqual({ secretName, defaultMode: 0o440 });
        expect(volume!.secret.defaultMode & 0o007).toBe(0);
        expect(d.exporter!.volumeMounts).toEqual([{ name: "metrics", mountPath: EXPORTER_SECRETS_DIR, readOnly: true }]);
        expect(d.containers[0].volumeMounts?.map((m) => m.name)).not.toContain("metrics");
        // The exporter's user reads it through the fsGroup the kubelet adds to every container.
        expect(pod.securityContext?.fsGroup).toBeGreaterThan(0);
    });

    it("hardens the exporter as the Redis container, as its own non-root user, and stays within the restricted standard", () => {
        expect(d.exporter!.securityContext).toEqual({
            runAsNonRoot: true,
            runAsUser: EXPORTER_UID,
            runAsGroup: EXPORTER_UID,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
        expect(d.statefulSet.spec.template.spec.securityContext?.seccompProfile).toEqual({ type: "RuntimeDefault" });
        expect(restrictedViolations(d.statefulSet.spec.template.spec, d.statefulSet.spec.template.metadata.annotations)).toEqual([]);
        expect(schemaErrors(d.statefulSet as unknown as Record<string, unknown>)).toEqual([]);
    });

    it("probes the exporter's liveness over HTTP on /health, and gives it no readiness probe that could take Redis out of service", () => {
        expect(d.exporter!.livenessProbe).toEqual({
            httpGet: { path: "/health", port: "metrics" },
            timeoutSeconds: 5,
            periodSeconds: 10,
            failureThreshold: 6,
        });
        expect(d.exporter!.readinessProbe).toBeUndefined();
        expect(d.exporter!.startupProbe).toBeUndefined();
    });

    it("covers the exporter's files in the pods' config hash, so a new metrics password rolls them", () => {
        const annotation = d.statefulSet.spec.template.metadata.annotations["hardened-redis/config-sha256"];
        const withoutExporter = configHash(d.configFiles);
        const prefixed = Object.fromEntries(Object.entries(d.metricsFiles).map(([k, v]) => [`metrics/${k}`, v]));
        expect(annotation).not.toBe(withoutExporter);
        expect(annotation).toBe(configHash({ ...d.configFiles, ...prefixed }));
    });

    it("adds a metrics Service on every Redis pod and leaves the client Service as it was", () => {
        const metrics = d.services.find((s) => s.metadata.name === "metered-metrics")!;
        expect(metrics.spec.type).toBe("ClusterIP");
        expect(metrics.spec.selector).toEqual({ "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "metered" });
        expect(metrics.spec.ports).toEqual([{ name: "metrics", port: 9121, targetPort: "metrics", protocol: "TCP" }]);
        expect(metrics.metadata.labels?.["app.kubernetes.io/component"]).toBe("metrics");
        const client = (x: Deployed, name: string) => JSON.stringify(x.services.find((s) => s.metadata.name === name)!.spec);
        expect(client(d, "metered")).toBe(client(plain, "unmetered").replaceAll("unmetered", "metered"));
        expect(d.endpoint).toBe(`http://metered-metrics.${d.statefulSet.metadata.namespace}.svc:9121/metrics`);
    });

    it("admits scrapes on the metrics port from the labelled namespaces only, and leaves Redis's rules unchanged", () => {
        expect(d.policy.spec.ingress).toHaveLength(2);
        // The same rules as a deployment without metrics, up to the component's name.
        const renamed = JSON.parse(JSON.stringify(plain.policy.spec).replaceAll("unmetered", "metered")) as NetworkPolicy["spec"];
        expect(d.policy.spec.ingress[0]).toEqual(renamed.ingress[0]);
        expect(d.policy.spec.egress).toEqual(renamed.egress);
        expect(d.policy.spec.ingress[1]).toEqual({
            from: [{ namespaceSelector: { matchLabels: SCRAPERS } }],
            ports: [{ protocol: "TCP", port: 9121 }],
        });
    });

    it("declares no ServiceMonitor or PrometheusRule unless asked", () => {
        expect(d.resources.some((r) => r.type.startsWith("kubernetes:monitoring.coreos.com"))).toBe(false);
    });

    it("passes every redis-guard policy (but TLS in transit, which a plaintext deployment fails with or without metrics)", async () => {
        for (const policy of policies.filter((p) => p.name !== "redis-tls-in-transit")) {
            expect((await evaluate(policy, asPolicyResources(d))).violations, policy.name).toEqual([]);
        }
    });
});

/** What the policy pack sees of a deployment: every resource's state. */
const asPolicyResources = (d: Deployed) =>
    d.resources.map((r) => ({ type: r.type, name: r.name, props: unwrapSecrets(r.state) as Record<string, unknown> }));

describe("KubernetesRedis metrics scrapers", () => {
    const ingressOf = async (name: string, metrics: Args["metrics"]) => (await deploy(name, { metrics })).policy.spec.ingress[1];

    it("combines namespace and pod labels in one peer (AND, not OR)", async () => {
        const pods = { app: "prometheus" };
        expect((await ingressOf("scrape-both", { enabled: true, scrapeNamespaceLabels: SCRAPERS, scrapePodLabels: pods })).from).toEqual([
            { namespaceSelector: { matchLabels: SCRAPERS }, podSelector: { matchLabels: pods } },
        ]);
    });

    it("admits labelled pods of the Redis namespace with pod labels alone", async () => {
        expect((await ingressOf("scrape-pods", { enabled: true, scrapePodLabels: { app: "prometheus" } })).from).toEqual([
            { podSelector: { matchLabels: { app: "prometheus" } } },
        ]);
    });

    it("honours a port of its own on the container, the Services and the NetworkPolicy", async () => {
        const d = await deploy("scrape-port", { metrics: { enabled: true, port: 9200, scrapePodLabels: { app: "prometheus" } } });
        expect(d.exporter!.args).toContain("-web.listen-address=:9200");
        expect(d.exporter!.ports?.[0].containerPort).toBe(9200);
        expect(d.services.find((s) => s.metadata.name === "scrape-port-metrics")!.spec.ports[0].port).toBe(9200);
        expect(d.policy.spec.ingress[1].ports).toEqual([{ protocol: "TCP", port: 9200 }]);
    });
});

describe("KubernetesRedis with a ServiceMonitor and a PrometheusRule", () => {
    let d: Deployed;
    const monitorLabels = { release: "prometheus" };
    beforeAll(async () => {
        d = await deploy("monitored", {
            replicas: 2,
            metrics: { enabled: true, scrapePodLabels: { app: "prometheus" }, serviceMonitor: true, prometheusRule: true, monitorLabels },
        });
    });
    const custom = (kind: string) => {
        const found = d.resources.filter((r) => r.type === `kubernetes:monitoring.coreos.com/v1:${kind}`);
        expect(found).toHaveLength(1);
        return found[0];
    };

    it("selects the metrics Service's `metrics` port, with the monitor labels, as a child of the component", () => {
        const monitor = custom("ServiceMonitor");
        const spec = unwrapSecrets(monitor.inputs) as { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
        const service = d.services.find((s) => s.metadata.name === "monitored-metrics")!;
        expect(spec.metadata.labels).toMatchObject(monitorLabels);
        expect(spec.spec).toEqual({
            selector: { matchLabels: service.metadata.labels },
            namespaceSelector: { matchNames: [d.statefulSet.metadata.namespace] },
            endpoints: [{ port: "metrics", path: "/metrics", scheme: "http" }],
        });
        // Only the metrics Service carries these labels: not the client or the headless one.
        for (const other of d.services.filter((s) => s !== service)) {
            expect(
                Object.entries(service.metadata.labels).every(([k, v]) => other.metadata.labels?.[k] === v),
                other.metadata.name,
            ).toBe(false);
        }
        expect(
            registeredUrns().some((u) =>
                u.endsWith("KubernetesRedis$kubernetes:monitoring.coreos.com/v1:ServiceMonitor::monitored-servicemonitor"),
            ),
        ).toBe(true);
    });

    it("ships the shared alert rules for the metrics Service's job, with the replication rules for replicas", () => {
        const rule = custom("PrometheusRule");
        const spec = unwrapSecrets(rule.inputs) as { metadata: { labels: Record<string, string> }; spec: { groups: unknown } };
        expect(spec.metadata.labels).toMatchObject(monitorLabels);
        expect(spec.spec.groups).toEqual(redisAlertRules({ job: "monitored-metrics", replicas: true }));
        expect(JSON.stringify(spec.spec.groups)).toContain("RedisReplicationBroken");
        expect(
            registeredUrns().some((u) =>
                u.endsWith("KubernetesRedis$kubernetes:monitoring.coreos.com/v1:PrometheusRule::monitored-prometheusrule"),
            ),
        ).toBe(true);
    });

    it("declares only what was asked for", async () => {
        const only = await deploy("monitor-only", { metrics: { enabled: true, scrapePodLabels: { app: "p" }, serviceMonitor: true } });
        expect(only.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com")).map((r) => r.type)).toEqual([
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
        ]);
    });
});

describe("KubernetesRedis metrics with Sentinel", () => {
    let d: Deployed;
    beforeAll(async () => {
        d = await deploy("msentinel", {
            replicas: 3,
            sentinel: { enabled: true },
            metrics: { enabled: true, scrapePodLabels: { app: "prometheus" } },
        });
    });

    it("puts an exporter beside every Redis server and none beside the Sentinels", () => {
        expect(d.containers.map((c) => c.name)).toEqual(["redis", "redis-exporter"]);
        const sentinels = inputs<StatefulSet>(
            d.resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet" && r.name === "msentinel-sentinel")!,
        );
        expect(sentinels.spec.template.spec.containers.map((c) => c.name)).toEqual(["sentinel"]);
        expect(sentinels.spec.template.spec.volumes?.map((v) => v.name)).not.toContain("metrics");
    });

    it("fronts the Redis servers with the metrics Service while the client Service fronts the Sentinels", () => {
        const service = (name: string) => d.services.find((s) => s.metadata.name === name)!.spec;
        expect(service("msentinel-metrics").selector).toEqual({
            "app.kubernetes.io/name": "redis",
            "app.kubernetes.io/instance": "msentinel",
        });
        expect(service("msentinel").selector?.["app.kubernetes.io/name"]).toBe("redis-sentinel");
        expect(service("msentinel").ports.map((p) => p.name)).toEqual(["sentinel"]);
    });
});

describe("KubernetesRedis metrics with TLS", () => {
    let d: Deployed;
    let mtls: Deployed;
    beforeAll(async () => {
        const metrics = { enabled: true, scrapePodLabels: { app: "prometheus" } };
        d = await deploy("mtls", { replicas: 2, tls: { enabled: true }, metrics });
        mtls = await deploy("mmtls", { tls: { enabled: true, requireClientCertificates: true }, metrics });
    });

    it("dials the pod's own DNS name over TLS, expanded by Kubernetes from the downward API, trusting the CA", () => {
        expect(d.exporter!.args).toEqual([
            "-redis.addr=rediss://$(POD_NAME).mtls-headless.$(POD_NAMESPACE).svc:6379",
            "-redis.user=metrics",
            `-redis.password-file=${EXPORTER_SECRETS_DIR}/${EXPORTER_FILES.passwords}`,
            "-config-command=-",
            "-web.listen-address=:9121",
            `-tls-ca-cert-file=${EXPORTER_SECRETS_DIR}/${EXPORTER_FILES.caCertificate}`,
        ]);
        expect(d.exporter!.env).toEqual([
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        ]);
    });

    it("lists every pod's address in the password file, each a name the certificate holds", async () => {
        const ns = d.statefulSet.metadata.namespace;
        const addresses = Object.keys(JSON.parse(d.metricsFiles[EXPORTER_FILES.passwords]) as object);
        expect(addresses).toEqual([0, 1].map((i) => `rediss://mtls-${i}.mtls-headless.${ns}.svc:6379`));
        const { kubernetesDnsNames, kubernetesTopology } = await import("../../../platforms/kubernetes/plan");
        const names = kubernetesDnsNames({ name: "mtls", topology: kubernetesTopology(2), port: 6379 }, ns);
        for (const address of addresses) expect(names).toContain(new URL(address).hostname);
        expect(d.metricsFiles[EXPORTER_FILES.caCertificate]).toBe(await valueOf(d.redis.caCertificate));
        expect(Object.keys(d.metricsFiles).sort()).toEqual([EXPORTER_FILES.caCertificate, EXPORTER_FILES.passwords].sort());
    });

    it("with mutual TLS presents the generated client certificate, not the server's", async () => {
        expect(mtls.exporter!.args).toEqual(
            expect.arrayContaining([
                `-tls-client-cert-file=${EXPORTER_SECRETS_DIR}/${EXPORTER_FILES.certificate}`,
                `-tls-client-key-file=${EXPORTER_SECRETS_DIR}/${EXPORTER_FILES.privateKey}`,
            ]),
        );
        const [certificate, key] = [await valueOf(mtls.redis.clientCertificate), await valueOf(mtls.redis.clientPrivateKey)];
        expect(mtls.metricsFiles[EXPORTER_FILES.certificate]).toBe(certificate);
        expect(mtls.metricsFiles[EXPORTER_FILES.privateKey] === key).toBe(true);
        const server = unwrapSecrets(mtls.resources.find((r) => r.name === "mmtls-tls")!.inputs.stringData) as Record<string, string>;
        expect(mtls.metricsFiles[EXPORTER_FILES.privateKey] === server["tls.key"]).toBe(false);
    });

    it("passes every redis-guard policy, with TLS and with mutual TLS", async () => {
        for (const policy of policies) {
            expect((await evaluate(policy, asPolicyResources(d))).violations, policy.name).toEqual([]);
            expect((await evaluate(policy, asPolicyResources(mtls))).violations, policy.name).toEqual([]);
        }
    });

    it("lets a lone pod's exporter reach its own Redis port by the pod's address", () => {
        const self = { podSelector: { matchLabels: { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "mmtls" } } };
        expect(mtls.policy.spec.ingress[0].from).toContainEqual(self);
        expect(mtls.policy.spec.egress).toContainEqual({ to: [self], ports: [{ protocol: "TCP", port: 6379 }] });
    });
});

describe("KubernetesRedis metrics settings it refuses", () => {
    const pods = { app: "prometheus" };
    const cases: Array<[string, string, Args, RegExp]> = [
        ["the Redis port", "bad-mport", { metrics: { enabled: true, port: 6379, scrapePodLabels: pods } }, /"metrics\.port": got 6379/],
        [
            "the Redis port when it is not the default",
            "bad-mport2",
            { port: 7000, metrics: { enabled: true, port: 7000, scrapePodLabels: pods } },
            /"metrics\.port": got 7000/,
        ],
        [
            "an untagged image",
            "bad-mimage",
            { metrics: { enabled: true, image: "oliver006/redis_exporter", scrapePodLabels: pods } },
            /"metrics\.image"/,
        ],
        [
            "the latest tag",
            "bad-mlatest",
            { metrics: { enabled: true, image: "oliver006/redis_exporter:latest", scrapePodLabels: pods } },
            /"metrics\.image"/,
        ],
        ["a bad label key", "bad-mkey", { metrics: { enabled: true, scrapePodLabels: { "bad key": "x" } } }, /"metrics\.scrapePodLabels/],
        [
            "a bad label value",
            "bad-mvalue",
            { metrics: { enabled: true, scrapeNamespaceLabels: { team: "bad value!" } } },
            /"metrics\.scrapeNamespaceLabels/,
        ],
        [
            "a bad monitor label",
            "bad-mmonitor",
            { metrics: { enabled: true, scrapePodLabels: pods, monitorLabels: { "-x": "y" } } },
            /"metrics\.monitorLabels/,
        ],
        [
            "nobody to scrape",
            "bad-mnobody",
            { metrics: { enabled: true } },
            /"metrics\.scrapeNamespaceLabels": got neither; allowed: metrics\.scrapeNamespaceLabels and\/or metrics\.scrapePodLabels/,
        ],
        ["an empty selector", "bad-mempty", { metrics: { enabled: true, scrapePodLabels: {} } }, /"metrics\.scrapePodLabels": got \{\}/],
        [
            "a ServiceMonitor without metrics",
            "bad-moff",
            { metrics: { serviceMonitor: true } },
            /"metrics\.serviceMonitor": got a value; allowed: nothing unless metrics\.enabled/,
        ],
        [
            "scrapers without metrics",
            "bad-moff2",
            { metrics: { enabled: false, scrapePodLabels: pods } },
            /"metrics\.scrapePodLabels": got a value/,
        ],
        [
            "an unknown setting",
            "bad-munknown",
            { metrics: { enabled: true, scrapePodLabels: pods, scrapeLabels: pods } as Args["metrics"] },
            /"metrics/,
        ],
    ];
    it.each(cases)("%s", (_label, name, args, message) => {
        expect(() => new api.KubernetesRedis(name, args)).toThrow(message);
        expect(() => new api.KubernetesRedis(`${name}-again`, args)).toThrow(api.RedisConfigError);
    });

    it("mutual TLS on a Secret of the caller's: the exporter would need the server's own key", () => {
        const own = issueCertificates({ dnsNames: ["byo-metrics", "*.byo-metrics-headless.apps.svc"] });
        const data = { "tls.crt": own.certificate, "tls.key": own.privateKey, "ca.crt": own.caCertificate };
        existingSecrets.set("apps/metrics-cert", {
            type: "kubernetes.io/tls",
            data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
        });
        const args: Args = {
            namespace: "apps",
            tls: { enabled: true, requireClientCertificates: true, secretName: "metrics-cert" },
            metrics: { enabled: true, scrapePodLabels: pods },
        };
        expect(() => new api.KubernetesRedis("byo-metrics", args)).toThrow(
            /"metrics\.enabled": got true; allowed: false with tls\.requireClientCertificates on certificates of your own/,
        );
    });
});
