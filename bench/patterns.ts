// Two of the seed guide's patterns against the anti-pattern each replaces, on one server:
// EVALSHA (defineScripts) against sending the script's source with every call, and SCAN
// (scanKeys) against KEYS, measured as the server times them.
import type Redis from "ioredis";
import { defineScripts, pipelineInBatches, scanKeys, type Command } from "../client";

/** A sliding-window rate limiter: a script of the size real ones have (about 500 bytes). */
const RATE_LIMIT = {
    keys: 1,
    lua: `-- At most ARGV[3] calls per ARGV[2] ms for KEYS[1]; ARGV[1] is now (ms), ARGV[4] names this call.
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}`,
};

/** Calls per second for `total` calls, `inFlight` at a time, each `call(i)`. */
async function callsPerSecond(total: number, inFlight: number, call: (i: number) => Promise<unknown>): Promise<number> {
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
        Array.from({ length: inFlight }, async () => {
            while (next < total) await call(next++);
        }),
    );
    return total / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/**
 * The rate limiter through defineScripts (EVALSHA) and as EVAL with its source, as runs for an
 * interleaved measurement. Each side has keys of its own and a limit no call reaches, so both do
 * the same work every call (trim, count, add, expire).
 */
export function scriptRuns(redis: Redis, total: number): Record<"evalsha" | "eval", () => Promise<number>> {
    const { rateLimit } = defineScripts(redis, { rateLimit: RATE_LIMIT });
    const args = (i: number) => [String(Date.now()), "1000", String(total), `call-${i}`];
    return {
        evalsha: () => callsPerSecond(total, 100, (i) => rateLimit([`rl:sha:${i % 100}`], args(i))),
        eval: () => callsPerSecond(total, 100, (i) => redis.eval(RATE_LIMIT.lua, 1, `rl:eval:${i % 100}`, ...args(i))),
    };
}

/** The server's p99.9 time for one call of `command` since the last reset (INFO latencystats, Redis 7's latency tracking), in ms. */
async function p999Ms(admin: Redis, command: string): Promise<number> {
    const line = new RegExp(`^latency_percentiles_usec_${command}:.*p99\\.9=([\\d.]+)`, "m").exec(await admin.info("latencystats"));
    if (!line) throw new Error(`INFO latencystats has no ${command}`);
    return Number(line[1]) / 1000;
}

export interface KeyListing {
    /** The server's time for one call at p99.9 (the one call, for KEYS): how long every other client waits behind it (ms). */
    blockedMs: number;
    /** Wall time to list every key (ms). */
    tookMs: number;
}

/**
 * Loads `keys` keys, then lists them with one KEYS and with scanKeys (COUNT 100), resetting the
 * server's command statistics before each. `admin` must be allowed KEYS and the renamed CONFIG.
 */
export async function keyListings(admin: Redis, configCommand: string, keys: number): Promise<{ keys: KeyListing; scan: KeyListing }> {
    const load: Command[] = Array.from({ length: keys }, (_, i) => ["set", `listing:${i}`, "v"]);
    await pipelineInBatches(admin, load, 1_000);
    const timed = async (command: string, run: () => Promise<number>): Promise<KeyListing> => {
        await admin.call(configCommand, "RESETSTAT");
        const t0 = performance.now();
        const listed = await run();
        const tookMs = performance.now() - t0;
        if (listed !== keys) throw new Error(`${command} listed ${listed} keys of ${keys}`);
        return { blockedMs: await p999Ms(admin, command), tookMs };
    };
    const result = {
        keys: await timed("keys", async () => (await admin.keys("listing:*")).length),
        scan: await timed("scan", async () => {
            const listed: string[] = [];
            for await (const key of scanKeys(admin, "listing:*")) listed.push(key);
            return listed.length;
        }),
    };
    await pipelineInBatches(
        admin,
        load.map(([, key]) => ["unlink", key]),
        1_000,
    );
    return result;
}
