import type { PolicyConfigSchema } from "@pulumi/policy";

/** The allow-list every policy takes, for the rare resource an organisation accepts as an exception. */
export const exemptionProperties = {
    exemptResources: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Resource names or URNs this policy does not apply to (documented exceptions).",
    },
} as const;

export function configSchema(extra: PolicyConfigSchema["properties"] = {}): PolicyConfigSchema {
    return { properties: { ...exemptionProperties, ...extra } };
}

/** Whether the resource is on the policy's allow-list. */
export function isExempt(resource: { name: string; urn: string }, config: { exemptResources?: string[] }): boolean {
    return (config.exemptResources ?? []).some((entry) => entry === resource.name || entry === resource.urn);
}
