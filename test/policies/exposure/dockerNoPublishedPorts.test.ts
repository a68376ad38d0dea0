import { describe, expect, it } from "vitest";
import { dockerNoPublishedPorts } from "../../../policies/exposure/dockerNoPublishedPorts";
import { evaluate, remediate } from "../../../harness/policy/inProcess";
import { nginxContainer, redisContainer } from "../../../harness/policy/fixtures";
import { dockerNoPublishedPortsCase } from "./dockerNoPublishedPorts.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerNoPublishedPortsCase);

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
});
