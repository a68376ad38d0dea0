import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { renderPolicyDocs } from "../../policies/engine/docs";
import { docsUrl } from "../../policies/engine/metadata";
import { policies } from "../../policies/rules";

const README = join(__dirname, "../../policies/README.md");

/**
 * Policies no framework control honestly maps to, and why: they guard durability, cost or supply,
 * or the nearest control says something else (CIS Kubernetes 5.4.1 prefers Secrets as files and
 * argues against the secretKeyRef env vars redis-no-literal-password accepts; CIS Docker 5.28 asks
 * for the latest image, the opposite of pinning). Adding a policy means deciding which list it is in.
 */
const NO_FRAMEWORK = [
    "redis-no-literal-password",
    "redis-persistence",
    "redis-appendfsync-always",
    "redis-cache-noeviction",
    "redis-image-pinned",
];

describe("redis-guard's metadata, as Pulumi Cloud shows it with each result", () => {
    it.each(policies.map((p) => [p.name, p] as const))(
        "%s has a severity, tags, remediation steps, a docs URL and its control",
        (name, policy) => {
            expect(["low", "medium", "high", "critical"]).toContain(policy.severity);
            expect(policy.tags?.length).toBeGreaterThan(0);
            for (const tag of policy.tags ?? []) expect(tag).toMatch(/^[a-z][a-z0-9-]*$/);
            expect(policy.remediationSteps?.length).toBeGreaterThan(60);
            expect(policy.url).toBe(docsUrl(name));
            if (NO_FRAMEWORK.includes(name)) {
                expect(policy.framework).toBeUndefined();
            } else {
                const f = policy.framework;
                expect(f?.name).toMatch(/^(CIS Docker Benchmark|CIS Kubernetes Benchmark|Redis security)$/);
                expect(f?.version).toBeTruthy();
                // A control ID (5.3.2) for CIS; a section heading for Redis's guidance.
                expect(f?.reference).toMatch(f?.name.startsWith("CIS") ? /^\d+(\.\d+)+$/ : /^[A-Z]/);
                expect(f?.specification.length).toBeGreaterThan(10);
            }
            // Docker and Kubernetes controls for the matching platform only.
            if (policy.framework?.name === "CIS Docker Benchmark") expect(policy.tags).toContain("docker");
            if (policy.framework?.name === "CIS Kubernetes Benchmark") expect(policy.tags).toContain("kubernetes");
        },
    );

    it("links every policy to its own section of policies/README.md, which is written from the policies", async () => {
        const text = readFileSync(README, "utf8");
        for (const p of policies) expect(text).toContain(`\n### ${p.name}\n`);
        const options = await prettier.resolveConfig(README);
        const expected = await prettier.format(renderPolicyDocs(policies), { ...options, filepath: README });
        expect(text === expected, "policies/README.md is stale: run npm run docs:policies").toBe(true);
    });
});
