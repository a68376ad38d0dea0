import { describe, expect, it } from "vitest";
import { dockerInternalNetworkOnly } from "../../policies/dockerInternalNetworkOnly";
import { dockerNoPublishedPorts } from "../../policies/dockerNoPublishedPorts";
import { k8sNoHostNetwork } from "../../policies/k8sNoHostNetwork";
import { k8sNoPublicService } from "../../policies/k8sNoPublicService";
import { imagePinned } from "../../policies/imagePinned";
import { nonAdminUserDangerousCommands } from "../../policies/nonAdminUserDangerousCommands";
import { policies } from "../../policies/rules";
import { evaluate, remediate, type TestResource } from "../../harness/policyHarness";
import { aclUserLine, METRICS_RULES, METRICS_USER } from "../../components/redisUsers";
import {
    hardenedConf,
    nginxContainer,
    plainRedisContainer,
    redisContainer,
    redisServicePorts,
    redisStatefulSet,
    SECRET,
    service,
} from "../../harness/policyFixtures";
import { cases } from "./cases";

describe("redis-guard", () => {
    it("has one test case per policy, and every policy a name, a description and a level", () => {
        expect(cases.map((c) => c.policy.name).sort()).toEqual(policies.map((p) => p.name).sort());
        for (const p of policies) {
            expect(p.name).toMatch(/^redis-[a-z0-9-]+$/);
            expect(p.description.length).toBeGreaterThan(40);
            expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
            expect(p.configSchema?.properties).toHaveProperty("exemptResources");
        }
    });
});

describe.each(cases)("$policy.name", ({ policy, violating, compliant, unknown }) => {
    it.each(violating)("reports %s", async (_label, resources) => {
        const outcome = await evaluate(policy, resources);
        expect(outcome.violations.length).toBeGreaterThan(0);
        for (const message of outcome.violations) expect(message).not.toContain(SECRET);
    });

    it.each(compliant)("passes %s", async (_label, resources) => {
        const outcome = await evaluate(policy, resources);
        expect(outcome.skippedForUnknown).toBeUndefined();
        expect(outcome.violations).toEqual([]);
    });

    it("honours exemptResources", async () => {
        const resources = violating[0][1];
        const outcome = await evaluate(policy, resources, { exemptResources: resources.map((r) => r.name) });
        expect(outcome.violations).toEqual([]);
    });

    it("honours exemptTags: a label or tag on the resource, key and value alike", async () => {
        const resources = violating[0][1];
        const config = { exemptTags: { "redis-guard/exempt": "approved-42" } };
        expect(
            (
                await evaluate(
                    policy,
                    resources.map((r) => tagged(r, "redis-guard/exempt", "approved-42")),
                    config,
                )
            ).violations,
        ).toEqual([]);
        // Another value, or the tag on nothing, exempts nothing.
        expect(
            (
                await evaluate(
                    policy,
                    resources.map((r) => tagged(r, "redis-guard/exempt", "other")),
                    config,
                )
            ).violations,
        ).not.toEqual([]);
        expect((await evaluate(policy, resources, config)).violations).not.toEqual([]);
    });

    it.each(unknown)("neither crashes, nor lets the unknown escape, nor reports on %s", async (_label, resources) => {
        const outcome = await evaluate(policy, resources);
        expect(outcome.skippedForUnknown).toBeUndefined();
        expect(outcome.violations).toEqual([]);
    });
});

/** The resource with one more label or tag, where its kind keeps them. */
function tagged(r: TestResource, key: string, value: string): TestResource {
    const props = r.props as { labels?: unknown[]; metadata?: { labels?: Record<string, string> }; tags?: Record<string, string> };
    if (r.type.startsWith("docker:")) return { ...r, props: { ...props, labels: [...(props.labels ?? []), { label: key, value }] } };
    if (r.type.startsWith("kubernetes:"))
        return { ...r, props: { ...props, metadata: { ...props.metadata, labels: { ...props.metadata?.labels, [key]: value } } } };
    return { ...r, props: { ...props, tags: { ...props.tags, [key]: value } } };
}

describe("redis-docker-no-published-ports specifics", () => {
    const loopback = redisContainer({ ports: [{ internal: 6379, external: 6379, ip: "127.0.0.1" }] });

    it("allows loopback-only ports when configured, and only those", async () => {
        expect((await evaluate(dockerNoPublishedPorts, [loopback])).violations).toHaveLength(1);
        expect((await evaluate(dockerNoPublishedPorts, [loopback], { allowLoopback: true })).violations).toEqual([]);
        const wildcard = redisContainer({ ports: [{ internal: 6379, external: 6379, ip: "0.0.0.0" }] });
        expect((await evaluate(dockerNoPublishedPorts, [wildcard], { allowLoopback: true })).violations).toHaveLength(1);
    });

    it("remediates by dropping the published ports and nothing else", async () => {
        const exposed = redisContainer({ ports: [{ internal: 6379, external: 6379 }], publishAllPorts: true });
        const fixed = await remediate(dockerNoPublishedPorts, exposed);
        expect(fixed).toMatchObject({ ports: [], publishAllPorts: false, user: "999:1000", readOnly: true });
        expect((await evaluate(dockerNoPublishedPorts, [{ ...exposed, props: fixed ?? {} }])).violations).toEqual([]);
        expect(await remediate(dockerNoPublishedPorts, redisContainer())).toBeUndefined();
        expect(await remediate(dockerNoPublishedPorts, nginxContainer)).toBeUndefined();
    });

    it("reports against the container's URN in stack policies", async () => {
        const outcome = await evaluate(dockerInternalNetworkOnly, [redisContainer({ networksAdvanced: [{ name: "bridge" }] })]);
        expect(outcome.urns).toEqual(["urn:pulumi:test::redis-guard-test::docker:index/container:Container::cache"]);
    });
});

describe("redis-non-admin-user-dangerous-commands specifics", () => {
    const ops = [redisContainer({}, `${hardenedConf}\nuser ops on #${"d".repeat(64)} ~* +@all\n`)];
    it("accepts a metrics user holding exactly what the exporter sends, and nothing more", async () => {
        const metricsLine = aclUserLine({ name: METRICS_USER, passwords: [SECRET], ...METRICS_RULES });
        const withMetrics = (line: string) => [redisContainer({}, `${hardenedConf}\n${line}\n`)];
        expect((await evaluate(nonAdminUserDangerousCommands, withMetrics(metricsLine))).violations).toEqual([]);
        // Whatever its name: the rules decide.
        expect(
            (await evaluate(nonAdminUserDangerousCommands, withMetrics(metricsLine.replace(" metrics ", " scraper ")))).violations,
        ).toEqual([]);
        for (const extra of ["+slowlog|reset", "+latency", "+slowlog", "~*", "+@read", "+config|get"])
            expect((await evaluate(nonAdminUserDangerousCommands, withMetrics(`${metricsLine} ${extra}`))).violations, extra).toHaveLength(
                1,
            );
    });
    it("accepts the users named in adminUsers, and only them", async () => {
        expect((await evaluate(nonAdminUserDangerousCommands, ops)).violations).toHaveLength(1);
        expect((await evaluate(nonAdminUserDangerousCommands, ops, { adminUsers: ["admin", "ops"] })).violations).toEqual([]);
        // Naming ops alone takes the admin user's exception away.
        expect((await evaluate(nonAdminUserDangerousCommands, ops, { adminUsers: ["ops"] })).violations).toHaveLength(1);
    });
});

describe("redis-image-pinned specifics", () => {
    it("can require a digest and a custom tag pattern", async () => {
        expect((await evaluate(imagePinned, [plainRedisContainer()], { requireDigest: true })).violations).toHaveLength(1);
        expect(
            (await evaluate(imagePinned, [plainRedisContainer({ image: "redis:7.0-alpine" })], { tagPattern: "^7\\.2" })).violations,
        ).toHaveLength(1);
        expect((await evaluate(imagePinned, [plainRedisContainer({ image: "redis:7.2.4" })], { tagPattern: "^7\\.2" })).violations).toEqual(
            [],
        );
    });
});

describe("redis-k8s-no-public-service remediation", () => {
    it("turns a LoadBalancer or NodePort in front of Redis into ClusterIP, dropping what only those may carry", async () => {
        const exposed = service({
            type: "LoadBalancer",
            selector: { app: "redis" },
            ports: [{ name: "redis", port: 6379, targetPort: "redis", nodePort: 30079 }],
            externalIPs: ["203.0.113.7"],
            loadBalancerSourceRanges: ["0.0.0.0/0"],
            externalTrafficPolicy: "Local",
        });
        const fixed = await remediate(k8sNoPublicService, exposed);
        expect(fixed).toEqual({
            metadata: { name: "cache", namespace: "redis" },
            spec: { type: "ClusterIP", selector: { app: "redis" }, ports: [{ name: "redis", port: 6379, targetPort: "redis" }] },
        });
        expect((await evaluate(k8sNoPublicService, [{ ...exposed, props: fixed ?? {} }])).violations).toEqual([]);
        const nodePort = await remediate(k8sNoPublicService, service({ type: "NodePort", ports: redisServicePorts }));
        expect(nodePort).toMatchObject({ spec: { type: "ClusterIP", ports: redisServicePorts } });
    });

    it("leaves an ExternalName (a DNS alias elsewhere), a compliant Service and a web LoadBalancer alone", async () => {
        expect(await remediate(k8sNoPublicService, service({ type: "ExternalName", selector: { app: "redis" } }))).toBeUndefined();
        expect(await remediate(k8sNoPublicService, service({ type: "ClusterIP", ports: redisServicePorts }))).toBeUndefined();
        const web = service({ type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 443, targetPort: 8443 }] }, "web");
        expect(await remediate(k8sNoPublicService, web)).toBeUndefined();
    });
});

describe("redis-k8s-no-host-network remediation", () => {
    it("takes the pod off the host network and drops hostPorts, keeping the rest of the workload", async () => {
        const exposed = redisStatefulSet({ hostNetwork: true }, { ports: [{ name: "redis", containerPort: 6379, hostPort: 6379 }] });
        const fixed = await remediate(k8sNoHostNetwork, exposed);
        // Exactly the same StatefulSet, off the host network and without the hostPort.
        expect(fixed).toEqual(redisStatefulSet({ hostNetwork: false }, { ports: [{ name: "redis", containerPort: 6379 }] }).props);
        expect((await evaluate(k8sNoHostNetwork, [{ ...exposed, props: fixed ?? {} }])).violations).toEqual([]);
    });

    it("leaves a compliant Redis and a web server on the host network alone", async () => {
        expect(await remediate(k8sNoHostNetwork, redisStatefulSet())).toBeUndefined();
        const web = {
            type: "kubernetes:apps/v1:Deployment",
            name: "web",
            props: { spec: { template: { spec: { hostNetwork: true, containers: [{ name: "nginx", image: "nginx:1.27" }] } } } },
        };
        expect(await remediate(k8sNoHostNetwork, web)).toBeUndefined();
    });
});
