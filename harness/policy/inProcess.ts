// Runs redis-guard policies in-process, with their arguments built the way @pulumi/policy's
// server builds them (see its server.js): properties go through the engine's wire format
// (protobuf Struct, unknown sentinels) and the library's own deserializer and unknown-checking
// proxy; the resource type filter, isType/asType, getConfig (with schema defaults, as the CLI
// applies them) and notApplicable behave as they do there.
import type { Policy, PolicyConfigSchema, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

// @pulumi/policy ships these internals without declarations.
/* eslint-disable @typescript-eslint/no-require-imports */
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
    deserializeProperties(this: void, struct: Struct, proxySecrets: boolean): Record<string, unknown>;
};
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(this: void, value: T): T;
    UnknownValueError: new (...args: never[]) => Error;
};
const { getPulumiType, isStackPolicy } = require("@pulumi/policy/policy") as {
    getPulumiType(this: void, f: unknown): string | undefined;
    isStackPolicy(this: void, p: Policy): p is StackValidationPolicy;
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Put this where the engine would send a value that is unknown during preview. */
export const UNKNOWN = unknownValue;

export interface TestResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    /** Input property to the names of the resources (of the same test stack) its value came from. */
    propertyDependencies?: Record<string, string[]>;
}

export interface Outcome {
    /** Violation messages, in order. */
    violations: string[];
    /** URNs the stack policy reported against. */
    urns: (string | undefined)[];
    /** Set when the policy hit an unknown value: the server reports "can't run during preview" as advisory. */
    skippedForUnknown?: string;
    /** Set when the policy called notApplicable() or filtered the type out. */
    notApplicable?: string;
}

class NotApplicableError extends Error {}

export const urnOf = (r: TestResource) => `urn:pulumi:test::redis-guard-test::${r.type}::${r.name}`;

/** The engine's view of the properties: serialised, then deserialised and proxied by the library. */
function engineProps(props: Record<string, unknown>): Record<string, unknown> {
    const struct = Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Record<string, never>);
    return unknownCheckingProxy(deserializeProperties(struct, false));
}

function defaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
    const entries = Object.entries(schema?.properties ?? {}).filter(([, p]) => typeof p === "object" && p !== null && "default" in p);
    return Object.fromEntries(entries.map(([k, p]) => [k, (p as { default: unknown }).default]));
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    return getPulumiType(resourceClass) === type;
}

/** What the server passes every resource policy call: identity, props, options and type checks. */
function resourceArgs(resource: TestResource, props: Record<string, unknown>) {
    return {
        type: resource.type,
        name: resource.name,
        urn: urnOf(resource),
        props,
        opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], dependencies: [], customTimeouts: {} },
        stackTags: new Map<string, string>(),
        isType: (c: unknown) => isTypeOf(resource.type, c),
        asType: (c: unknown) => (isTypeOf(resource.type, c) ? props : undefined),
    };
}

function common(policy: Policy, config: Record<string, unknown>) {
    return {
        getConfig: <T extends object>() => ({ ...defaults(policy.configSchema), ...config }) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicableError(reason ?? "Policy does not apply");
        },
    };
}

async function capture(run: (report: (message: string, urn?: string) => void) => Promise<void>): Promise<Outcome> {
    const outcome: Outcome = { violations: [], urns: [] };
    try {
        await run((message, urn) => {
            outcome.violations.push(message);
            outcome.urns.push(urn);
        });
    } catch (e) {
        if (e instanceof UnknownValueError) outcome.skippedForUnknown = e.message;
        else if (e instanceof NotApplicableError) outcome.notApplicable = e.message;
        else throw e;
    }
    return outcome;
}

/** Runs a resource policy on one resource, as `Analyze` would. */
export async function analyze(policy: Policy, resource: TestResource, config: Record<string, unknown> = {}): Promise<Outcome> {
    const p = policy as ResourceValidationPolicy;
    if (isStackPolicy(policy) || !p.validateResource) throw new Error(`${policy.name} is not a resource policy`);
    const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
    const only = !Array.isArray(p.validateResource) ? getPulumiType(p.validateResource) : undefined;
    if (only && only !== resource.type)
        return { violations: [], urns: [], notApplicable: `Policy only applies to resources of type '${only}'` };
    return capture(async (report) => {
        for (const validate of validations) {
            const args = { ...resourceArgs(resource, engineProps(resource.props)), ...common(policy, config) };
            await Promise.resolve(validate(args as never, (message: string) => report(message)));
        }
    });
}

/** Runs a resource policy's remediation, as `Remediate` would; undefined when it changes nothing. */
export async function remediate(
    policy: Policy,
    resource: TestResource,
    config: Record<string, unknown> = {},
): Promise<Record<string, unknown> | undefined> {
    const p = policy as ResourceValidationPolicy;
    if (!p.remediateResource) throw new Error(`${policy.name} has no remediation`);
    const args = { ...resourceArgs(resource, engineProps(resource.props)), ...common(policy, config) };
    const result = await Promise.resolve(p.remediateResource(args as never));
    return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as Record<string, unknown>);
}

/** Runs a stack policy over resources, as `AnalyzeStack` would. */
export async function analyzeStack(policy: Policy, resources: TestResource[], config: Record<string, unknown> = {}): Promise<Outcome> {
    if (!isStackPolicy(policy)) throw new Error(`${policy.name} is not a stack policy`);
    const policyResources = resources.map((r) => {
        const props = engineProps(r.props);
        return {
            type: r.type,
            name: r.name,
            urn: urnOf(r),
            props,
            opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], dependencies: [], customTimeouts: {} },
            dependencies: [],
            propertyDependencies: {},
            isType: (c: unknown) => isTypeOf(r.type, c),
            asType: (c: unknown) => (isTypeOf(r.type, c) ? props : undefined),
        } as unknown as PolicyResource;
    });
    // As the server does: the URNs the engine sent, turned into the stack's resource objects.
    resources.forEach((r, i) => {
        for (const [property, names] of Object.entries(r.propertyDependencies ?? {})) {
            const from = names.map((name) => policyResources.find((p) => p.name === name));
            if (from.includes(undefined))
                throw new Error(`${r.name}.${property} depends on a resource not in the stack: ${names.join(", ")}`);
            policyResources[i].propertyDependencies[property] = from as PolicyResource[];
        }
    });
    return capture(async (report) => {
        await Promise.resolve(
            policy.validateStack({ resources: policyResources, stackTags: new Map(), ...common(policy, config) }, report),
        );
    });
}

/** Runs any policy: resource policies once per resource, stack policies once over all. */
export async function evaluate(policy: Policy, resources: TestResource[], config: Record<string, unknown> = {}): Promise<Outcome> {
    if (isStackPolicy(policy)) return analyzeStack(policy, resources, config);
    const all: Outcome = { violations: [], urns: [] };
    for (const r of resources) {
        const o = await analyze(policy, r, config);
        all.violations.push(...o.violations);
        all.urns.push(...o.violations.map(() => urnOf(r)));
        all.skippedForUnknown ??= o.skippedForUnknown;
    }
    return all;
}
