// The servers the components run: Redis 7 (the default), Redis 8 and Valkey 8. Everything that
// differs between them, as far as the components are concerned, is here: the image and its tags,
// and the programs in it. The files rendered for them are the same (checked on each real binary).
import type { ServerFamily } from "../policies/shared/programs";

/** One server a component can run, by the value of its `server` setting. */
export interface RedisServerKind {
    /** The `server` setting's value. */
    name: string;
    /** As people name it: "Redis 7". */
    title: string;
    /** Whose programs its image has (policies/shared/programs.ts). */
    family: ServerFamily;
    /** The major version: every tag of its image starts with it. */
    major: number;
    /** The official image the component runs unless told otherwise. */
    defaultImage: string;
}

const server = (name: string, title: string, family: ServerFamily, major: number, defaultImage: string): RedisServerKind => ({
    name,
    title,
    family,
    major,
    defaultImage,
});

/** Every server the components run, by `server` setting; the first is the default. */
export const SERVERS: readonly RedisServerKind[] = [
    server("redis-7", "Redis 7", "redis", 7, "redis:7-alpine"),
    server("redis-8", "Redis 8", "redis", 8, "redis:8-alpine"),
    server("valkey-8", "Valkey 8", "valkey", 8, "valkey/valkey:8-alpine"),
];

export const DEFAULT_SERVER: RedisServerKind = SERVERS[0];

/** The server named `name`; throws for a name not in {@link SERVERS} (settings are checked before). */
export function serverNamed(name: string): RedisServerKind {
    const found = SERVERS.find((s) => s.name === name);
    if (!found) throw new Error(`no server named ${name}: ${SERVERS.map((s) => s.name).join(", ")}`);
    return found;
}
