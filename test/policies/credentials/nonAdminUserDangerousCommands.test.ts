import { describe, expect, it } from "vitest";
import { nonAdminUserDangerousCommands } from "../../../policies/credentials/nonAdminUserDangerousCommands";
import { evaluate } from "../../../harness/policy/inProcess";
import { hardenedConf, redisContainer, SECRET } from "../../../harness/policy/fixtures";
import { aclUserLine, METRICS_RULES, METRICS_USER } from "../../../redis/acl/users";
import { nonAdminUserDangerousCommandsCase } from "./nonAdminUserDangerousCommands.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(nonAdminUserDangerousCommandsCase);

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
