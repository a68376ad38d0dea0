import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { schemaErrors } from "../support/kubernetesSchema";
import { restrictedViolations } from "../support/podSecurity";
import {
    kubernetesDnsNames,
    kubernetesTopology,
    planDisruptionBudget,
    planNetworkPolicy,
    planPodSpec,
    planServices,
    planStatefulSet,
    replicaOf,
    topologyRoles,
    type KubernetesRedisPlan,
} from "../../components/kubernetesPlan";

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
const SECRETS = { config: "cache-config-1234" };
const TLS_SECRETS = { config: "cache-config-1234", tls: "cache-tls-5678" };

function plan(replicas: number, overrides: Partial<KubernetesRedisPlan> = {}): KubernetesRedisPlan {
    return {
        name: "cache",
        topology: kubernetesTopology(replicas),
        port: 6379,
        image: "redis:7-alpine",
        memoryLimitMb: 256,
        cpu: { request: "100m" },
        storage: { size: "1Gi" },
        clients: { label: { "cache-client": "true" } },
        allowAllEgress: false,
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
        for (let replicas = 1; replicas <= 16; replicas++) {
            for (const [tls, secrets] of [
                [undefined, SECRETS],
                [{ requireClientCertificates: true }, TLS_SECRETS],
            ] as const) {
                const p = plan(replicas, { tls, allowAllEgress: replicas % 2 === 0 });
                const statefulSet = planStatefulSet(p, { namespace: NAMESPACE, serviceName: "cache-headless", configSha256: "0", secrets });
                const { headless, client } = planServices(p, NAMESPACE);
                const budget = planDisruptionBudget(p, NAMESPACE);
                const objects: Array<[string, string, unknown]> = [
                    ["apps/v1", "StatefulSet", statefulSet],
                    ["v1", "Service", headless],
                    ["v1", "Service", client],
                    ["networking.k8s.io/v1", "NetworkPolicy", planNetworkPolicy(p, NAMESPACE)],
                    ...(budget ? [["policy/v1", "PodDisruptionBudget", budget] as [string, string, unknown]] : []),
                ];
                for (const [apiVersion, kind, object] of objects) {
                    expect(schemaErrors({ apiVersion, kind, ...(object as object) }), `${kind} of ${replicas} pods`).toEqual([]);
                }
                expect(restrictedViolations(planPodSpec(p, secrets) as never), `pod of ${replicas}`).toEqual([]);
            }
        }
    });
});
