import { describe, expect, it } from "vitest";
import { imagePinned } from "../../../policies/container/imagePinned";
import { evaluate } from "../../../harness/policy/inProcess";
import { plainRedisContainer } from "../../../harness/policy/fixtures";
import { imagePinnedCase } from "./imagePinned.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(imagePinnedCase);

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
