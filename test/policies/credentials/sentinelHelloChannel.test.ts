import { describe, expect, it } from "vitest";
import { sentinelHelloChannel } from "../../../policies/credentials/sentinelHelloChannel";
import { evaluate } from "../../../harness/policy/inProcess";
import { redisContainer, sentinelConf, sentinelTopology, watchedConf } from "../../../harness/policy/fixtures";
import { sentinelHelloChannelCase } from "./sentinelHelloChannel.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(sentinelHelloChannelCase);

describe("redis-sentinel-hello-channel specifics", () => {
    // hardened-redis's own Sentinel topology: the Sentinel's config read through its start script.
    const topology = (conf: string) => [...sentinelTopology(conf), { ...redisContainer({}, watchedConf), name: "cache-0" }];

    it("passes hardened-redis's Sentinels, whose users reach the hello channel only as the sentinel user", async () => {
        expect((await evaluate(sentinelHelloChannel, topology(sentinelConf()))).violations).toEqual([]);
    });

    it("reports a Sentinel whose app user may publish on every channel: a Sentinel takes hellos published to it directly", async () => {
        const widened = sentinelConf().replace(/^(user app .*) &\+\* &-\*$/m, "$1 +publish &*");
        expect(widened).not.toBe(sentinelConf());
        const outcome = await evaluate(sentinelHelloChannel, topology(widened));
        expect(outcome.violations).toEqual([expect.stringMatching(/^Sentinel has ACL user\(s\) app that reach __sentinel__:hello/)]);
    });

    it("accepts the users named in adminUsers, and only them", async () => {
        const ops = topology(sentinelConf()).map((r) =>
            r.name === "cache-0"
                ? { ...redisContainer({}, `${watchedConf}\nuser ops on #${"d".repeat(64)} ~* &* +@all\n`), name: "cache-0" }
                : r,
        );
        expect((await evaluate(sentinelHelloChannel, ops)).violations).toHaveLength(1);
        expect((await evaluate(sentinelHelloChannel, ops, { adminUsers: ["admin", "ops"] })).violations).toEqual([]);
    });
});
