// Reading resource properties at preview: computed values (an image ID, a generated
// password) are unknown, and @pulumi/policy's proxy throws on touching one. A policy
// must then neither crash nor report a violation it cannot prove.

// @pulumi/policy ships this module without its declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

/** Marks a value that is not known until the deployment runs. */
export const UNKNOWN: unique symbol = Symbol("unknown at preview");
export type Known<T> = T | typeof UNKNOWN;

/** The value `read` returns, or {@link UNKNOWN} when it touches a value only known after deployment. */
export function known<T>(read: () => T): Known<T> {
    try {
        return read();
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

/** The elements of a list that are known, each read on its own so one unknown element does not hide the rest. */
export function knownItems<T>(read: () => T[] | undefined): { items: T[]; complete: boolean } {
    const list = known(read);
    if (list === UNKNOWN) return { items: [], complete: false };
    if (!Array.isArray(list)) return { items: [], complete: true };
    const items: T[] = [];
    let complete = true;
    for (let i = 0; i < list.length; i++) {
        const item = known(() => list[i]);
        if (item === UNKNOWN) complete = false;
        else items.push(item);
    }
    return { items, complete };
}

/** A string property, or undefined when absent or unknown. */
export function knownString(read: () => unknown): string | undefined {
    const value = known(read);
    return typeof value === "string" ? value : undefined;
}

/**
 * A string map (labels, a selector's matchLabels) with each value read on its own: UNKNOWN for
 * the whole when the map itself is unknown, else the map with UNKNOWN standing in for each value
 * that is. Spreading the proxy instead would touch every unknown value at once.
 */
export function knownLabels(read: () => unknown): Known<Record<string, Known<string>> | undefined> {
    const map = known(read);
    if (map === UNKNOWN) return UNKNOWN;
    if (map === null || typeof map !== "object") return undefined;
    const labels: Record<string, Known<string>> = {};
    for (const key of Object.keys(map)) {
        const value = known(() => (map as Record<string, unknown>)[key]);
        if (value === UNKNOWN || typeof value === "string") labels[key] = value;
    }
    return labels;
}
