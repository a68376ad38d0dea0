import { describe, expect, it } from "vitest";
import { evaluate } from "../../harness/policy/inProcess";
import { stackVariants, valuePaths, withValueAt, ABSENT } from "../../harness/policy/variants";
import { UNKNOWN } from "../../harness/policy/inProcess";
import { cases } from "./cases";

describe("the variants the fuzz runs", () => {
    it("reach every value, nested ones too, and change exactly one", () => {
        const props = { a: 1, b: { c: [10, { d: "x" }] } };
        expect(valuePaths(props)).toEqual([["a"], ["b"], ["b", "c"], ["b", "c", 0], ["b", "c", 1], ["b", "c", 1, "d"]]);
        expect(withValueAt(props, ["b", "c", 1, "d"], UNKNOWN)).toEqual({ a: 1, b: { c: [10, { d: UNKNOWN }] } });
        expect(withValueAt(props, ["b", "c", 0], ABSENT)).toEqual({ a: 1, b: { c: [{ d: "x" }] } });
        expect(withValueAt(props, ["b"], ABSENT)).toEqual({ a: 1 });
        expect(props).toEqual({ a: 1, b: { c: [10, { d: "x" }] } });
        const stack = [{ type: "t", name: "r", props }];
        expect([...stackVariants(stack)]).toHaveLength(2 * 6);
    });

    it("sample one value in `every`, both ways, and cover every value over `every` offsets", () => {
        const stack = [{ type: "t", name: "r", props: { a: 1, b: { c: [10, { d: "x" }] } } }];
        const labels = (offset: number) => [...stackVariants(stack, { every: 3, offset })].map((v) => `${v.label} ${v.kind}`);
        expect(labels(1)).toEqual(["r.b.c unknown", "r.b.c absent", "r.b.c.1.d unknown", "r.b.c.1.d absent"]);
        const all = [...stackVariants(stack)].map((v) => `${v.label} ${v.kind}`);
        expect([0, 1, 2].flatMap(labels).sort()).toEqual(all.sort());
    });
});

// What a preview (values unknown) and an audit of deployed state (values absent) may hand a
// policy: every case's stack with one value changed at a time. A policy must not throw, must not
// touch an unknown it did not guard (the server would turn that into an advisory "can't run policy"
// note on every preview), and must not report a resource it did not already report with every
// value known: a policy that cannot tell stays silent. An absent value is a real value, and may be
// reported.
describe.each(cases)("$policy.name with each value of its cases unknown or absent in turn", ({ policy, violating, compliant, unknown }) => {
    it("neither throws, nor lets an unknown escape, nor reports what it cannot prove", async () => {
        const failures: string[] = [];
        let runs = 0;
        for (const [name, stack] of [...violating, ...compliant, ...unknown]) {
            const base = await evaluate(policy, stack);
            if (base.skippedForUnknown) failures.push(`${name}: lets an unknown escape: ${base.skippedForUnknown}`);
            const reported = new Set(base.urns);
            for (const variant of stackVariants(stack)) {
                runs++;
                const at = `${name}, ${variant.label} ${variant.kind}`;
                const outcome = await evaluate(policy, variant.resources).catch((e: Error) => e);
                if (outcome instanceof Error) {
                    failures.push(`${at}: throws ${outcome.message}`);
                    continue;
                }
                if (outcome.skippedForUnknown) failures.push(`${at}: lets an unknown escape`);
                const unproven = outcome.violations.filter((_, i) => !reported.has(outcome.urns[i]));
                if (variant.kind === "unknown" && unproven.length > 0) failures.push(`${at}: reports ${unproven.join(" / ")}`);
            }
        }
        expect(runs).toBeGreaterThan(50);
        expect(failures).toEqual([]);
    }, 120_000);
});
