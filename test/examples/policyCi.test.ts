import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..");

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, string | number>;
    "working-directory"?: string;
}

// The pull-request workflow in examples/policy-ci/: the pack and the config it names exist, on a Node that is not past end of life.
describe("examples/policy-ci", () => {
    const workflow = parse(readFileSync(join(ROOT, "examples/policy-ci/redis-guard-preview.yml"), "utf8")) as {
        on: Record<string, unknown>;
        jobs: Record<string, { steps: Step[] }>;
    };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

    it("previews every pull request with the redis-guard pack and its example config", () => {
        expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
        const preview = steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        expect(preview?.with).toMatchObject({
            command: "preview",
            policyPacks: "./policies",
            policyPackConfigs: "./policies/config.example.json",
        });
        for (const path of [preview?.with?.policyPacks, preview?.with?.policyPackConfigs])
            expect(existsSync(join(ROOT, String(path)))).toBe(true);
        // The pack installs its own dependencies before the preview loads it.
        expect(steps.some((s) => s.run === "npm install" && s["working-directory"] === "policies")).toBe(true);
    });

    it("sets up a Node version that is still supported (22 or later)", () => {
        const node = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        expect(Number(node?.with?.["node-version"])).toBeGreaterThanOrEqual(22);
    });
});
