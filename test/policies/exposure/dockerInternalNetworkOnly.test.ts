import { describe, expect, it } from "vitest";
import { dockerInternalNetworkOnly } from "../../../policies/exposure/dockerInternalNetworkOnly";
import { evaluate } from "../../../harness/policy/inProcess";
import { redisContainer } from "../../../harness/policy/fixtures";
import { dockerInternalNetworkOnlyCase } from "./dockerInternalNetworkOnly.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerInternalNetworkOnlyCase);

describe("redis-docker-internal-network-only specifics", () => {
    it("reports against the container's URN in stack policies", async () => {
        const outcome = await evaluate(dockerInternalNetworkOnly, [redisContainer({ networksAdvanced: [{ name: "bridge" }] })]);
        expect(outcome.urns).toEqual(["urn:pulumi:test::redis-guard-test::docker:index/container:Container::cache"]);
    });
});
