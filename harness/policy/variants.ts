// The stacks a policy must survive at preview and in audits: a fixture stack with one of its
// values unknown (the engine's placeholder for a computed value) or absent (an audit of the last
// deployed state may lack what a preview would show as unknown). Generated from the fixtures, so
// a property a policy starts reading is covered the day a fixture holds it.
import { UNKNOWN, type TestResource } from "./inProcess";

type Path = Array<string | number>;

export interface StackVariant {
    /** `resource.path.to.value`, as a reader would look it up. */
    label: string;
    kind: "unknown" | "absent";
    resources: TestResource[];
}

/** Every value below `value` (objects' properties and arrays' elements, at any depth), parents first. */
export function valuePaths(value: unknown, at: Path = []): Path[] {
    if (value === null || typeof value !== "object") return [];
    const entries: Array<[string | number, unknown]> = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return entries.flatMap(([key, v]) => [[...at, key], ...valuePaths(v, [...at, key])]);
}

/** A deep copy of `value` with the value at `path` replaced (or, with `absent`, removed: a property deleted, an element cut out). */
export function withValueAt(value: unknown, path: Path, replacement: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(value)) as Record<string | number, unknown>;
    let parent: Record<string | number, unknown> = copy;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (replacement !== ABSENT) parent[last] = replacement;
    else if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
    return copy;
}

/** Marks removal for {@link withValueAt}. */
export const ABSENT: unique symbol = Symbol("absent");

/**
 * Which values a fuzz changes: all of them (`every: 1`), or every `every`-th value starting at
 * `offset`. A sample changes each chosen value both ways (unknown, then absent).
 */
export interface Sample {
    every: number;
    offset: number;
}

/**
 * How densely the fuzz over the pack's gRPC server samples: every value under
 * `npm run test:exhaustive` (HARDENED_REDIS_EXHAUSTIVE=1), one value in eight otherwise. The
 * in-process fuzz (test/policies/unknowns.test.ts) changes every value of every case through each
 * policy on every run; over the wire a sample is enough to prove what the wire adds (the engine's
 * encoding of unknowns and absent values, the server's own handling of a policy that touched one).
 */
export const WIRE_SAMPLE_EVERY = process.env.HARDENED_REDIS_EXHAUSTIVE === "1" ? 1 : 8;

/** Every variant of a stack with exactly one value (of one resource's properties) unknown, then each with it absent. */
export function* stackVariants(stack: TestResource[], sample: Sample = { every: 1, offset: 0 }): Generator<StackVariant> {
    let value = 0;
    for (let r = 0; r < stack.length; r++) {
        for (const path of valuePaths(stack[r].props)) {
            if ((value++ + sample.offset) % sample.every !== 0) continue;
            const label = [stack[r].name, ...path].join(".");
            for (const kind of ["unknown", "absent"] as const) {
                const props = withValueAt(stack[r].props, path, kind === "unknown" ? UNKNOWN : ABSENT) as Record<string, unknown>;
                yield { label, kind, resources: stack.map((res, i) => (i === r ? { ...res, props } : res)) };
            }
        }
    }
}
