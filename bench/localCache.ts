// How long a process's local copy can outlive a write by another client: from the writer's SET
// being acknowledged to the reader's cache having dropped the key (Redis's invalidation arrived).
import type Redis from "ioredis";
import { localCache } from "../client";

/**
 * `rounds` times: the cache reads a key, another client overwrites it, and the time until the
 * cache has dropped its copy is measured from the SET's acknowledgement, in ms. A read in the
 * window would have returned the old value; this is that window.
 */
export async function invalidationDelays(reader: Redis, writer: Redis, rounds: number): Promise<number[]> {
    const cache = await localCache(reader);
    const delays: number[] = [];
    try {
        for (let i = 0; i < rounds; i++) {
            const key = `invalidation:${i % 100}`;
            await writer.set(key, "old");
            // Drop what an earlier round held, then read it back in: the next write must reach it.
            cache.clear();
            if ((await cache.get(key)) !== "old" || cache.size !== 1) throw new Error("the cache did not keep the key");
            const before = cache.stats.invalidations;
            await writer.set(key, "new");
            const acknowledged = process.hrtime.bigint();
            // setImmediate, not a timer: the loop turns as soon as the socket has data.
            while (cache.stats.invalidations === before) await new Promise((r) => setImmediate(r));
            delays.push(Number(process.hrtime.bigint() - acknowledged) / 1e6);
        }
    } finally {
        await cache.close();
    }
    return delays;
}
