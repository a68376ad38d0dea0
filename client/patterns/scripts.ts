import { createHash } from "node:crypto";
import type Redis from "ioredis";

export interface ScriptDefinition {
    /** The Lua source. */
    lua: string;
    /** How many of the arguments are keys (KEYS[1..n]); the rest are ARGV. */
    keys: number;
}

export type ScriptRunner = (keys: string[], args?: (string | number)[]) => Promise<unknown>;

/**
 * Registers Lua scripts through ioredis' defineCommand: the source goes over each
 * connection once (EVAL, which also caches it on the server), every later call is an
 * EVALSHA with the 40-byte digest, and after a NOSCRIPT (SCRIPT FLUSH, a restart) the
 * source is sent again. Preloading with SCRIPT LOAD would save nothing: ioredis tracks
 * what each socket has sent, not what the server holds.
 */
export function defineScripts<Name extends string>(redis: Redis, scripts: Record<Name, ScriptDefinition>): Record<Name, ScriptRunner> {
    const runners = {} as Record<Name, ScriptRunner>;
    for (const [name, { lua, keys }] of Object.entries<ScriptDefinition>(scripts)) {
        // Named by content, so two scripts never share a command and one script is defined once.
        const command = `hardenedRedis_${createHash("sha1").update(`${keys}:${lua}`).digest("hex")}`;
        if (!(command in redis)) redis.defineCommand(command, { lua, numberOfKeys: keys });
        const call = (redis as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[command].bind(redis);
        runners[name as Name] = (keyList, args = []) => {
            if (keyList.length !== keys)
                return Promise.reject(new RangeError(`script ${name} takes ${keys} key(s), got ${keyList.length}`));
            return call(...keyList, ...args);
        };
    }
    return runners;
}

/** The runners for `scripts`, defined once per client on first use. */
export function scriptsPerClient<Name extends string>(
    scripts: Record<Name, ScriptDefinition>,
): (redis: Redis) => Record<Name, ScriptRunner> {
    const byClient = new WeakMap<Redis, Record<Name, ScriptRunner>>();
    return (redis) => {
        let runners = byClient.get(redis);
        if (!runners) byClient.set(redis, (runners = defineScripts(redis, scripts)));
        return runners;
    };
}
