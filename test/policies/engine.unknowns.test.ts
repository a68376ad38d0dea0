// The unknown/absent fuzz again, over the wire: the built pack in its own process, spoken to over
// gRPC as the engine does, so what a preview or an audit would show is what is checked (the
// server's own "can't run policy during preview" note for an unknown a policy touched, its error
// for a policy that threw).
import type { AnalyzeDiagnostic } from "@pulumi/pulumi/proto/analyzer_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestResource } from "../../harness/policy/inProcess";
import { stackVariants, WIRE_SAMPLE_EVERY } from "../../harness/policy/variants";
import { buildPolicyPack, startPolicyPack, urnOf, type RunningPolicyPack } from "../../harness/policy/engine";
import { cases } from "./cases";

/** Every stack the cases hold, once. */
function distinctStacks(): Array<[string, TestResource[]]> {
    const seen = new Map<string, [string, TestResource[]]>();
    for (const c of cases) {
        for (const [name, stack] of [...c.violating, ...c.compliant, ...c.unknown]) {
            const key = JSON.stringify(stack);
            if (!seen.has(key)) seen.set(key, [`${c.policy.name}: ${name}`, stack]);
        }
    }
    return [...seen.values()];
}

const PREVIEW_NOTE = /can't run policy .* during preview/;

describe("redis-guard over gRPC, with values of every case's stack unknown or absent in turn (a sample; all under npm run test:exhaustive)", () => {
    let pack: RunningPolicyPack | undefined;
    let built: ReturnType<typeof buildPolicyPack> | undefined;
    beforeAll(async () => {
        built = buildPolicyPack();
        pack = await startPolicyPack(built);
        await pack.configure({});
    }, 120_000);
    afterAll(async () => {
        await pack?.stop();
        built?.remove();
    });

    /** What the pack reports on a stack, as `policy @ resource` findings, per resource (Analyze) and for the stack (AnalyzeStack). */
    const findings = async (
        stack: TestResource[],
        only?: number,
    ): Promise<{ keys: string[]; diagnostics: AnalyzeDiagnostic.AsObject[] }> => {
        if (!pack) throw new Error("the policy pack did not start");
        // As the engine sends them: JSON values only (a fixture's `undefined` is an absent property).
        stack = stack.map((r) => ({ ...r, props: JSON.parse(JSON.stringify(r.props)) as Record<string, unknown> }));
        const diagnostics: AnalyzeDiagnostic.AsObject[] = [];
        const keys: string[] = [];
        for (const [i, r] of stack.entries()) {
            if (only !== undefined && i !== only) continue;
            for (const d of await pack.analyze(r.type, r.name, r.props)) {
                diagnostics.push(d);
                keys.push(`${d.policyname} @ ${urnOf(r.type, r.name)}`);
            }
        }
        for (const d of await pack.analyzeStack(stack)) {
            diagnostics.push(d);
            keys.push(`${d.policyname} @ ${d.urn}`);
        }
        return { keys, diagnostics };
    };

    it("no policy throws, lets an unknown escape, or reports a resource it did not report with every value known", async () => {
        const failures: string[] = [];
        let runs = 0;
        const stacks = distinctStacks();
        for (const [s, [name, stack]] of stacks.entries()) {
            const base = await findings(stack);
            const reported = new Set(base.keys);
            for (const d of base.diagnostics) if (PREVIEW_NOTE.test(d.message)) failures.push(`${name}: ${d.message}`);
            // The sample's offset moves from stack to stack, so that over the cases every position is changed somewhere.
            for (const variant of stackVariants(stack, { every: WIRE_SAMPLE_EVERY, offset: s })) {
                runs++;
                const changed = variant.resources.findIndex((r, i) => r !== stack[i]);
                const at = `${name}, ${variant.label} ${variant.kind}`;
                const outcome = await findings(variant.resources, changed).catch((e: Error) => e);
                if (outcome instanceof Error) {
                    failures.push(`${at}: the pack failed: ${outcome.message.split("\n")[0]}`);
                    continue;
                }
                for (const d of outcome.diagnostics)
                    if (PREVIEW_NOTE.test(d.message)) failures.push(`${at}: ${d.policyname} let an unknown escape`);
                if (variant.kind === "unknown") {
                    // Resource findings of the unchanged resources are the base's; only the changed one is asked again.
                    const unproven = outcome.keys.filter((k) => !reported.has(k));
                    if (unproven.length > 0) failures.push(`${at}: reports ${unproven.join(", ")}`);
                }
            }
        }
        console.log(
            `engine.unknowns: ${runs} variants of ${stacks.length} stacks (one value in ${WIRE_SAMPLE_EVERY}), each through Analyze and AnalyzeStack`,
        );
        expect(runs).toBeGreaterThan(10_000 / WIRE_SAMPLE_EVERY);
        expect(failures).toEqual([]);
    }, 900_000);
});
