import * as client from "@kubernetes/client-node";

/**
 * Validates a Kubernetes object against the API's OpenAPI schema, strictly.
 *
 * kubernetes-models' ajv validators check types, required fields and enums but
 * let unknown fields through (a misspelt `readOnlyRootFileSystem` passes and
 * the API server would drop it silently), so every key is also checked
 * against the field list of @kubernetes/client-node's generated models, which
 * come from the same OpenAPI document.
 */
export function schemaErrors(object: Record<string, unknown>): string[] {
    const apiVersion = String(object.apiVersion);
    const kind = String(object.kind);
    const errors = [...modelErrors(apiVersion, kind, object)];
    const version = apiVersion.split("/").pop() ?? apiVersion;
    const typeName = `${version[0].toUpperCase()}${version.slice(1)}${kind}`;
    if (!attributes(typeName)) errors.push(`no @kubernetes/client-node model ${typeName} for ${apiVersion} ${kind}`);
    else errors.push(...unknownFields(object, typeName, ""));
    return errors;
}

function modelErrors(apiVersion: string, kind: string, object: Record<string, unknown>): string[] {
    // kubernetes-models lays its models out by API version: v1/Service, apps/v1/StatefulSet, ...
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, new (data: unknown) => { validate(): void }>;
    try {
        new module[kind](object).validate();
        return [];
    } catch (e) {
        return [(e as Error).message];
    }
}

type AttributeMap = Array<{ baseName: string; type: string }>;

function attributes(typeName: string): AttributeMap | undefined {
    const model = (client as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>)[typeName];
    return model?.getAttributeTypeMap?.();
}

function unknownFields(value: unknown, typeName: string, path: string): string[] {
    const array = /^Array<(.+)>$/.exec(typeName);
    if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1], `${path}[${i}]`)) : [];
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
    if (map) {
        return value && typeof value === "object"
            ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1], `${path}.${k}`))
            : [];
    }
    const fields = attributes(typeName);
    if (!fields || value === null || typeof value !== "object") return [];
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
        const field = fields.find((f) => f.baseName === key);
        const childPath = path ? `${path}.${key}` : key;
        return field ? unknownFields(child, field.type, childPath) : [`${childPath}: unknown field for ${typeName}`];
    });
}
