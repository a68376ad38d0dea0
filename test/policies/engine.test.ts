// The redis-guard pack as the Pulumi engine runs it: the compiled pack in its own process,
// spoken to over gRPC. Catches what unit tests of the policy functions cannot: the pack not
// starting, policies missing from it, config or enforcement levels lost in conversion, secrets
// and unknown values as they really arrive.
import { EnforcementLevel, PolicyType, type AnalyzeDiagnostic } from "@pulumi/pulumi/proto/analyzer_pb";
import Ajv from "ajv";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { policies } from "../../policies/rules";
import { buildPolicyPack, secret, startPolicyPack, UNKNOWN, urnOf, type RunningPolicyPack } from "../../harness/policy/engine";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const PUBLISHED_PORTS = "redis-docker-no-published-ports";
const INTERNAL_NETWORK = "redis-docker-internal-network-only";
const AUTH = "redis-requires-auth-and-hardening";

// Looks like a generated Redis password; it must never reach a diagnostic.
const PASSWORD = "hunter2-Zq8vK3pLx9Tm4WbR7nYc";

/** A Redis container as a hand-written program would declare it, published on every interface. */
function exposedRedis(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        name: "cache",
        image: "redis:7.2-alpine",
        command: ["redis-server", "--requirepass", PASSWORD],
        envs: secret([`REDIS_PASSWORD=${PASSWORD}`]),
        ports: [{ internal: 6379, external: 6379, ip: "0.0.0.0", protocol: "tcp" }],
        ...overrides,
    };
}

const byPolicy = (diagnostics: AnalyzeDiagnostic.AsObject[], policy: string) => diagnostics.filter((d) => d.policyname === policy);

describe("redis-guard served to the engine over gRPC", () => {
    let pack: RunningPolicyPack | undefined;
    let built: ReturnType<typeof buildPolicyPack> | undefined;
    const engine = (): RunningPolicyPack => {
        if (!pack) throw new Error("the policy pack did not start");
        return pack;
    };

    beforeAll(async () => {
        built = buildPolicyPack();
        pack = await startPolicyPack(built);
    });
    afterAll(async () => {
        await pack?.stop();
        built?.remove();
    });
    /** What a preview of a stack holding only this container reports: Analyze on it, then AnalyzeStack. */
    const preview = async (name: string, props: Record<string, unknown>): Promise<AnalyzeDiagnostic.AsObject[]> => [
        ...(await engine().analyze(CONTAINER, name, props)),
        ...(await engine().analyzeStack([{ type: CONTAINER, name, props }])),
    ];
    // Configuration is process-wide in the pack: each case starts from the pack's defaults.
    beforeEach(async () => {
        await engine().configure({});
    });

    it("identifies itself and declares every policy with its level and config schema", async () => {
        expect((await engine().getPluginInfo()).version).toMatch(/^\d+\.\d+\.\d+/);

        const info = await engine().getAnalyzerInfo();
        expect(info.getName()).toBe("redis-guard");
        expect(info.getVersion()).toBe("0.1.0");
        expect(info.getSupportsconfig()).toBe(true);

        const { RESOURCE, STACK } = { RESOURCE: PolicyType.POLICY_TYPE_RESOURCE, STACK: PolicyType.POLICY_TYPE_STACK };
        const { ADVISORY, MANDATORY } = EnforcementLevel;
        const declared = Object.fromEntries(info.getPoliciesList().map((p) => [p.getName(), [p.getPolicyType(), p.getEnforcementlevel()]]));
        expect(declared).toEqual({
            // Judged in the stack view (an image ID resolves to its name there); declared as a
            // resource policy because it also remediates, resource by resource.
            "redis-docker-no-published-ports": [RESOURCE, MANDATORY],
            "redis-docker-no-host-namespaces": [STACK, MANDATORY],
            "redis-docker-internal-network-only": [STACK, MANDATORY],
            "redis-docker-network-unseen": [STACK, ADVISORY],
            "redis-k8s-no-public-service": [RESOURCE, MANDATORY],
            "redis-k8s-no-ingress-route": [STACK, MANDATORY],
            "redis-k8s-no-host-network": [RESOURCE, MANDATORY],
            "redis-k8s-requires-network-policy": [STACK, MANDATORY],
            "redis-k8s-no-exposure-by-patch": [STACK, MANDATORY],
            "redis-requires-auth-and-hardening": [STACK, MANDATORY],
            "redis-no-literal-password": [STACK, MANDATORY],
            "redis-config-unseen": [STACK, ADVISORY],
            "redis-default-user-full-access": [STACK, ADVISORY],
            "redis-non-admin-user-dangerous-commands": [STACK, ADVISORY],
            "redis-sentinel-hello-channel": [STACK, MANDATORY],
            "redis-hello-channel-reach": [STACK, ADVISORY],
            "redis-tls-in-transit": [STACK, ADVISORY],
            "redis-docker-no-privileged-or-docker-socket": [STACK, MANDATORY],
            "redis-docker-container-hardening": [STACK, ADVISORY],
            "redis-k8s-pod-hardening": [RESOURCE, ADVISORY],
            "redis-persistence": [STACK, ADVISORY],
            "redis-appendfsync-always": [STACK, ADVISORY],
            "redis-cache-noeviction": [STACK, ADVISORY],
            "redis-image-pinned": [RESOURCE, ADVISORY],
            "redis-memory-limit": [STACK, ADVISORY],
        });

        for (const policy of info.getPoliciesList()) {
            const schema = policy.getConfigschema()?.getProperties()?.toJavaScript();
            expect(schema, policy.getName()).toMatchObject({ exemptResources: { type: "array", items: { type: "string" } } });
        }
        const ports = info.getPoliciesList().find((p) => p.getName() === PUBLISHED_PORTS);
        expect(ports?.getConfigschema()?.getProperties()?.toJavaScript()).toMatchObject({
            allowLoopback: { type: "boolean", default: false },
        });
        const users = info.getPoliciesList().find((p) => p.getName() === "redis-non-admin-user-dangerous-commands");
        expect(users?.getConfigschema()?.getProperties()?.toJavaScript()).toMatchObject({
            adminUsers: { type: "array", items: { type: "string" }, default: ["admin"] },
        });
    });

    it("declares every policy's metadata as the policies carry it, for Pulumi Cloud to show", async () => {
        const declared = new Map((await engine().getAnalyzerInfo()).getPoliciesList().map((p) => [p.getName(), p]));
        for (const policy of policies) {
            const info = declared.get(policy.name);
            const f = info?.getFramework();
            expect(
                {
                    tags: info?.getTagsList(),
                    remediationSteps: info?.getRemediationSteps(),
                    url: info?.getUrl(),
                    framework: f && {
                        name: f.getName(),
                        version: f.getVersion(),
                        reference: f.getReference(),
                        specification: f.getSpecification(),
                    },
                },
                policy.name,
            ).toEqual({ tags: policy.tags, remediationSteps: policy.remediationSteps, url: policy.url, framework: policy.framework });
        }
    });

    it("rejects a Redis container with published ports, without echoing its secrets", async () => {
        const diagnostics = await preview("cache", exposedRedis());

        const ports = byPolicy(diagnostics, PUBLISHED_PORTS);
        expect(ports).toHaveLength(1);
        expect(ports[0]).toMatchObject({
            policypackname: "redis-guard",
            policypackversion: "0.1.0",
            enforcementlevel: EnforcementLevel.MANDATORY,
        });
        expect(ports[0].message).toMatch(/publishes 1 port/);
        // The literal password in argv and env is itself a violation, reported without the value.
        expect(byPolicy(diagnostics, "redis-no-literal-password").length).toBeGreaterThan(0);
        for (const d of diagnostics) {
            expect(d.message).not.toContain(PASSWORD);
            expect(d.description).not.toContain(PASSWORD);
        }
    });

    it("says nothing about a container that is not Redis", async () => {
        const nginx = {
            name: "web",
            image: "nginx:1.27-alpine",
            ports: [{ internal: 80, external: 8080, ip: "0.0.0.0", protocol: "tcp" }],
        };
        expect(await preview("web", nginx)).toEqual([]);
    });

    it("reports at the enforcement level the policy config sets", async () => {
        await engine().configure({ [PUBLISHED_PORTS]: { enforcementLevel: "advisory" } });
        const ports = byPolicy(await preview("cache", exposedRedis()), PUBLISHED_PORTS);
        expect(ports).toHaveLength(1);
        expect(ports[0].enforcementlevel).toBe(EnforcementLevel.ADVISORY);

        await engine().configure({ [PUBLISHED_PORTS]: { enforcementLevel: "disabled" } });
        expect(byPolicy(await preview("cache", exposedRedis()), PUBLISHED_PORTS)).toEqual([]);
    });

    it("allows loopback-bound ports only when allowLoopback is set", async () => {
        const loopback = exposedRedis({ ports: [{ internal: 6379, external: 6379, ip: "127.0.0.1", protocol: "tcp" }] });
        expect(byPolicy(await preview("cache", loopback), PUBLISHED_PORTS)).toHaveLength(1);

        await engine().configure({ [PUBLISHED_PORTS]: { allowLoopback: true } });
        expect(byPolicy(await preview("cache", loopback), PUBLISHED_PORTS)).toEqual([]);
        // Loopback only: a port on every interface is still rejected, at the policy's own level.
        const mixed = exposedRedis({
            ports: [
                { internal: 6379, external: 6379, ip: "127.0.0.1" },
                { internal: 6379, external: 16379, ip: "0.0.0.0" },
            ],
        });
        const ports = byPolicy(await preview("cache", mixed), PUBLISHED_PORTS);
        expect(ports).toHaveLength(1);
        expect(ports[0].enforcementlevel).toBe(EnforcementLevel.MANDATORY);
    });

    it("skips resources listed in exemptResources, by name or URN", async () => {
        await engine().configure({ [PUBLISHED_PORTS]: { exemptResources: ["cache"] } });
        expect(byPolicy(await preview("cache", exposedRedis()), PUBLISHED_PORTS)).toEqual([]);
        expect(byPolicy(await preview("other-cache", exposedRedis()), PUBLISHED_PORTS)).toHaveLength(1);

        await engine().configure({ [PUBLISHED_PORTS]: { exemptResources: [urnOf(CONTAINER, "cache")] } });
        expect(byPolicy(await preview("cache", exposedRedis()), PUBLISHED_PORTS)).toEqual([]);
    });

    it("declares config schemas that policies/config.example.json satisfies and bad settings do not, as the CLI checks them", async () => {
        // The CLI validates a policy config file against the JSON schemas the pack declares before
        // it configures the pack: the same check here, with ajv on the schemas the running pack sends.
        const declared = new Map(
            (await engine().getAnalyzerInfo()).getPoliciesList().map((p) => [
                p.getName(),
                {
                    properties: p.getConfigschema()?.getProperties()?.toJavaScript() ?? {},
                    required: p.getConfigschema()?.getRequiredList() ?? [],
                },
            ]),
        );
        const ajv = new Ajv({ strict: false });
        const check = (policy: string, settings: Record<string, unknown>) => {
            const schema = declared.get(policy);
            if (!schema) throw new Error(`redis-guard has no policy named ${policy}`);
            const { enforcementLevel, ...properties } = settings;
            const levelOk =
                enforcementLevel === undefined || ["advisory", "mandatory", "remediate", "disabled"].includes(enforcementLevel as string);
            return levelOk && ajv.validate({ type: "object", properties: schema.properties, required: schema.required }, properties);
        };
        const example = JSON.parse(readFileSync(join(__dirname, "..", "..", "policies", "config.example.json"), "utf8")) as Record<
            string,
            Record<string, unknown>
        >;
        for (const [policy, settings] of Object.entries(example)) expect(check(policy, settings), policy).toBe(true);
        for (const policy of declared.keys()) {
            expect(check(policy, { exemptResources: ["cache"], exemptTags: { team: "payments" } }), policy).toBe(true);
            expect(check(policy, { exemptResources: "cache" }), policy).toBe(false);
            expect(check(policy, { exemptTags: ["team=payments"] }), policy).toBe(false);
            expect(check(policy, { exemptTags: { team: 7 } }), policy).toBe(false);
        }
        expect(check(PUBLISHED_PORTS, { allowLoopback: "yes" })).toBe(false);
        expect(check("redis-image-pinned", { requireDigest: 1 })).toBe(false);
        expect(check("redis-non-admin-user-dangerous-commands", { adminUsers: "admin" })).toBe(false);
    });

    it("exempts a resource by a label it carries, when the config names that label", async () => {
        const hardening = "redis-docker-container-hardening";
        const root = (labels: unknown[]) => ({ ...exposedRedis({ ports: [] }), user: "0:0", labels });
        expect(byPolicy(await preview("cache", root([{ label: "redis-guard/exempt", value: "legacy-cache" }])), hardening)).not.toEqual([]);
        await engine().configure({ [hardening]: { exemptTags: { "redis-guard/exempt": "legacy-cache" } } });
        expect(byPolicy(await preview("cache", root([{ label: "redis-guard/exempt", value: "legacy-cache" }])), hardening)).toEqual([]);
        expect(byPolicy(await preview("cache", root([{ label: "redis-guard/exempt", value: "other" }])), hardening)).not.toEqual([]);
        expect(byPolicy(await preview("cache", root([])), hardening)).not.toEqual([]);
    });

    it("applies policies/config.example.json as the engine would: a level raised, one lowered, a policy tuned", async () => {
        const example = JSON.parse(readFileSync(join(__dirname, "..", "..", "policies", "config.example.json"), "utf8")) as Record<
            string,
            Record<string, unknown>
        >;
        const pinned = (diagnostics: AnalyzeDiagnostic.AsObject[]) => byPolicy(diagnostics, "redis-image-pinned");
        const loopback = exposedRedis({ ports: [{ internal: 6379, external: 6379, ip: "127.0.0.1", protocol: "tcp" }] });
        const fsyncAlways = exposedRedis({ ports: [], command: ["redis-server", "--appendfsync", "always"] });
        // The pack's defaults: the tag-pinned image passes, the loopback port is refused, appendfsync always is advised against.
        expect(pinned(await preview("cache", loopback))).toEqual([]);
        expect(byPolicy(await preview("cache", loopback), PUBLISHED_PORTS)).toHaveLength(1);
        const stack = (props: Record<string, unknown>) => engine().analyzeStack([{ type: CONTAINER, name: "cache", props }]);
        expect(byPolicy(await stack(fsyncAlways), "redis-appendfsync-always")).toHaveLength(1);

        await engine().configure(example);
        // Raised, with requireDigest: a tag is not enough, and the preview fails.
        const raised = pinned(await preview("cache", loopback));
        expect(raised.map((d) => d.enforcementlevel)).toEqual([EnforcementLevel.MANDATORY]);
        // Tuned: loopback allowed. Lowered to disabled: nothing about appendfsync.
        expect(byPolicy(await preview("cache", loopback), PUBLISHED_PORTS)).toEqual([]);
        expect(byPolicy(await stack(fsyncAlways), "redis-appendfsync-always")).toEqual([]);
    });

    describe("remediation", () => {
        it("runs only at the remediate level", async () => {
            expect(await engine().remediate(CONTAINER, "cache", exposedRedis())).toEqual([]);
        });

        it("removes the published ports and keeps the rest of the container", async () => {
            await engine().configure({ [PUBLISHED_PORTS]: { enforcementLevel: "remediate" } });
            const remediations = await engine().remediate(CONTAINER, "cache", exposedRedis());
            expect(remediations.map((r) => r.policyName)).toEqual([PUBLISHED_PORTS]);
            expect(remediations[0].properties).toMatchObject({
                ports: [],
                publishAllPorts: false,
                image: "redis:7.2-alpine",
                name: "cache",
            });

            // Once remediated, the policy has nothing left to report.
            await engine().configure({});
            const fixed = remediations[0].properties ?? {};
            expect(byPolicy(await preview("cache", fixed), PUBLISHED_PORTS)).toEqual([]);
        });

        it("keeps secret inputs secret in the remediated properties", async () => {
            await engine().configure({ [PUBLISHED_PORTS]: { enforcementLevel: "remediate" } });
            const [remediation] = await engine().remediate(CONTAINER, "cache", exposedRedis());
            // The engine replaces the resource's inputs with these: a plain value here would be
            // stored and displayed unencrypted.
            expect(remediation?.properties?.envs).toEqual(secret([`REDIS_PASSWORD=${PASSWORD}`]));
        });

        it("turns a public Service in front of Redis into ClusterIP, and takes a Redis pod off the host network", async () => {
            const SERVICE = "kubernetes:core/v1:Service";
            const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";
            const exposed = {
                metadata: { name: "cache", namespace: "redis" },
                spec: {
                    type: "LoadBalancer",
                    selector: { app: "redis" },
                    ports: [{ port: 6379, nodePort: 30079 }],
                    externalIPs: ["203.0.113.7"],
                },
            };
            const onHost = {
                metadata: { name: "cache", namespace: "redis" },
                spec: {
                    serviceName: "cache",
                    template: {
                        metadata: { labels: { app: "redis" } },
                        spec: {
                            hostNetwork: true,
                            containers: [{ name: "redis", image: "redis:7-alpine", ports: [{ containerPort: 6379, hostPort: 6379 }] }],
                        },
                    },
                },
            };
            await engine().configure({
                "redis-k8s-no-public-service": { enforcementLevel: "remediate" },
                "redis-k8s-no-host-network": { enforcementLevel: "remediate" },
            });
            const [service] = await engine().remediate(SERVICE, "cache", exposed);
            expect(service).toMatchObject({
                policyName: "redis-k8s-no-public-service",
                properties: {
                    metadata: exposed.metadata,
                    spec: { type: "ClusterIP", selector: { app: "redis" }, ports: [{ port: 6379 }] },
                },
            });
            expect(service.properties?.spec).not.toHaveProperty("externalIPs");
            const [pod] = await engine().remediate(STATEFUL_SET, "cache", onHost);
            expect(pod.policyName).toBe("redis-k8s-no-host-network");
            expect(pod.properties).toMatchObject({
                spec: { template: { spec: { hostNetwork: false, containers: [{ ports: [{ containerPort: 6379 }] }] } } },
            });
            expect(JSON.stringify(pod.properties)).not.toContain("hostPort");
            // Once remediated, neither policy has anything left to report.
            await engine().configure({});
            expect(byPolicy(await engine().analyze(SERVICE, "cache", service.properties ?? {}), "redis-k8s-no-public-service")).toEqual([]);
            expect(byPolicy(await engine().analyze(STATEFUL_SET, "cache", pod.properties ?? {}), "redis-k8s-no-host-network")).toEqual([]);
        });

        it("leaves a container that is not Redis alone", async () => {
            await engine().configure({ [PUBLISHED_PORTS]: { enforcementLevel: "remediate" } });
            const nginx = { image: "nginx:1.27-alpine", ports: [{ internal: 80, external: 8080 }] };
            expect(await engine().remediate(CONTAINER, "web", nginx)).toEqual([]);
        });
    });

    describe("values unknown at preview", () => {
        it("neither fails nor guesses when ports and image are unknown", async () => {
            const container = { name: "cache", image: UNKNOWN, command: ["redis-server"], ports: UNKNOWN };
            const diagnostics = await preview("cache", container);
            expect(byPolicy(diagnostics, PUBLISHED_PORTS)).toEqual([]);
            expect(byPolicy(diagnostics, "redis-image-pinned")).toEqual([]);
            // Policies read through known(); none should fall back to "can't run during preview".
            expect(diagnostics.filter((d) => /during preview/.test(d.message))).toEqual([]);
        });

        it("still judges what is known next to an unknown", async () => {
            const container = exposedRedis({ image: UNKNOWN, ports: [UNKNOWN, { internal: 6379, external: 6379, ip: "0.0.0.0" }] });
            expect(byPolicy(await preview("cache", container), PUBLISHED_PORTS)).toHaveLength(1);
        });

        it("lets stack policies judge only what is known", async () => {
            const net = { type: NETWORK, name: "backend", props: { name: "backend", internal: UNKNOWN } };
            const cache = {
                type: CONTAINER,
                name: "cache",
                props: {
                    name: "cache",
                    image: UNKNOWN,
                    command: ["redis-server"],
                    ports: UNKNOWN,
                    networksAdvanced: [{ name: "backend" }],
                },
            };
            const elsewhere = {
                type: CONTAINER,
                name: "cache2",
                props: { name: "cache2", image: "redis:7.2-alpine", networksAdvanced: UNKNOWN, memory: UNKNOWN },
            };
            const diagnostics = await engine().analyzeStack([net, cache, elsewhere]);
            expect(byPolicy(diagnostics, INTERNAL_NETWORK)).toEqual([]);
            expect(diagnostics.filter((d) => /during preview/.test(d.message))).toEqual([]);
            // What is known still counts: a bare `redis-server` has no password whatever the unknowns.
            expect(byPolicy(diagnostics, AUTH).map((d) => d.urn)).toContain(urnOf(CONTAINER, "cache"));
        });

        it("knows a container from an image not pulled yet by its dependency on the image, as the engine sends it", async () => {
            const image = {
                type: "docker:index/remoteImage:RemoteImage",
                name: "redis-image",
                props: { name: "redis:7.2-alpine", imageId: UNKNOWN },
            };
            const container = { name: "cache", image: UNKNOWN, networkMode: "host", ports: [{ internal: 7000, external: 7000 }] };
            const stack = (propertyDependencies: Record<string, string[]>) =>
                engine().analyzeStack([image, { type: CONTAINER, name: "cache", props: container, propertyDependencies }]);
            const reported = await stack({ image: [urnOf(image.type, image.name)] });
            expect(byPolicy(reported, PUBLISHED_PORTS)).toHaveLength(1);
            expect(byPolicy(reported, "redis-docker-no-host-namespaces")).toHaveLength(1);
            // Without the dependency nothing says Redis.
            expect(byPolicy(await stack({}), PUBLISHED_PORTS)).toEqual([]);
        });

        it("remediates nothing it cannot see", async () => {
            await engine().configure({ [PUBLISHED_PORTS]: { enforcementLevel: "remediate" } });
            const container = { name: "cache", image: "redis:7.2-alpine", ports: UNKNOWN };
            expect(await engine().remediate(CONTAINER, "cache", container)).toEqual([]);
        });
    });

    it("flags latest Redis images, advisory by default", async () => {
        const diagnostics = byPolicy(await preview("cache", exposedRedis({ image: "redis:latest" })), "redis-image-pinned");
        expect(diagnostics).toHaveLength(1);
        expect(diagnostics[0].enforcementlevel).toBe(EnforcementLevel.ADVISORY);
        expect(byPolicy(await preview("cache", exposedRedis()), "redis-image-pinned")).toEqual([]);
    });

    it("flags Redis without TLS, advisory unless the pack config raises it, and passes TLS only", async () => {
        const TLS = "redis-tls-in-transit";
        const redis = (command: string[]) => ({
            type: CONTAINER,
            name: "cache",
            props: { name: "cache", image: "redis:7.2-alpine", command },
        });
        const plaintext = redis(["redis-server", "--requirepass", PASSWORD]);
        const advisory = byPolicy(await engine().analyzeStack([plaintext]), TLS);
        expect(advisory).toHaveLength(1);
        expect(advisory[0]).toMatchObject({ urn: urnOf(CONTAINER, "cache"), enforcementlevel: EnforcementLevel.ADVISORY });
        expect(advisory[0].message).not.toContain(PASSWORD);

        await engine().configure({ [TLS]: { enforcementLevel: "mandatory" } });
        expect(byPolicy(await engine().analyzeStack([plaintext]), TLS).map((d) => d.enforcementlevel)).toEqual([
            EnforcementLevel.MANDATORY,
        ]);
        const tlsOnly = redis("redis-server --port 0 --tls-port 6379 --tls-cert-file /tls/tls.crt --tls-key-file /tls/tls.key".split(" "));
        expect(byPolicy(await engine().analyzeStack([tlsOnly]), TLS)).toEqual([]);
    });

    describe("stack analysis", () => {
        const network = (name: string, internal: boolean) => ({ type: NETWORK, name, props: { name, internal, driver: "bridge" } });
        const redisOn = (networkName: string) => ({
            type: CONTAINER,
            name: "cache",
            props: { name: "cache", image: "redis:7.2-alpine", command: ["redis-server"], networksAdvanced: [{ name: networkName }] },
        });
        const cacheUrn = urnOf(CONTAINER, "cache");

        it("rejects Redis on a network that is not internal, naming the container", async () => {
            const nginx = {
                type: CONTAINER,
                name: "web",
                props: {
                    name: "web",
                    image: "nginx:1.27-alpine",
                    networksAdvanced: [{ name: "public" }],
                    ports: [{ internal: 80, external: 8080 }],
                },
            };
            const diagnostics = await engine().analyzeStack([network("public", false), redisOn("public"), nginx]);

            const internal = byPolicy(diagnostics, INTERNAL_NETWORK);
            expect(internal).toHaveLength(1);
            expect(internal[0]).toMatchObject({ urn: cacheUrn, enforcementlevel: EnforcementLevel.MANDATORY });
            // `redis-server` with no config and no --requirepass accepts anyone.
            expect(byPolicy(diagnostics, AUTH).map((d) => d.urn)).toContain(cacheUrn);
            expect(diagnostics.filter((d) => d.urn === urnOf(CONTAINER, "web"))).toEqual([]);
        });

        it("accepts Redis on an internal network", async () => {
            const diagnostics = await engine().analyzeStack([network("backend", true), redisOn("backend")]);
            expect(byPolicy(diagnostics, INTERNAL_NETWORK)).toEqual([]);
        });

        it("rejects Redis left on Docker's default bridge", async () => {
            const container = {
                type: CONTAINER,
                name: "cache",
                props: { name: "cache", image: "redis:7.2-alpine", command: ["redis-server"] },
            };
            expect(byPolicy(await engine().analyzeStack([container]), INTERNAL_NETWORK).map((d) => d.urn)).toEqual([cacheUrn]);
        });

        it("honours exemptResources and levels for stack policies too", async () => {
            await engine().configure({ [INTERNAL_NETWORK]: { exemptResources: ["cache"] }, [AUTH]: { enforcementLevel: "advisory" } });
            const diagnostics = await engine().analyzeStack([network("public", false), redisOn("public")]);
            expect(byPolicy(diagnostics, INTERNAL_NETWORK)).toEqual([]);
            expect(byPolicy(diagnostics, AUTH).length).toBeGreaterThan(0);
            expect(byPolicy(diagnostics, AUTH).every((d) => d.enforcementlevel === EnforcementLevel.ADVISORY)).toBe(true);
        });
    });
});
