// policies/README.md, written from the policies themselves so that what Pulumi Cloud links to
// (each policy's `url`) says what the pack enforces. `npm run docs:policies` rewrites it; a test
// fails when it is stale.
import type { Policy } from "@pulumi/policy";
import { reachSection } from "./reach";

const configLine = (name: string, property: unknown): string => {
    const p = property as { type?: string; default?: unknown; description?: string; enum?: unknown[] };
    const shown = p.default === undefined ? "" : `, default \`${JSON.stringify(p.default)}\``;
    return `- \`${name}\` (${p.type ?? "any"}${shown}): ${p.description ?? ""}`;
};

function section(policy: Policy): string {
    const framework = policy.framework
        ? `${policy.framework.name} ${policy.framework.version}, ${policy.framework.reference}: ${policy.framework.specification}`
        : "none (not a security control)";
    const config = Object.entries(policy.configSchema?.properties ?? {}).map(([name, p]) => configLine(name, p));
    return [
        `### ${policy.name}`,
        "",
        `Level **${policy.enforcementLevel ?? "advisory"}**, severity **${policy.severity ?? "unset"}**. Tags: ${(policy.tags ?? []).join(", ")}.`,
        "",
        policy.description,
        "",
        `**Control:** ${framework}.`,
        "",
        `**How to fix:** ${policy.remediationSteps ?? ""}`,
        "",
        "**Configuration** (in a policy config file, under the policy's name):",
        "",
        ...config,
    ].join("\n");
}

/** The whole of policies/README.md. */
export function renderPolicyDocs(policies: Policy[]): string {
    return [
        "# redis-guard policies",
        "",
        "<!-- Written by `npm run docs:policies` from policies/*.ts; edit the policies, not this file. -->",
        "",
        "What each policy forbids, why, the control it enforces, how to fix a violation and how to configure it. The project README's [redis-guard section](../README.md#redis-guard-the-policy-pack) shows how to run the pack.",
        "",
        reachSection(),
        "",
        "## The policies",
        "",
        ...policies.map(section).flatMap((s) => [s, ""]),
    ].join("\n");
}
