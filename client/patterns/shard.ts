import type Redis from "ioredis";

/**
 * Spreads a hot key over `shards` keys (`<key>:shard:<i>`), so its traffic is not all on
 * one key — and, in a cluster, on one node. With no `i` a shard is picked at random,
 * which suits writes that are merged on read (counters, sets).
 */
export function shardedKey(key: string, shards: number, i?: number): string {
    if (!Number.isInteger(shards) || shards < 1) throw new RangeError("shardedKey: shards must be an integer >= 1");
    const index = i ?? Math.floor(Math.random() * shards);
    if (!Number.isInteger(index) || index < 0 || index >= shards)
        throw new RangeError(`shardedKey: i must be an integer in [0, ${shards})`);
    return `${key}:shard:${index}`;
}

/** Every shard key of `key`. */
export function shardKeys(key: string, shards: number): string[] {
    if (!Number.isInteger(shards) || shards < 1) throw new RangeError("shardKeys: shards must be an integer >= 1");
    return Array.from({ length: shards }, (_, i) => shardedKey(key, shards, i));
}

/** Adds `by` to one random shard of a sharded counter; each shard gets the TTL, if given. */
export async function incrSharded(redis: Redis, key: string, shards: number, by = 1, ttlSeconds?: number): Promise<void> {
    const shard = shardedKey(key, shards);
    const tx = redis.multi().incrby(shard, by);
    if (ttlSeconds !== undefined) tx.expire(shard, ttlSeconds);
    const failed = (await tx.exec())?.find(([error]) => error !== null);
    if (failed) throw failed[0] as Error;
}

/** The total of a sharded counter: one MGET over every shard. */
export async function sumSharded(redis: Redis, key: string, shards: number): Promise<number> {
    const values = await redis.mget(shardKeys(key, shards));
    return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
}
