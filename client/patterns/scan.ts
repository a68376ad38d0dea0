import type Redis from "ioredis";

export interface ScanOptions {
    /** Keys Redis examines per SCAN call: a hint that trades round trips against time blocked. Default 100. */
    count?: number;
    /** Only keys of this Redis type (string, hash, list, set, zset, stream). */
    type?: string;
}

/**
 * Iterates the keys matching `pattern` with SCAN, never KEYS: each call examines about
 * `count` keys, so the server keeps serving other clients between calls. SCAN may return
 * a key more than once; each is yielded exactly once. Memory grows with the number of
 * distinct keys yielded.
 */
export async function* scanKeys(redis: Redis, pattern: string, options: ScanOptions = {}): AsyncGenerator<string> {
    const seen = new Set<string>();
    const stream = redis.scanStream({ match: pattern, count: options.count ?? 100, ...(options.type ? { type: options.type } : {}) });
    for await (const batch of stream as AsyncIterable<string[]>) {
        for (const key of batch) {
            if (seen.has(key)) continue;
            seen.add(key);
            yield key;
        }
    }
}
