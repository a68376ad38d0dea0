import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policies } from "../../policies/rules";
import { cases } from "./cases";

/** The folders policies are grouped in, by what they guard. */
const GROUPS = ["exposure", "credentials", "container", "operations"];

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

    it("has, for each policy file policies/<group>/<policy>.ts, test/policies/<group>/<policy>.test.ts and .cases.ts", () => {
        const POLICIES = join(__dirname, "..", "..", "policies");
        const mirrored = (dir: string, suffix: string) =>
            readdirSync(dir, { recursive: true, encoding: "utf8" })
                .filter((f) => f.endsWith(suffix) && f.includes("/"))
                .map((f) => f.slice(0, -suffix.length))
                .sort();
        const policyFiles = GROUPS.flatMap((group) =>
            readdirSync(join(POLICIES, group)).map((f) => `${group}/${f.replace(/\.ts$/, "")}`),
        ).sort();
        expect(policyFiles).toHaveLength(policies.length);
        expect(mirrored(__dirname, ".test.ts")).toEqual(policyFiles);
        expect(mirrored(__dirname, ".cases.ts")).toEqual(policyFiles);
    });
});
