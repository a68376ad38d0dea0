// The one place exemptions are applied. Every policy is defined through `resourcePolicy` or
// `stackPolicy`: a resource policy (and its remediation) does not run on an exempt resource, and
// a stack policy's reports against an exempt resource are dropped, so no policy checks
// exemptions itself.
import type {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { known, knownItems, knownLabels, knownString, UNKNOWN } from "./known";

/** What every policy's configuration may hold, besides its own options. */
export interface ExemptionConfig {
    exemptResources?: string[];
    exemptTags?: Record<string, string>;
}

/** The exemption settings every policy takes, for the rare resource an organisation accepts as an exception. */
export const exemptionProperties = {
    exemptResources: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Resource names or URNs this policy does not apply to (documented exceptions).",
    },
    exemptTags: {
        type: "object",
        additionalProperties: { type: "string" },
        default: {},
        description:
            'Labels or tags that exempt the resource carrying any one of them, key and value alike (Kubernetes metadata.labels, Docker labels, a tags map), e.g. { "redis-guard/exempt": "approved-2026-42" }.',
    },
} as const;

/** The operators' ACL users, whom the ACL policies leave alone: the config property and its reading. */
export const adminUsersProperty = {
    adminUsers: {
        type: "array",
        items: { type: "string" },
        default: ["admin"],
        description:
            "ACL user names of operators, who may hold administrative commands and reach every channel (hardened-redis calls its operators' user admin).",
    },
} as const;

/** The configured operators' users. */
export function adminUsersOf(args: StackValidationArgs): ReadonlySet<string> {
    return new Set(args.getConfig<{ adminUsers?: string[] }>().adminUsers ?? ["admin"]);
}

/** A policy's config schema: the exemption settings, then its own options. */
export function configSchema(extra: PolicyConfigSchema["properties"] = {}): PolicyConfigSchema {
    return { properties: { ...exemptionProperties, ...extra } };
}

/** The labels or tags a resource carries, as far as they are known. */
function tagsOf(props: unknown): Record<string, string> {
    const p = props as any;
    const found: Record<string, string> = {};
    const add = (labels: ReturnType<typeof knownLabels>) => {
        if (labels === UNKNOWN || labels === undefined) return;
        for (const [k, v] of Object.entries(labels)) if (v !== UNKNOWN) found[k] = v;
    };
    add(knownLabels(() => p?.metadata?.labels));
    add(knownLabels(() => p?.tags));
    // Docker: a list of { label, value }.
    if (Array.isArray(known(() => p?.labels as unknown))) {
        for (const l of knownItems<any>(() => p.labels).items) {
            const [key, value] = [knownString(() => l.label), knownString(() => l.value)];
            if (key !== undefined && value !== undefined) found[key] = value;
        }
    }
    return found;
}

/** Whether the resource is exempt from a policy with this configuration: by name, URN, or one of its labels or tags. */
export function isExempt(resource: { name: string; urn: string; props: unknown }, config: ExemptionConfig): boolean {
    if ((config.exemptResources ?? []).some((entry) => entry === resource.name || entry === resource.urn)) return true;
    const wanted = Object.entries(config.exemptTags ?? {});
    if (wanted.length === 0) return false;
    const tags = tagsOf(resource.props);
    return wanted.some(([k, v]) => tags[k] === v);
}

/** A stack policy whose reports against exempt resources are dropped. */
export function stackPolicy(policy: StackValidationPolicy): StackValidationPolicy {
    return {
        ...policy,
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const config = args.getConfig<ExemptionConfig>();
            const exempt = new Set(args.resources.filter((r: PolicyResource) => isExempt(r, config)).map((r) => r.urn));
            return policy.validateStack(args, (message, urn) => {
                if (urn === undefined || !exempt.has(urn)) reportViolation(message, urn);
            });
        },
    };
}

const exempt = (args: ResourceValidationArgs) => isExempt(args, args.getConfig<ExemptionConfig>());

/** A remediation that leaves an exempt resource alone. */
export function exemptRemediation(
    remediate: NonNullable<ResourceValidationPolicy["remediateResource"]>,
): NonNullable<ResourceValidationPolicy["remediateResource"]> {
    // Object.assign keeps the type filter remediateResourceOfType attached.
    return Object.assign((args: ResourceValidationArgs) => (exempt(args) ? undefined : remediate(args)), remediate);
}

/** A resource policy that neither validates nor remediates an exempt resource. */
export function resourcePolicy(policy: ResourceValidationPolicy): ResourceValidationPolicy {
    const given = policy.validateResource;
    const validations = given === undefined ? [] : Array.isArray(given) ? given : [given];
    const remediate = policy.remediateResource;
    const gated = validations.map((validate) => {
        const run: typeof validate = (args, reportViolation) => (exempt(args) ? undefined : validate(args, reportViolation));
        return Object.assign(run, validate);
    });
    return {
        ...policy,
        // Each validation keeps its own type filter (validateResourceOfType): only the exemption is added in front.
        validateResource: Array.isArray(given) ? gated : gated[0],
        ...(remediate && { remediateResource: exemptRemediation(remediate) }),
    };
}
