import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { installMocks } from "./pulumiMocks";

export interface SchemaProperty {
    type?: string;
    plain?: boolean;
    additionalProperties?: SchemaProperty;
    $ref?: string;
    description?: string;
    items?: SchemaProperty;
}

export interface PackageSchema {
    name: string;
    resources: Record<
        string,
        {
            isComponent: boolean;
            inputProperties: Record<string, SchemaProperty>;
            properties: Record<string, SchemaProperty>;
            requiredInputs: string[];
        }
    >;
    types: Record<string, { properties: Record<string, SchemaProperty> }>;
}

/** The schema `pulumi package add` computes for Python/Go/C#/YAML consumers, by Pulumi's own analyzer. */
export async function packageSchema(): Promise<PackageSchema> {
    await installMocks();
    const { DockerRedis, KubernetesRedis } = await import("../../index");
    const provider = new ComponentProvider({
        name: "hardened-redis",
        dirname: `${__dirname}/../..`,
        components: [DockerRedis, KubernetesRedis],
    });
    return JSON.parse(await provider.getSchema()) as PackageSchema;
}

/**
 * Where `value` does not fit `property` (an unknown property, a wrong type), as `path: problem`
 * lines; empty when it fits. Interpolations (`${…}` in YAML) fit any type.
 */
export function misfits(schema: PackageSchema, property: SchemaProperty, value: unknown, path: string): string[] {
    if (typeof value === "string" && /^\$\{.+\}$/.test(value)) return [];
    if (property.$ref) {
        const type = schema.types[property.$ref.replace(/^#\/types\//, "")];
        if (!type) return [`${path}: type ${property.$ref} not in the schema`];
        return objectMisfits(schema, type.properties, value, path);
    }
    switch (property.type) {
        case "string":
        case "boolean":
            return typeof value === property.type ? [] : [`${path}: ${JSON.stringify(value)} is not a ${property.type}`];
        case "number":
        case "integer":
            return typeof value === "number" ? [] : [`${path}: ${JSON.stringify(value)} is not a number`];
        case "array":
            return Array.isArray(value) && property.items
                ? value.flatMap((item, i) => misfits(schema, property.items!, item, `${path}[${i}]`))
                : [`${path}: not a list`];
        case "object":
            if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not a map`];
            return property.additionalProperties
                ? Object.entries(value).flatMap(([k, v]) => misfits(schema, property.additionalProperties!, v, `${path}.${k}`))
                : [];
        default:
            return [`${path}: schema type ${String(property.type)} not checked here`];
    }
}

/** As {@link misfits} for an object with the schema's `properties`. */
export function objectMisfits(schema: PackageSchema, properties: Record<string, SchemaProperty>, value: unknown, path: string): string[] {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${path}: not an object`];
    return Object.entries(value).flatMap(([key, v]) =>
        properties[key] ? misfits(schema, properties[key], v, `${path}.${key}`) : [`${path}.${key}: no such property`],
    );
}
