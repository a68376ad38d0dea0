import { execFileSync } from "node:child_process";
import { DEFAULT_SERVER } from "../../../redis/servers";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaErrors } from "../../../harness/mocks/kubernetesSchema";
import { restrictedViolations } from "../../../harness/mocks/podSecurity";
import {
    CLUSTER_DNS,
    kubernetesDnsNames,
    kubernetesTopology,
    planDisruptionBudget,
    planNetworkPolicy,
    planPodSpec,
    planServices,
    planSentinelDisruptionBudget,
    planSentinelNetworkPolicy,
    planSentinelPodSpec,
    planSentinelStatefulSet,
    planStatefulSet,
    replicaOf,
    topologyRoles,
    type DnsPeerPlan,
    type KubernetesRedisPlan,
} from "../../../platforms/kubernetes/plan";
import type { SentinelPlan } from "../../../redis/sentinel/topology";
import { sentinelCommand, sentinelServerCommand } from "../../../redis/sentinel/sentinelConfig";
import { HANDOVER_SECONDS } from "../../../policies/shared/serverStart";

// The planning functions are pure: their outputs are plain values here (the component passes
// Pulumi outputs for the namespace and the Secret names, which these tests stand in for with strings).
type Labels = Record<string, string>;
type Peer = { podSelector?: { matchLabels?: Labels }; namespaceSelector?: { matchLabels?: Labels } };
type EgressRule = { to?: Peer[]; ports?: Array<{ protocol: string; port: number }> };
type IngressRule = { from: Peer[]; ports: Array<{ protocol: string; port: number }> };
type Container = {
    command: string[];
    startupProbe: { exec: { command: string[] } };
    livenessProbe: { exec: { command: string[] } };
    readinessProbe: { exec: { command: string[] } };
};
type Volume = { name: string; secret?: { secretName: string }; projected?: { sources: Array<{ secret: { name: string } }> } };

const NAMESPACE = "apps";
const SENTINEL: SentinelPlan = {
    sentinels: 3,
    quorum: 2,
    downAfterMilliseconds: 5_000,
    failoverTimeoutMilliseconds: 60_000,
    maxReplicaLagSeconds: 10,
    masterName: "cache",
};
const SECRETS = { config: "cache-config-1234" };
const TLS_SECRETS = { config: "cache-config-1234", tls: "cache-tls-5678" };

function plan(replicas: number, overrides: Partial<KubernetesRedisPlan> = {}): KubernetesRedisPlan {
    return {
        name: "cache",
        topology: kubernetesTopology(replicas),
        port: 6379,
        server: DEFAULT_SERVER,
        image: "redis:7-alpine",
        memoryLimitMb: 256,
        cpu: { request: "100m" },
        storage: { size: "1Gi" },
        clients: { label: { "cache-client": "true" } },
        allowAllEgress: false,
        dns: CLUSTER_DNS,
        antiAffinity: "preferred",
        ...overrides,
    };
}

/** The labels the StatefulSet controller gives pod `i`: the template's plus its own name. */
function podLabels(p: KubernetesRedisPlan, i: number): Labels {
    const template = planStatefulSet(p, { namespace: NAMESPACE, serviceName: "h", configSha256: "0", secrets: SECRETS }).spec as {
        template: { metadata: { labels: Labels } };
    };
    return {
        ...template.template.metadata.labels,
        "statefulset.kubernetes.io/pod-name": `${p.name}-${i}`,
        "controller-revision-hash": "x",
    };
}

function selects(selector: Labels, labels: Labels): boolean {
    return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The ordinals of the pods a selector matches. */
function selectedPods(p: KubernetesRedisPlan, selector: Labels): number[] {
    const pods = topologyRoles(p).pods;
    return Array.from({ length: pods }, (_, i) => i).filter((i) => selects(selector, podLabels(p, i)));
}

const services = (p: KubernetesRedisPlan) => {
    const s = planServices(p, NAMESPACE) as unknown as Record<
        "headless" | "client",
        { metadata: { name: string }; spec: Record<string, unknown> }
    >;
    return s;
};
const networkPolicy = (p: KubernetesRedisPlan) =>
    (
        planNetworkPolicy(p, NAMESPACE) as unknown as {
            spec: { podSelector: { matchLabels: Labels }; ingress: IngressRule[]; egress: EgressRule[] };
        }
    ).spec;
const container = (p: KubernetesRedisPlan, secrets: { config: string; tls?: string } = SECRETS) =>
    (planPodSpec(p, secrets) as unknown as { containers: Container[] }).containers[0];
const volumes = (p: KubernetesRedisPlan, secrets: { config: string; tls?: string }) =>
    (planPodSpec(p, secrets) as unknown as { volumes: Volume[] }).volumes;

describe("kubernetesTopology", () => {
    it("is standalone for one pod and replicated, with the pod count, for more", () => {
        expect(kubernetesTopology(1)).toEqual({ kind: "standalone" });
        for (let replicas = 2; replicas <= 16; replicas++) expect(kubernetesTopology(replicas)).toEqual({ kind: "replicated", replicas });
    });

    it("gives the StatefulSet one pod per replica", () => {
        for (let replicas = 1; replicas <= 16; replicas++) {
            expect(topologyRoles(plan(replicas)).pods).toBe(replicas);
            const spec = planStatefulSet(plan(replicas), { namespace: NAMESPACE, serviceName: "h", configSha256: "0", secrets: SECRETS })
                .spec as {
                replicas: number;
            };
            expect(spec.replicas).toBe(replicas);
        }
    });
});

describe("planServices", () => {
    it("standalone: both Services select the one pod", () => {
        const { headless, client } = services(plan(1));
        expect(headless.metadata.name).toBe("cache-headless");
        expect(headless.spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
        expect(client.metadata.name).toBe("cache");
        expect(client.spec.type).toBe("ClusterIP");
        expect(client.spec.selector).toEqual(headless.spec.selector);
    });

    it("replicated: the client Service selects pod 0 by name, the headless Service every pod", () => {
        const { headless, client } = services(plan(3));
        expect(client.spec.selector).toEqual({ ...(headless.spec.selector as Labels), "statefulset.kubernetes.io/pod-name": "cache-0" });
    });

    it("for every replica count, the client Service selects exactly pod 0 when replicated and every pod otherwise; headless every pod", () => {
        for (let replicas = 1; replicas <= 16; replicas++) {
            const p = plan(replicas);
            const { headless, client } = services(p);
            const all = Array.from({ length: replicas }, (_, i) => i);
            expect(selectedPods(p, headless.spec.selector as Labels), `${replicas} headless`).toEqual(all);
            const expected = p.topology.kind === "replicated" ? [0] : all;
            expect(selectedPods(p, client.spec.selector as Labels), `${replicas} client`).toEqual(expected);
        }
    });

    it("never exposes Redis outside the cluster", () => {
        for (let replicas = 1; replicas <= 16; replicas++) {
            for (const service of Object.values(services(plan(replicas)))) {
                expect(["ClusterIP", undefined]).toContain(service.spec.type);
                expect(service.spec.externalIPs).toBeUndefined();
                expect(service.spec.ports).toEqual([{ name: "redis", port: 6379, targetPort: "redis", protocol: "TCP" }]);
            }
        }
    });
});

describe("the pod command", () => {
    let bin: string;
    beforeAll(() => {
        // A stand-in redis-server that prints the file it was started from.
        bin = mkdtempSync(join(tmpdir(), "plan-"));
        writeFileSync(join(bin, "redis-server"), '#!/bin/sh\necho "$@"\n');
        chmodSync(join(bin, "redis-server"), 0o755);
    });
    afterAll(() => rmSync(bin, { recursive: true, force: true }));

    /** The file pod `i` of `p` starts Redis from, by running the planned command in a shell. */
    const startedFrom = (p: KubernetesRedisPlan, i: number) => {
        const [command, ...args] = container(p).command;
        const env = { PATH: `${bin}:${process.env.PATH}`, HOSTNAME: `${p.name}-${i}` };
        return execFileSync(command === "redis-server" ? join(bin, command) : command, args, { env, encoding: "utf8" }).trim();
    };

    it("standalone: redis-server on redis.conf, no shell", () => {
        expect(container(plan(1)).command).toEqual(["redis-server", "/usr/local/etc/redis/redis.conf"]);
    });

    it("replicated: pod 0 starts from redis.conf, every other pod from replica.conf, whatever digits and dashes the name has", () => {
        for (const name of ["cache", "a-1", "r2-0-10"]) {
            for (const replicas of [2, 3, 11, 16]) {
                const p = plan(replicas, { name });
                for (let i = 0; i < replicas; i++) {
                    const file = i === 0 ? "redis.conf" : "replica.conf";
                    expect(startedFrom(p, i), `${name} pod ${i} of ${replicas}`).toBe(`/usr/local/etc/redis/${file}`);
                }
            }
        }
    });

    it("with Sentinel: each pod in the role the Sentinels name, known by its own DNS name, handing over on the kubelet's SIGTERM within the grace", () => {
        const p = plan(3, { topology: kubernetesTopology(3, SENTINEL), tls: { requireClientCertificates: true } });
        type Spec = { terminationGracePeriodSeconds: number; containers: Array<Container & { lifecycle?: unknown }> };
        const spec = planPodSpec(p, TLS_SECRETS) as unknown as Spec;
        const command = sentinelServerCommand("redis", {
            self: "${HOSTNAME}.cache-headless.${POD_NAMESPACE}.svc",
            firstPrimary: "cache-0.cache-headless.${POD_NAMESPACE}.svc",
            port: 6379,
            sentinels: [0, 1, 2].map((i) => ({ host: `cache-sentinel-${i}.cache-sentinel.\${POD_NAMESPACE}.svc`, port: 26379 })),
            sentinel: SENTINEL,
            tls: { clientCertificate: true },
        });
        expect(spec.containers[0].command).toEqual(command);
        // Redis is the script's child: the kubelet's SIGTERM reaches the script, which hands over first.
        expect(command[2]).toMatch(
            /\nredis-server \/data\/redis\.conf --replica-announce-ip "\$\{HOSTNAME\}\.cache-headless\.\$\{POD_NAMESPACE\}\.svc" &\n/,
        );
        expect(command[2]).toMatch(/\ntrap stop TERM INT\n/);
        expect(spec.terminationGracePeriodSeconds).toBe(60 + HANDOVER_SECONDS);
        // Without Sentinel there is nothing to hand over to.
        expect((planPodSpec(plan(3), SECRETS) as unknown as Spec).terminationGracePeriodSeconds).toBe(60);
    });

    it("replicas follow pod 0 through the headless Service, on the Redis port; standalone replicates nothing", () => {
        expect(replicaOf(plan(1), NAMESPACE)).toBeUndefined();
        expect(topologyRoles(plan(1)).replication).toBeUndefined();
        expect(replicaOf(plan(4, { port: 6380 }), NAMESPACE)).toEqual({ host: "cache-0.cache-headless.apps.svc", port: 6380 });
        expect(kubernetesDnsNames(plan(4), NAMESPACE)).toContain(replicaOf(plan(4), NAMESPACE)?.host);
    });
});

describe("planNetworkPolicy", () => {
    const dnsRule = {
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
    };
    const clients = { podSelector: { matchLabels: { "cache-client": "true" } } };
    const redisPods = { podSelector: { matchLabels: { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "cache" } } };
    const redisPort = [{ protocol: "TCP", port: 6379 }];

    it("standalone: ingress from labelled clients only, egress to the cluster DNS only", () => {
        const spec = networkPolicy(plan(1));
        expect(spec.podSelector.matchLabels).toEqual(redisPods.podSelector.matchLabels);
        expect(spec.ingress).toEqual([{ from: [clients], ports: redisPort }]);
        expect(spec.egress).toEqual([dnsRule]);
    });

    it("replicated: the Redis pods also reach each other on the Redis port, both ways", () => {
        const spec = networkPolicy(plan(3));
        expect(spec.ingress).toEqual([{ from: [clients, redisPods], ports: redisPort }]);
        expect(spec.egress).toEqual([dnsRule, { to: [redisPods], ports: redisPort }]);
    });

    it("lets the pods, Redis and Sentinel, query only the DNS servers the plan names: a rule each, on its ports over UDP and TCP", () => {
        const dns: DnsPeerPlan[] = [
            { ipBlock: "169.254.20.10/32", ports: [53] },
            {
                namespaceLabels: { "kubernetes.io/metadata.name": "openshift-dns" },
                podLabels: { "dns.operator.openshift.io/daemonset-dns": "default" },
                ports: [5353],
            },
            { podLabels: { app: "dns" }, ports: [53, 5353] },
            { namespaceLabels: { dns: "yes" }, ports: [53] },
        ];
        const rules = [
            { to: [{ ipBlock: { cidr: "169.254.20.10/32" } }], ports: dnsRule.ports },
            {
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "openshift-dns" } },
                        podSelector: { matchLabels: { "dns.operator.openshift.io/daemonset-dns": "default" } },
                    },
                ],
                ports: [
                    { protocol: "UDP", port: 5353 },
                    { protocol: "TCP", port: 5353 },
                ],
            },
            {
                to: [{ podSelector: { matchLabels: { app: "dns" } } }],
                ports: [...dnsRule.ports, { protocol: "UDP", port: 5353 }, { protocol: "TCP", port: 5353 }],
            },
            { to: [{ namespaceSelector: { matchLabels: { dns: "yes" } } }], ports: dnsRule.ports },
        ];
        expect(networkPolicy(plan(1, { dns })).egress).toEqual(rules);
        expect(networkPolicy(plan(3, { dns })).egress).toEqual([...rules, { to: [redisPods], ports: redisPort }]);
        const withSentinel = plan(1, { dns, topology: kubernetesTopology(3, SENTINEL) });
        const sentinelEgress = (planSentinelNetworkPolicy(withSentinel, NAMESPACE) as unknown as { spec: { egress: EgressRule[] } }).spec
            .egress;
        expect(sentinelEgress.slice(0, rules.length)).toEqual(rules);
        expect(sentinelEgress.slice(rules.length).flatMap((rule) => rule.ports?.map((port) => port.port))).toEqual([6379, 26379]);
        // The default is kube-dns alone, as before the setting; allowAllEgress needs no DNS rule.
        expect(networkPolicy(plan(1)).egress).toEqual([dnsRule]);
        expect(networkPolicy(plan(3, { dns, allowAllEgress: true })).egress).toEqual([{}]);
    });

    it("admits labelled pods of labelled namespaces as one peer with both selectors", () => {
        const spec = networkPolicy(plan(1, { clients: { label: { "cache-client": "true" }, namespaceLabels: { team: "web" } } }));
        expect(spec.ingress[0].from).toEqual([clients, { namespaceSelector: { matchLabels: { team: "web" } }, ...clients }]);
    });

    it("for every replica count, client setting and egress setting: egress never has an empty peer list, ingress is on the Redis port only", () => {
        for (let replicas = 1; replicas <= 16; replicas++) {
            for (const allowAllEgress of [false, true]) {
                for (const namespaceLabels of [undefined, { team: "web" }]) {
                    const p = plan(replicas, { allowAllEgress, clients: { label: { "cache-client": "true" }, namespaceLabels } });
                    const spec = networkPolicy(p);
                    const where = `${replicas} pods, allowAllEgress ${allowAllEgress}, namespaceLabels ${namespaceLabels !== undefined}`;
                    // An egress rule with `to: []` admits every destination.
                    for (const rule of spec.egress) expect(rule.to?.length !== 0, where).toBe(true);
                    if (allowAllEgress) expect(spec.egress, where).toEqual([{}]);
                    else for (const rule of spec.egress) expect(rule.to?.length && rule.ports?.length, where).toBeTruthy();
                    for (const rule of spec.ingress) {
                        expect(rule.from.length, where).toBeGreaterThan(0);
                        expect(rule.ports, where).toEqual(redisPort);
                    }
                    const peersIn = spec.ingress[0].from.some(
                        (peer) => peer.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "redis",
                    );
                    expect(peersIn, where).toBe(replicas > 1);
                }
            }
        }
    });
});

describe("planDisruptionBudget", () => {
    it("has none for a single pod, and lets one Redis pod go at a time with replicas", () => {
        expect(planDisruptionBudget(plan(1), NAMESPACE)).toBeUndefined();
        for (let replicas = 2; replicas <= 16; replicas++) {
            expect(planDisruptionBudget(plan(replicas), NAMESPACE)).toEqual({
                metadata: { namespace: NAMESPACE, labels: expect.objectContaining({ "app.kubernetes.io/instance": "cache" }) },
                spec: {
                    maxUnavailable: 1,
                    selector: { matchLabels: { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": "cache" } },
                },
            });
        }
    });
});

describe("TLS in the pod spec", () => {
    const tls = { tls: { requireClientCertificates: false } };
    const mutual = { tls: { requireClientCertificates: true } };
    const probes = (c: Container) => [c.startupProbe, c.livenessProbe, c.readinessProbe].map((probe) => probe.exec.command.join(" "));

    it("without TLS: the config Secret mounted as is, plaintext probes", () => {
        expect(volumes(plan(1), SECRETS)[0]).toEqual({ name: "config", secret: { secretName: SECRETS.config, defaultMode: 0o440 } });
        for (const probe of probes(container(plan(1)))) expect(probe).not.toContain("--tls");
    });

    it("with TLS: the certificate projected next to the config, probes over TLS (with the server's certificate for mutual TLS)", () => {
        for (const replicas of [1, 3]) {
            expect(volumes(plan(replicas, tls), TLS_SECRETS)[0]).toEqual({
                name: "config",
                projected: {
                    defaultMode: 0o440,
                    sources: [
                        { secret: { name: TLS_SECRETS.config } },
                        {
                            secret: {
                                name: TLS_SECRETS.tls,
                                items: ["tls.crt", "tls.key", "ca.crt"].map((file) => ({ key: file, path: file })),
                            },
                        },
                    ],
                },
            });
            for (const probe of probes(container(plan(replicas, tls), TLS_SECRETS))) {
                expect(probe).toContain("redis-cli --tls --cacert /usr/local/etc/redis/ca.crt -p 6379");
                expect(probe).not.toContain("--cert ");
            }
            for (const probe of probes(container(plan(replicas, mutual), TLS_SECRETS))) {
                expect(probe).toContain("--cert /usr/local/etc/redis/tls.crt --key /usr/local/etc/redis/tls.key");
            }
        }
    });

    it("refuses a TLS plan without the certificate's Secret, and a Secret without a TLS plan", () => {
        expect(() => planPodSpec(plan(1, tls), SECRETS)).toThrow(/TLS Secret must be given exactly when TLS is planned/);
        expect(() => planPodSpec(plan(1), TLS_SECRETS)).toThrow(/TLS Secret must be given exactly when TLS is planned/);
    });
});

describe("every planned object, for every topology, with and without TLS", () => {
    it("passes the Kubernetes API schema strictly, and the pod meets the restricted Pod Security Standard", () => {
        // DNS servers of every kind (applied where egress is restricted: an odd pod count).
        const dns: DnsPeerPlan[] = [
            { ipBlock: "169.254.20.10/32", ports: [53] },
            { ipBlock: "fd00::10/128", ports: [53] },
            { namespaceLabels: { "kubernetes.io/metadata.name": "openshift-dns" }, podLabels: { dns: "default" }, ports: [5353] },
        ];
        const topologies = [
            ...Array.from({ length: 16 }, (_, i) => kubernetesTopology(i + 1)),
            ...[3, 5, 7].map((sentinels) => kubernetesTopology(sentinels - 1, { ...SENTINEL, sentinels, quorum: sentinels })),
        ];
        for (const topology of topologies) {
            for (const [tls, secrets] of [
                [undefined, SECRETS],
                [{ requireClientCertificates: true }, TLS_SECRETS],
            ] as const) {
                const antiAffinity = tls ? "required" : "preferred";
                const p = plan(1, {
                    topology,
                    tls,
                    dns,
                    antiAffinity,
                    allowAllEgress: topologyRoles({ ...plan(1), topology }).pods % 2 === 0,
                });
                const wiring = { namespace: NAMESPACE, serviceName: "cache-headless", configSha256: "0", secrets };
                const { headless, client, sentinel } = planServices(p, NAMESPACE);
                const optional = (apiVersion: string, kind: string, object: unknown): Array<[string, string, unknown]> =>
                    object === undefined ? [] : [[apiVersion, kind, object]];
                const objects: Array<[string, string, unknown]> = [
                    ["apps/v1", "StatefulSet", planStatefulSet(p, wiring)],
                    ["v1", "Service", headless],
                    ["v1", "Service", client],
                    ["networking.k8s.io/v1", "NetworkPolicy", planNetworkPolicy(p, NAMESPACE)],
                    ...optional("policy/v1", "PodDisruptionBudget", planDisruptionBudget(p, NAMESPACE)),
                    ...optional("apps/v1", "StatefulSet", planSentinelStatefulSet(p, wiring)),
                    ...optional("v1", "Service", sentinel),
                    ...optional("networking.k8s.io/v1", "NetworkPolicy", planSentinelNetworkPolicy(p, NAMESPACE)),
                    ...optional("policy/v1", "PodDisruptionBudget", planSentinelDisruptionBudget(p, NAMESPACE)),
                ];
                const what = JSON.stringify(topology);
                expect(objects.length, what).toBe(topology.kind === "sentinel" ? 9 : topology.kind === "replicated" ? 5 : 4);
                for (const [apiVersion, kind, object] of objects) {
                    expect(schemaErrors({ apiVersion, kind, ...(object as object) }), `${kind} of ${what}`).toEqual([]);
                }
                expect(restrictedViolations(planPodSpec(p, secrets) as never), `pod of ${what}`).toEqual([]);
                const sentinelPod = planSentinelPodSpec(p, secrets);
                if (sentinelPod) expect(restrictedViolations(sentinelPod as never), `Sentinel pod of ${what}`).toEqual([]);
            }
        }
    });
});

describe("the Sentinel topology", () => {
    const p = plan(1, { topology: kubernetesTopology(3, SENTINEL) });
    const wiring = { namespace: NAMESPACE, serviceName: "cache-sentinel", configSha256: "0", secrets: SECRETS };
    type Spec = {
        replicas: number;
        selector: { matchLabels: Labels };
        template: { metadata: { labels: Labels }; spec: Record<string, unknown> & { containers: Array<Record<string, unknown>> } };
    };
    const sentinelSet = () => planSentinelStatefulSet(p, wiring) as unknown as { metadata: { name: string }; spec: Spec };
    const sentinelPodLabels = (i: number) => ({
        ...sentinelSet().spec.template.metadata.labels,
        "statefulset.kubernetes.io/pod-name": `cache-sentinel-${i}`,
    });

    it("plans a StatefulSet of its own for the Sentinels, none for the other topologies", () => {
        expect(sentinelSet().metadata.name).toBe("cache-sentinel");
        expect(sentinelSet().spec.replicas).toBe(3);
        for (const replicas of [1, 2, 5]) expect(planSentinelStatefulSet(plan(replicas), wiring)).toBeUndefined();
        expect(planServices(plan(3), NAMESPACE).sentinel).toBeUndefined();
        expect(planSentinelNetworkPolicy(plan(3), NAMESPACE)).toBeUndefined();
        expect(planSentinelDisruptionBudget(plan(3), NAMESPACE)).toBeUndefined();
    });

    it("keeps Redis and Sentinel pods apart: no Redis selector picks a Sentinel pod, and no Sentinel selector a Redis pod", () => {
        const redisSelectors = [
            (planStatefulSet(p, wiring).spec as unknown as Spec).selector.matchLabels,
            networkPolicy(p).podSelector.matchLabels,
            services(p).headless.spec.selector as Labels,
        ];
        for (const selector of redisSelectors) for (let i = 0; i < 3; i++) expect(selects(selector, sentinelPodLabels(i))).toBe(false);
        for (let i = 0; i < 3; i++) expect(selects(sentinelSet().spec.selector.matchLabels, podLabels(p, i))).toBe(false);
        expect([0, 1, 2].every((i) => selects(sentinelSet().spec.selector.matchLabels, sentinelPodLabels(i)))).toBe(true);
    });

    it("fronts the Sentinels with the client Service (no Service can follow a promotion) and names each through a headless one", () => {
        const { client, sentinel } = planServices(p, NAMESPACE) as unknown as Record<
            string,
            { metadata: { name: string }; spec: Record<string, unknown> }
        >;
        expect(client.spec.ports).toEqual([{ name: "sentinel", port: 26379, targetPort: "sentinel", protocol: "TCP" }]);
        expect([0, 1, 2].every((i) => selects(client.spec.selector as Labels, sentinelPodLabels(i)))).toBe(true);
        expect(selectedPods(p, client.spec.selector as Labels)).toEqual([]);
        expect(sentinel.metadata.name).toBe("cache-sentinel");
        expect(sentinel.spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
        expect(topologyRoles(p).clientService.port).toBe(26379);
    });

    it("starts Redis pods announcing their own DNS names, and Sentinels from the rendered file through the start script", () => {
        const redis = container(p) as unknown as { command: string[]; env: unknown };
        expect(redis.command[2]).toContain('--replica-announce-ip "${HOSTNAME}.cache-headless.${POD_NAMESPACE}.svc"');
        expect(redis.env).toEqual([{ name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }]);
        const sentinel = sentinelSet().spec.template.spec.containers[0];
        expect(sentinel.command).toEqual(
            sentinelCommand("redis", {
                renderedFile: "/usr/local/etc/redis/sentinel.conf",
                dataDir: "/data",
                masterName: "cache",
                announceHost: "${HOSTNAME}.cache-sentinel.${POD_NAMESPACE}.svc",
            }),
        );
        expect(sentinel.env).toEqual(redis.env);
        expect(replicaOf(p, NAMESPACE)).toEqual({ host: "cache-0.cache-headless.apps.svc", port: 6379 });
        // Sentinel pods are names in the certificate too.
        expect(kubernetesDnsNames(p, NAMESPACE)).toEqual(
            expect.arrayContaining(["cache-sentinel-2.cache-sentinel.apps.svc", "cache-sentinel-0.cache-sentinel.apps.svc.cluster.local"]),
        );
    });

    it("prefers a node of its own for each Redis pod and each Sentinel, without refusing to schedule on fewer nodes", () => {
        const affinity = (spec: Record<string, unknown>) =>
            (
                spec.affinity as {
                    podAntiAffinity: Record<
                        string,
                        Array<{ podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: Labels } } }>
                    >;
                }
            ).podAntiAffinity;
        const redis = affinity(planPodSpec(p, SECRETS) as never);
        const sentinel = affinity(sentinelSet().spec.template.spec);
        for (const [rule, selector] of [
            [redis, (planStatefulSet(p, wiring).spec as unknown as Spec).selector.matchLabels],
            [sentinel, sentinelSet().spec.selector.matchLabels],
        ] as const) {
            expect(Object.keys(rule)).toEqual(["preferredDuringSchedulingIgnoredDuringExecution"]);
            expect(rule.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm).toEqual({
                topologyKey: "kubernetes.io/hostname",
                labelSelector: { matchLabels: selector },
            });
        }
        expect(planPodSpec(plan(1), SECRETS).affinity).toBeUndefined();
    });

    it("with antiAffinity required, requires a node of its own for each Redis pod and each Sentinel (nothing preferred)", () => {
        const required = plan(1, { topology: kubernetesTopology(3, SENTINEL), antiAffinity: "required" });
        const redis = planPodSpec(required, SECRETS).affinity;
        const sentinel = planSentinelPodSpec(required, SECRETS)?.affinity;
        for (const [affinity, selector] of [
            [redis, (planStatefulSet(required, wiring).spec as unknown as Spec).selector.matchLabels],
            [sentinel, (planSentinelStatefulSet(required, wiring) as unknown as { spec: Spec }).spec.selector.matchLabels],
        ] as const) {
            expect(affinity).toEqual({
                podAntiAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: [
                        { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } },
                    ],
                },
            });
        }
        // The lone pod of a standalone plan has no one to keep off.
        expect(planPodSpec(plan(1, { antiAffinity: "required" }), SECRETS).affinity).toBeUndefined();
        for (const replicas of [2, 16]) {
            expect(planPodSpec(plan(replicas, { antiAffinity: "required" }), SECRETS).affinity).toHaveProperty(
                "podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution",
            );
        }
    });

    it("admits Sentinels to the Redis port, and only clients and Sentinels to the Sentinel port; Redis never dials a Sentinel", () => {
        const redis = networkPolicy(p);
        const sentinelPeer = { podSelector: { matchLabels: sentinelSet().spec.selector.matchLabels } };
        expect(redis.ingress[0].from).toContainEqual(sentinelPeer);
        expect(redis.egress.flatMap((rule) => rule.to ?? [])).not.toContainEqual(sentinelPeer);
        const policy = (
            planSentinelNetworkPolicy(p, NAMESPACE) as unknown as {
                spec: { podSelector: { matchLabels: Labels }; ingress: IngressRule[]; egress: EgressRule[] };
            }
        ).spec;
        expect(policy.podSelector.matchLabels).toEqual(sentinelSet().spec.selector.matchLabels);
        expect(policy.ingress).toEqual([
            {
                from: [{ podSelector: { matchLabels: { "cache-client": "true" } } }, sentinelPeer],
                ports: [{ protocol: "TCP", port: 26379 }],
            },
        ]);
        const redisPeer = { podSelector: { matchLabels: networkPolicy(p).podSelector.matchLabels } };
        expect(policy.egress.slice(1)).toEqual([
            { to: [redisPeer], ports: [{ protocol: "TCP", port: 6379 }] },
            { to: [sentinelPeer], ports: [{ protocol: "TCP", port: 26379 }] },
        ]);
        expect(policy.egress[0].ports?.map((port) => port.port)).toEqual([53, 53]);
    });

    it("keeps the Redis data claims when pods go, and deletes the Sentinels' (only learnt state, stale once they are gone)", () => {
        const retention = (set: unknown) =>
            (set as { spec: { persistentVolumeClaimRetentionPolicy: unknown } }).spec.persistentVolumeClaimRetentionPolicy;
        expect(retention(planStatefulSet(p, wiring))).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
        expect(retention(planSentinelStatefulSet(p, wiring))).toEqual({ whenDeleted: "Delete", whenScaled: "Delete" });
    });

    it("never lets a drain take the Sentinels below the quorum a failover needs, and lets it take one", () => {
        for (const [sentinels, quorum] of [
            [3, 2],
            [5, 3],
            [5, 4],
            [7, 5],
        ]) {
            const q = plan(1, { topology: kubernetesTopology(2, { ...SENTINEL, sentinels, quorum }) });
            const budget = planSentinelDisruptionBudget(q, NAMESPACE) as unknown as {
                spec: { minAvailable: number; selector: { matchLabels: Labels } };
            };
            expect(budget.spec.minAvailable).toBe(quorum);
            expect(budget.spec.minAvailable).toBeGreaterThan(sentinels / 2);
            // A quorum of every Sentinel is refused with the arguments (requireDrainableSentinels).
            expect(budget.spec.minAvailable).toBeLessThan(sentinels);
        }
    });
});
