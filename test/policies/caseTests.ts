// The tests every policy's case gets, from its own test file (test/policies/<group>/<policy>.test.ts):
// each violating setup reported without quoting a secret, each compliant one passed, the first
// violating one exempted by name and by tag, and each unknown one neither crashing, nor letting the
// unknown escape, nor reporting.
import { describe, expect, it } from "vitest";
import { evaluate, type TestResource } from "../../harness/policy/inProcess";
import { SECRET } from "../../harness/policy/fixtures";
import type { PolicyCase } from "./cases";

export function policyCaseTests({ policy, violating, compliant, unknown }: PolicyCase): void {
    describe(policy.name, () => {
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
}

/** The resource with one more label or tag, where its kind keeps them. */
function tagged(r: TestResource, key: string, value: string): TestResource {
    const props = r.props as { labels?: unknown[]; metadata?: { labels?: Record<string, string> }; tags?: Record<string, string> };
    if (r.type.startsWith("docker:")) return { ...r, props: { ...props, labels: [...(props.labels ?? []), { label: key, value }] } };
    if (r.type.startsWith("kubernetes:"))
        return { ...r, props: { ...props, metadata: { ...props.metadata, labels: { ...props.metadata?.labels, [key]: value } } } };
    return { ...r, props: { ...props, tags: { ...props.tags, [key]: value } } };
}
