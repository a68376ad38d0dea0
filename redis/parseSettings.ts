import type { z } from "zod";
import { RedisConfigError } from "./redisConfigError";

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    let value = input;
    for (const key of path) {
        if (value === null || typeof value !== "object") return undefined;
        value = (value as Record<PropertyKey, unknown>)[key];
    }
    return value;
}

function show(value: unknown): string {
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value) ?? typeof value;
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Parses `input` with a zod schema whose messages say what is allowed, and
 * turns the first problem into a {@link RedisConfigError} naming the setting.
 * Values of `secretSettings` are never echoed.
 */
export function parseSettings<S extends z.ZodType>(
    schema: S,
    input: unknown,
    knownSettings: readonly string[],
    secretSettings: ReadonlySet<string> = new Set(),
): z.output<S> {
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    if (issue.code === "unrecognized_keys") {
        const setting = [...issue.path, issue.keys[0]].map(String).join(".");
        const allowed = issue.path.length === 0 ? `known settings: ${knownSettings.join(", ")}` : "only the documented fields";
        throw new RedisConfigError(setting, allowed, "an unknown setting");
    }
    if (issue.path.length === 0) {
        // The input as a whole is malformed: it may hold secrets, so it is never echoed.
        throw new RedisConfigError("settings", "an object of the documented settings", `a ${Array.isArray(input) ? "list" : typeof input}`);
    }
    const setting = issue.path.map(String).join(".");
    const shown = secretSettings.has(String(issue.path[0])) ? "a value that is not shown (secret)" : show(valueAt(input, issue.path));
    throw new RedisConfigError(setting, issue.message, shown);
}
