import type Redis from "ioredis";

export interface ScriptDefinition {
    /** The Lua source. */
    lua: string;
    /** How many of the arguments are keys (KEYS[1..n]); the rest are ARGV. */
    keys: number;
}

export type ScriptRunner = (keys: string[], args?: (string | number)[]) => Promise<unknown>;

/**
 * Registers Lua scripts: calls go out as EVALSHA (a 40-byte digest instead of the
 * script), ioredis resends the source on NOSCRIPT (after SCRIPT FLUSH or a restart),
 * and every script is loaded when the connection becomes ready, so even the first
 * call is an EVALSHA.
 */
export function defineScripts<Name extends string>(redis: Redis, scripts: Record<Name, ScriptDefinition>): Record<Name, ScriptRunner> {
    const runners = {} as Record<Name, ScriptRunner>;
    const load = () => {
        for (const { lua } of Object.values<ScriptDefinition>(scripts)) {
            redis.script("LOAD", lua).catch(() => undefined); // NOSCRIPT fallback covers a failed preload
        }
    };
    for (const [name, { lua, keys }] of Object.entries<ScriptDefinition>(scripts)) {
        const command = `hardenedRedis_${name}`;
        if (!(command in redis)) redis.defineCommand(command, { lua, numberOfKeys: keys });
        const call = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[command].bind(redis);
        runners[name as Name] = (keyList, args = []) => {
            if (keyList.length !== keys) return Promise.reject(new RangeError(`script ${name} takes ${keys} key(s), got ${keyList.length}`));
            return call(...keyList, ...args);
        };
    }
    redis.on("ready", load);
    if (redis.status === "ready") load();
    return runners;
}
