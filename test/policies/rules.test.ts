import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../../policies/rules";
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

    it("has one test file per policy, running its case", () => {
        const files = readdirSync(join(__dirname, "rules")).sort();
        const cased = readdirSync(join(__dirname, "cases")).filter((f) => f !== "index.ts" && f !== "shared.ts");
        expect(files).toEqual(cased.map((f) => f.replace(/\.ts$/, ".test.ts")).sort());
        expect(files).toHaveLength(policies.length);
    });
});
