// Drives the redis-guard policy pack the way the Pulumi engine does: the built pack runs as its
// own process and is spoken to over gRPC with the engine's own messages, so what the tests see
// is what `pulumi preview --policy-pack policies` would see (config conversion, secrets and
// unknowns on the wire included), not what calling the policy functions directly would give.
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { compileIntoCache } from "../build/compile";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

type Props = Record<string, unknown>;

/** The repository root, seen from harness/policy/ or from the bench's compiled copy in dist-bench/harness/policy/. */
const ABOVE_HARNESS = resolve(__dirname, "../..");
const ROOT = basename(ABOVE_HARNESS) === "dist-bench" ? resolve(ABOVE_HARNESS, "..") : ABOVE_HARNESS;
const POLICIES = resolve(ROOT, "policies");

/** The engine sends every unknown (computed) value as this string, whatever its type. */
export const UNKNOWN = unknownValue;

/** A value as the engine marks a secret on the wire. */
export function secret(value: unknown): Props {
    return { [specialSigKey]: specialSecretSig, value };
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:engine-test::redis-guard-test::${type}::${name}`;
}

export type EnforcementLevelName = "advisory" | "mandatory" | "remediate" | "disabled";
/** A policy's settings as written in a policy config file: a level and/or its config properties. */
export type PolicySettings = { enforcementLevel?: EnforcementLevelName } & Props;

export interface ResourceOptions {
    parent?: string;
    protect?: boolean;
}

export interface StackResource {
    type: string;
    name: string;
    props: Props;
    urn?: string;
    parent?: string;
    dependencies?: string[];
    /** Input property to the URNs of the resources its value came from (e.g. `image` from a RemoteImage). */
    propertyDependencies?: Record<string, string[]>;
}

export interface Remediation {
    policyName: string;
    properties?: Props;
    diagnostic: string;
}

export interface RunningPolicyPack {
    getPluginInfo(): Promise<PluginInfo.AsObject>;
    getAnalyzerInfo(): Promise<analyzer.AnalyzerInfo>;
    analyze(type: string, name: string, props: Props, opts?: ResourceOptions): Promise<analyzer.AnalyzeDiagnostic.AsObject[]>;
    analyzeStack(resources: StackResource[]): Promise<analyzer.AnalyzeDiagnostic.AsObject[]>;
    remediate(type: string, name: string, props: Props, opts?: ResourceOptions): Promise<Remediation[]>;
    /** Replaces the whole pack configuration, as the engine does once per run; `{}` resets it. */
    configure(config: Record<string, PolicySettings>): Promise<void>;
    stop(): Promise<void>;
}

const LEVELS: Record<EnforcementLevelName, analyzer.EnforcementLevel> = {
    advisory: analyzer.EnforcementLevel.ADVISORY,
    mandatory: analyzer.EnforcementLevel.MANDATORY,
    remediate: analyzer.EnforcementLevel.REMEDIATE,
    disabled: analyzer.EnforcementLevel.DISABLED,
};

/**
 * Compiles policies/ as `npm run build:policies` does, into a folder of its own below
 * node_modules/.cache rather than policies/bin, which another test file may be starting. Returns
 * the program to start, run in policies/ (whose package.json gives the pack's version).
 */
export function buildPolicyPack(): PolicyPackProgram & { remove(): void } {
    const built = compileIntoCache(ROOT, "policies/tsconfig.json", "redis-guard-");
    return { cwd: POLICIES, entry: join(built.dir, "index.js"), remove: () => built.remove() };
}

function options(opts: ResourceOptions = {}): analyzer.AnalyzerResourceOptions {
    // Without options the pack refuses the request as coming from an outdated CLI.
    const o = new analyzer.AnalyzerResourceOptions();
    o.setProtect(opts.protect ?? false);
    if (opts.parent) o.setParent(opts.parent);
    return o;
}

function struct(props: Props): Struct {
    return Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]);
}

/** A unary RPC as a promise; the stubs' overloads defeat inference, so callers name the response type. */
function unary<Res>(invoke: (callback: (error: grpc.ServiceError | null, response: Res) => void) => grpc.ClientUnaryCall): Promise<Res> {
    return new Promise((resolvePromise, reject) => {
        invoke((error, response) => (error ? reject(error) : resolvePromise(response)));
    });
}

/** A policy pack program: the directory it runs in (its package.json gives the pack's version) and its entry file. */
export interface PolicyPackProgram {
    cwd: string;
    entry: string;
}

/** Runs a pack (redis-guard as {@link buildPolicyPack} built it, or another) and connects to it. */
export async function startPolicyPack(program: PolicyPackProgram): Promise<RunningPolicyPack> {
    const pack = spawnPack(program);
    let client: AnalyzerClient | undefined;
    const stop = async () => {
        client?.close();
        await pack.stop();
    };
    try {
        const port = await portOf(pack);
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return await connectedPack(client, stop);
    } catch (e) {
        await stop();
        throw e;
    }
}

/** The pack's process, started as the engine starts a policy pack plugin. */
interface PackProcess {
    child: ChildProcessByStdio<null, Readable, Readable>;
    /** What the pack has written to stderr so far, for error messages. */
    stderr: () => string;
    /** Ends the process (SIGTERM, then SIGKILL after 5 s) unless it has exited. */
    stop(): Promise<void>;
}

/** Starts the pack's program in a process of its own, with the Node running the tests. */
function spawnPack(program: PolicyPackProgram): PackProcess {
    const child = spawn(process.execPath, [program.entry], { cwd: program.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    // Should the test process die without afterAll, the pack must not outlive it.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const stop = async () => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
            await exited;
            clearTimeout(timer);
        }
    };
    return { child, stderr: () => stderr, stop };
}

/** The port the pack serves on: the first line it prints, as the engine reads it. */
async function portOf({ child, stderr }: PackProcess): Promise<string> {
    const port = await new Promise<string>((resolvePort, reject) => {
        const lines = createInterface({ input: child.stdout });
        const timer = setTimeout(() => reject(new Error(`the policy pack printed no port within 30s:\n${stderr()}`)), 30_000);
        lines.once("line", (line) => {
            clearTimeout(timer);
            resolvePort(line.trim());
        });
        child.once("error", reject);
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the policy pack exited with ${code} before serving:\n${stderr()}`));
        });
    });
    if (!/^\d+$/.test(port)) throw new Error(`the policy pack printed "${port}" instead of its port:\n${stderr()}`);
    return port;
}

/** The running pack's RPCs, once it has said which policies it declares. */
async function connectedPack(c: AnalyzerClient, stop: () => Promise<void>): Promise<RunningPolicyPack> {
    const getAnalyzerInfo = () => unary<analyzer.AnalyzerInfo>((cb) => c.getAnalyzerInfo(new Empty(), cb));
    const info = await getAnalyzerInfo();
    const declaredLevels = new Map(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]));
    return {
        getPluginInfo: async () => (await unary<PluginInfo>((cb) => c.getPluginInfo(new Empty(), cb))).toObject(),
        getAnalyzerInfo,
        analyze: async (type, name, props, opts) => {
            const res = await unary<analyzer.AnalyzeResponse>((cb) => c.analyze(analyzeRequest(type, name, props, opts), cb));
            return res.getDiagnosticsList().map((d) => d.toObject());
        },
        analyzeStack: async (resources) => {
            const req = analyzeStackRequest(resources);
            const res = await unary<analyzer.AnalyzeResponse>((cb) => c.analyzeStack(req, cb));
            return res.getDiagnosticsList().map((d) => d.toObject());
        },
        remediate: async (type, name, props, opts) => {
            const res = await unary<analyzer.RemediateResponse>((cb) => c.remediate(analyzeRequest(type, name, props, opts), cb));
            return res.getRemediationsList().map((r) => ({
                policyName: r.getPolicyname(),
                properties: r.getProperties()?.toJavaScript(),
                diagnostic: r.getDiagnostic(),
            }));
        },
        configure: async (config) => {
            const req = configureRequest(config, declaredLevels);
            await unary<Empty>((cb) => c.configure(req, cb));
        },
        stop,
    };
}

/** One resource as the engine asks the pack to analyze or remediate it. */
function analyzeRequest(type: string, name: string, props: Props, opts?: ResourceOptions): analyzer.AnalyzeRequest {
    const req = new analyzer.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(urnOf(type, name));
    req.setProperties(struct(props));
    req.setOptions(options(opts));
    return req;
}

/** The whole stack as the engine sends it once every resource is registered. */
function analyzeStackRequest(resources: StackResource[]): analyzer.AnalyzeStackRequest {
    const req = new analyzer.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const res = new analyzer.AnalyzerResource();
            res.setType(r.type);
            res.setName(r.name);
            res.setUrn(r.urn ?? urnOf(r.type, r.name));
            res.setProperties(struct(r.props));
            res.setOptions(options({ parent: r.parent }));
            if (r.parent) res.setParent(r.parent);
            res.setDependenciesList(r.dependencies ?? []);
            for (const [property, urns] of Object.entries(r.propertyDependencies ?? {})) {
                res.getPropertydependenciesMap().set(property, new analyzer.AnalyzerPropertyDependencies().setUrnsList(urns));
            }
            return res;
        }),
    );
    return req;
}

/** The pack configuration as the engine sends it; throws for a policy the pack does not declare. */
function configureRequest(
    config: Record<string, PolicySettings>,
    declaredLevels: Map<string, analyzer.EnforcementLevel>,
): analyzer.ConfigureAnalyzerRequest {
    const req = new analyzer.ConfigureAnalyzerRequest();
    for (const [policy, { enforcementLevel, ...properties }] of Object.entries(config)) {
        const declared = declaredLevels.get(policy);
        if (declared === undefined) throw new Error(`redis-guard has no policy named ${policy}`);
        const pc = new analyzer.PolicyConfig();
        // The engine always sends a level, the policy's own when the config names none;
        // leaving it unset would mean ADVISORY (0) on the wire. Properties must be set
        // too: the pack reads them unconditionally.
        pc.setEnforcementlevel(enforcementLevel ? LEVELS[enforcementLevel] : declared);
        pc.setProperties(struct(properties));
        req.getPolicyconfigMap().set(policy, pc);
    }
    return req;
}
