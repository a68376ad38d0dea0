import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { misfits, objectMisfits, packageSchema, type PackageSchema } from "../../harness/mocks/packageSchema";

const EXAMPLES = join(__dirname, "..", "..", "examples", "multi-language");
const TOKEN = "hardened-redis:index:";

/** snake_case (Python) to camelCase (the schema). */
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

interface YamlProgram {
    resources: Record<string, { type: string; properties?: Record<string, unknown> }>;
    outputs?: Record<string, string>;
}

/** What a Pulumi YAML program uses of the package that the schema does not have. */
function yamlMisfits(schema: PackageSchema, program: YamlProgram): string[] {
    const problems: string[] = [];
    for (const [name, resource] of Object.entries(program.resources)) {
        if (!resource.type.startsWith(TOKEN)) continue;
        const declared = schema.resources[resource.type];
        if (!declared) {
            problems.push(`${name}: no resource ${resource.type}`);
            continue;
        }
        problems.push(...objectMisfits(schema, declared.inputProperties, resource.properties ?? {}, name));
    }
    for (const [output, expression] of Object.entries(program.outputs ?? {})) {
        const [, resource, property] = /^\$\{(\w+)\.(\w+)\}$/.exec(expression) ?? [];
        const type = program.resources[resource]?.type;
        if (type?.startsWith(TOKEN) && !schema.resources[type]?.properties[property])
            problems.push(`outputs.${output}: ${type} has no ${property}`);
    }
    return problems;
}

/** A Python value as the program spells it: a constant, a list, a dict, or a call of an SDK class with keywords. */
type PyValue =
    | { const: unknown }
    | { list: PyValue[] }
    | { dict: Record<string, PyValue> }
    | { call: string; kwargs: Record<string, PyValue> }
    | { other: string };

/**
 * The SDK calls and attribute reads of a Python program, read by Python's own parser (`ast`):
 * calls of `hardened_redis.X(...)` with their keywords, and `<variable>.<attribute>` reads of their results.
 */
function pythonUses(file: string): {
    calls: Array<{ variable: string; call: PyValue }>;
    reads: Array<{ variable: string; attribute: string }>;
} {
    const script = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1]).read())
def value(node):
    if isinstance(node, ast.Constant): return {"const": node.value}
    if isinstance(node, ast.List): return {"list": [value(e) for e in node.elts]}
    if isinstance(node, ast.Dict): return {"dict": {k.value: value(v) for k, v in zip(node.keys, node.values)}}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) and node.func.value.id == "hardened_redis":
        return {"call": node.func.attr, "kwargs": {k.arg: value(k.value) for k in node.keywords}}
    return {"other": ast.dump(node)}
calls, reads, variables = [], [], set()
for node in ast.walk(tree):
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and len(node.targets) == 1:
        v = value(node.value)
        if "call" in v:
            calls.append({"variable": node.targets[0].id, "call": v})
            variables.add(node.targets[0].id)
for node in ast.walk(tree):
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in variables:
        reads.append({"variable": node.value.id, "attribute": node.attr})
print(json.dumps({"calls": calls, "reads": reads}))
`;
    const run = spawnSync("python3", ["-c", script, file], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`python3 could not read ${file}: ${run.stderr}`);
    return JSON.parse(run.stdout) as ReturnType<typeof pythonUses>;
}

/** The Python value as the schema sees it: keywords camelCased, `XArgs(...)` as an object of type X (checked by name). */
function asSchemaValue(schema: PackageSchema, value: PyValue, path: string, problems: string[]): unknown {
    if ("const" in value) return value.const;
    if ("list" in value) return value.list.map((v, i) => asSchemaValue(schema, v, `${path}[${i}]`, problems));
    if ("dict" in value)
        return Object.fromEntries(Object.entries(value.dict).map(([k, v]) => [k, asSchemaValue(schema, v, `${path}.${k}`, problems)]));
    if ("call" in value) {
        // Input types generate `<Type>Args` classes in the Python SDK.
        const type = value.call.replace(/Args$/, "");
        if (!schema.types[`${TOKEN}${type}`]) problems.push(`${path}: no type ${type} behind ${value.call}`);
        return Object.fromEntries(
            Object.entries(value.kwargs).map(([k, v]) => [camel(k), asSchemaValue(schema, v, `${path}.${k}`, problems)]),
        );
    }
    problems.push(`${path}: ${value.other} not checked here`);
    return undefined;
}

/** What a Python program uses of the package that the schema does not have (or whose type does not fit). */
function pythonMisfits(schema: PackageSchema, file: string): string[] {
    const problems: string[] = [];
    const uses = pythonUses(file);
    const types = new Map<string, string>();
    for (const { variable, call } of uses.calls) {
        if (!("call" in call)) continue;
        const type = `${TOKEN}${call.call}`;
        const resource = schema.resources[type];
        if (!resource) {
            problems.push(`${variable}: no resource ${call.call}`);
            continue;
        }
        types.set(variable, type);
        const inputs = Object.fromEntries(
            Object.entries(call.kwargs).map(([k, v]) => [camel(k), asSchemaValue(schema, v, `${variable}.${k}`, problems)]),
        );
        // Each nested XArgs(...) must also be the type the property declares.
        for (const [key, v] of Object.entries(call.kwargs)) {
            const declared = resource.inputProperties[camel(key)];
            const ref = declared?.$ref ?? declared?.items?.$ref;
            const used = "call" in v ? v.call : "list" in v && v.list[0] && "call" in v.list[0] ? v.list[0].call : undefined;
            if (ref && used && ref !== `#/types/${TOKEN}${used.replace(/Args$/, "")}`)
                problems.push(`${variable}.${key}: ${used} where ${ref} is declared`);
        }
        problems.push(...objectMisfits(schema, resource.inputProperties, inputs, variable));
    }
    for (const { variable, attribute } of uses.reads) {
        const type = types.get(variable);
        if (type && !schema.resources[type].properties[camel(attribute)])
            problems.push(`${variable}.${attribute}: ${type} has no ${camel(attribute)}`);
    }
    return problems;
}

// examples/multi-language/: the Python and YAML programs use only what the schema Pulumi's analyzer
// computes from the components declares, with compatible types, so they cannot drift from them.
describe("examples/multi-language", () => {
    let schema: PackageSchema;
    beforeAll(async () => {
        schema = await packageSchema();
    }, 120_000);

    it("the YAML program uses only resources, properties and outputs the schema declares, with their types", () => {
        const program = parse(readFileSync(join(EXAMPLES, "yaml", "Pulumi.yaml"), "utf8")) as YamlProgram;
        expect(Object.values(program.resources).map((r) => r.type)).toEqual([`${TOKEN}DockerRedis`, `${TOKEN}KubernetesRedis`]);
        expect(yamlMisfits(schema, program)).toEqual([]);
    });

    it("the Python program does too, read by Python's own parser", () => {
        const uses = pythonUses(join(EXAMPLES, "python", "__main__.py"));
        expect(uses.calls.map((c) => ("call" in c.call ? c.call.call : ""))).toEqual(["DockerRedis", "KubernetesRedis"]);
        expect(uses.reads.length).toBeGreaterThanOrEqual(4);
        expect(pythonMisfits(schema, join(EXAMPLES, "python", "__main__.py"))).toEqual([]);
    });

    it("catches a property, a type or an output that drifted", () => {
        const program = parse(readFileSync(join(EXAMPLES, "yaml", "Pulumi.yaml"), "utf8")) as YamlProgram;
        program.resources.cache.properties = {
            ...program.resources.cache.properties,
            replica: 3,
            memoryLimitMb: "512",
            sentinel: { enable: true },
        };
        program.outputs = { ...program.outputs, wrong: "${cache.primaryHost}" };
        expect(yamlMisfits(schema, program)).toEqual([
            `cache.memoryLimitMb: "512" is not a number`,
            "cache.sentinel.enable: no such property",
            "cache.replica: no such property",
            `outputs.wrong: ${TOKEN}DockerRedis has no primaryHost`,
        ]);
        expect(misfits(schema, { $ref: `#/types/${TOKEN}Missing` }, {}, "x")).toEqual([
            `x: type #/types/${TOKEN}Missing not in the schema`,
        ]);
        const dir = mkdtempSync(join(tmpdir(), "multi-language-"));
        try {
            const file = join(dir, "__main__.py");
            writeFileSync(
                file,
                [
                    "import pulumi",
                    "import pulumi_hardened_redis as hardened_redis",
                    'c = hardened_redis.DockerRedis("c", replica=3, sentinel=hardened_redis.RedisSavePointArgs(seconds=1))',
                    'pulumi.export("x", c.primary_host)',
                ].join("\n"),
            );
            expect(pythonMisfits(schema, file)).toEqual(
                expect.arrayContaining([
                    `c.sentinel: RedisSavePointArgs where #/types/${TOKEN}RedisSentinelArgs is declared`,
                    "c.replica: no such property",
                    "c.sentinel.seconds: no such property",
                    `c.primary_host: ${TOKEN}DockerRedis has no primaryHost`,
                ]),
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
