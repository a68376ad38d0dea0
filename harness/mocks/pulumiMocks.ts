import { createHash, randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import type { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { certificateRequestPem, privateKeyPem, publicKeyPem, signPem } from "../local/certificates";

/** A resource the program registered, with its inputs exactly as the engine would receive them. */
export interface RegisteredResource {
    type: string;
    name: string;
    /** Resolved inputs; secret values stay wrapped (see {@link isSecretValue}). */
    inputs: Record<string, unknown>;
    /** What the mocked provider returned: the inputs plus computed outputs such as autonamed names. */
    state: Record<string, unknown>;
}

// The Pulumi wire format marks secrets with this signature; mocks keep it.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The value with every secret wrapper removed. */
export function unwrapSecrets(value: unknown): unknown {
    if (isSecretValue(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Every string in `value` that is not inside a secret wrapper, with its path. */
export function plainStrings(value: unknown, path = ""): Array<{ path: string; text: string }> {
    if (isSecretValue(value)) return [];
    if (typeof value === "string") return [{ path, text: value }];
    if (Array.isArray(value)) return value.flatMap((v, i) => plainStrings(v, `${path}[${i}]`));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => plainStrings(v, path ? `${path}.${k}` : k));
    }
    return [];
}

/**
 * A password with every character that needs URL-encoding and that Redis
 * accepts, so tests catch encoding mistakes.
 */
function awkwardPassword(seed: string): string {
    return `p@ss:w/rd%?#+=^~-${seed}`;
}

/** Parent URN of each registered resource, by name (newResource does not see it). */
const parents = new Map<string, string>();

/**
 * A generator's name within its component (`cache-app-password-0` in component `cache` is
 * `app-password-0`), so components of different names are comparable like two runs of one stack.
 */
function roleInComponent(name: string): string {
    const component = parents.get(name)?.split("::").pop();
    return component !== undefined && name.startsWith(`${component}-`) ? name.slice(component.length + 1) : name;
}

/**
 * Random, except that a generator with the same role in its component and the same `keepers`
 * gets the same result, as it would after a `pulumi up` that did not touch the keepers.
 */
function generatedSuffix(name: string, inputs: Record<string, unknown>, kind: string): string {
    if (inputs.keepers === undefined) return randomBytes(8).toString("hex");
    return createHash("sha256")
        .update(roleInComponent(name) + kind + JSON.stringify(inputs.keepers))
        .digest("hex")
        .slice(0, 16);
}

/**
 * The outputs @pulumi/tls computes, computed the same way with openssl: real keys and
 * certificates (with the requested SANs, usages and validity) that a real Redis accepts.
 */
function tlsProvider(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const subject = (inputs.subject ?? {}) as { commonName?: string };
    const names = (inputs.dnsNames ?? []) as string[];
    const validity = { hours: Number(inputs.validityPeriodHours) };
    const allowedUses = (inputs.allowedUses ?? []) as string[];
    switch (type) {
        case "tls:index/privateKey:PrivateKey": {
            if (inputs.algorithm !== "ECDSA" && inputs.algorithm !== "RSA")
                throw new Error(`unsupported algorithm ${String(inputs.algorithm)}`);
            const privateKey = privateKeyPem(inputs.algorithm === "RSA" ? { rsaBits: Number(inputs.rsaBits ?? 2048) } : {});
            return { privateKeyPem: privateKey, publicKeyPem: publicKeyPem(privateKey) };
        }
        case "tls:index/selfSignedCert:SelfSignedCert": {
            const key = String(inputs.privateKeyPem);
            const request = certificateRequestPem(key, subject.commonName ?? "self-signed", names);
            return { certPem: signPem(request, { selfSignedKey: key }, { validity, allowedUses, isCa: inputs.isCaCertificate === true }) };
        }
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: certificateRequestPem(String(inputs.privateKeyPem), subject.commonName ?? "", names) };
        default: {
            const signer = { caCertificate: String(inputs.caCertPem), caPrivateKey: String(inputs.caPrivateKeyPem) };
            return { certPem: signPem(String(inputs.certRequestPem), signer, { validity, allowedUses }), readyForRenewal: false };
        }
    }
}

/** Kubernetes Secrets that exist before the program runs (read with `Secret.get`), by `<namespace>/<name>`. */
export const existingSecrets = new Map<string, { type: string; data: Record<string, string> }>();

/**
 * Stacks a `StackReference` can read, by fully qualified name: their outputs, and which of them
 * are secret (the reference hands those back as secrets, as the engine does).
 */
export const existingStacks = new Map<string, { outputs: Record<string, unknown>; secretOutputNames: string[] }>();

/** Docker networks the mocked `getNetwork` knows, by name. */
export const existingNetworks = new Map<string, { internal: boolean }>();

export const registered: RegisteredResource[] = [];

/** Resource options the engine receives but `newResource` does not see. */
export interface RegistrationOptions {
    additionalSecretOutputs: string[];
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
    /** URNs of the resources it depends on (dependsOn and input dependencies). */
    dependencies: string[];
}

/** Options each resource was registered with, by `<type>::<name>`. */
export const registrationOptions = new Map<string, RegistrationOptions>();

/**
 * Errors that escaped a resource registration, which the engine would report as a failed
 * deployment: an input that rejects (a setting only checkable at deployment, such as whether an
 * existing network is internal) fails the resources consuming it.
 */
export const deploymentErrors: Error[] = [];

/**
 * Reports an escaped error as Pulumi's program runner does (`cmd/run` logs unhandled rejections
 * with `log.error`). That is what marks the program as failed; without it the runtime would, at
 * exit, list the failed resource's never-settled outputs as leaked promises.
 */
function reportDeploymentError(reason: unknown): void {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    if (deploymentErrors.includes(error)) return;
    deploymentErrors.push(error);
    void pulumi.log.error(error.message);
}

/**
 * Installs Pulumi mocks. Must run before any component module is imported,
 * because resource classes read the runtime settings when first loaded.
 */
export async function installMocks(project = "hardened-redis"): Promise<void> {
    if (!process.listeners("unhandledRejection").includes(reportDeploymentError)) process.on("unhandledRejection", reportDeploymentError);
    await pulumi.runtime.setMocks({ newResource, call }, project, "test", false);
    recordRegistrationOptions();
}

/** What the engine and the providers would answer for a resource the program registers. */
function newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    if (args.type === "pulumi:pulumi:StackReference") return stackReference(args);
    if (args.id !== undefined && args.id !== "") return existingResource(args.type, args.name, args.id);
    const inputs = args.inputs as Record<string, unknown>;
    const state: Record<string, unknown> = { ...inputs };
    registered.push({ type: args.type, name: args.name, inputs, state });
    addComputedOutputs(args.type, args.name, inputs, state);
    return { id: `${args.name}-id`, state };
}

/** A `StackReference` to one of {@link existingStacks}, its secret outputs wrapped as the engine wraps them. */
function stackReference(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const stack = existingStacks.get(String((args.inputs as Record<string, unknown>).name));
    if (!stack) throw new Error(`unknown stack ${String((args.inputs as Record<string, unknown>).name)}`);
    const outputs = Object.fromEntries(
        Object.entries(stack.outputs).map(([k, v]) => [k, stack.secretOutputNames.includes(k) ? { [SIG_KEY]: SECRET_SIG, value: v } : v]),
    );
    return {
        id: String((args.inputs as Record<string, unknown>).name),
        state: { name: (args.inputs as Record<string, unknown>).name, outputs, secretOutputNames: stack.secretOutputNames },
    };
}

/** A read of an existing object (`Resource.get`): its live state, or the provider's not-found error. */
function existingResource(type: string, resourceName: string, id: string): pulumi.runtime.MockResourceResult {
    const existing = type === "kubernetes:core/v1:Secret" ? existingSecrets.get(id) : undefined;
    if (!existing) throw new Error(`resource '${id}' of type ${type} does not exist`);
    const [namespace, name] = id.split("/");
    const state = { ...existing, metadata: { namespace, name } };
    registered.push({ type, name: resourceName, inputs: {}, state });
    return { id, state };
}

/**
 * Names and ids the engine or a provider made up, by `<type>::<name>`: a later registration of the
 * same resource (the next `pulumi up` of the same program) keeps them, as the engine does.
 */
const madeUp = new Map<string, string>();

function keptOr(type: string, name: string, make: () => string): string {
    const key = `${type}::${name}`;
    const kept = madeUp.get(key) ?? make();
    madeUp.set(key, kept);
    return kept;
}

/** Sets in `state` the outputs the provider computes: generated results, autonames, keys and certificates, image ids. */
function addComputedOutputs(type: string, name: string, inputs: Record<string, unknown>, state: Record<string, unknown>): void {
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            state.result = awkwardPassword(generatedSuffix(name, inputs, "password"));
            break;
        case "random:index/randomString:RandomString":
            state.result = `cfg${generatedSuffix(name, inputs, "config")}${generatedSuffix(name, inputs, "command")}`;
            break;
        case "docker:index/network:Network":
        case "docker:index/volume:Volume":
        case "docker:index/container:Container":
            state.name = inputs.name ?? keptOr(type, name, () => `${name}-${randomBytes(4).toString("hex")}`);
            break;
        case "tls:index/privateKey:PrivateKey":
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/certRequest:CertRequest":
        case "tls:index/locallySignedCert:LocallySignedCert":
            Object.assign(state, tlsProvider(type, unwrapSecrets(inputs) as Record<string, unknown>));
            break;
        case "docker:index/remoteImage:RemoteImage":
            state.imageId = keptOr(type, name, () => `sha256:${randomBytes(32).toString("hex")}`);
            break;
        default:
            if (type.startsWith("kubernetes:")) {
                // The provider autonames objects without metadata.name.
                const metadata = (inputs.metadata ?? {}) as Record<string, unknown>;
                state.metadata = {
                    ...metadata,
                    name: metadata.name ?? keptOr(type, name, () => `${name}-${randomBytes(4).toString("hex")}`),
                };
            }
            break;
    }
}

/** Provider functions the components call: `getNetwork` answers from {@link existingNetworks}. */
function call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    if (args.token === "docker:index/getNetwork:getNetwork") {
        const name = String((args.inputs as Record<string, unknown>).name);
        const network = existingNetworks.get(name);
        if (!network) throw new Error(`network ${name} not found`);
        return { id: `${name}-id`, name, internal: network.internal, driver: "bridge" };
    }
    throw new Error(`unexpected call ${args.token}`);
}

/** newResource does not see resource options; record the ones that protect secrets and data. */
function recordRegistrationOptions(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterResourceRequest, callback: unknown): unknown;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        parents.set(req.getName(), req.getParent());
        registrationOptions.set(`${req.getType()}::${req.getName()}`, {
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            retainOnDelete: req.getRetainondelete() ?? false,
            dependencies: req.getDependenciesList(),
        });
        return register(req, callback);
    };
}

/** URNs of every registered resource (they encode the parent chain). */
export function registeredUrns(): string[] {
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    return [...monitor.getRegisteredResources().keys()];
}

/** The value of an output, rejecting if the output failed. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Resources registered for the component named `name`. */
export function resourcesOf(name: string, among: RegisteredResource[] = registered): RegisteredResource[] {
    return among.filter((r) => r.name === name || r.name.startsWith(`${name}-`));
}

/** The result of every RandomPassword registered under component `name`, by resource name (for tests that must not print them). */
export function generatedPasswords(name: string): Map<string, string> {
    return new Map(
        resourcesOf(name)
            .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
            .map((r) => [r.name, String(unwrapSecrets(r.state.result))]),
    );
}

export function single(resources: RegisteredResource[], type: string): RegisteredResource {
    const found = resources.filter((r) => r.type === type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0];
}

/** Resolves once every resource registration started so far has completed. */
export async function allRegistered(): Promise<void> {
    // The runtime's own RPC barrier (exported by runtime/settings, missing from its .d.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    await settings.waitForRPCs();
}
