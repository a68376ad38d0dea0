import type Redis from "ioredis";
import { FRAGMENTATION_RATIO_LIMIT, FRAGMENTED_BYTES_WORTH_ACTING } from "../../redis/metrics/fragmentation";

/**
 * Redis's memory health, from one `INFO memory stats` round trip. Sizes are bytes, ratios plain
 * numbers (1.5 = 150 %), counters totals since the server started (or since `CONFIG RESETSTAT`).
 */
export interface MemoryReport {
    /** What Redis allocated for data and its own structures (`used_memory`). */
    usedBytes: number;
    /** The highest `usedBytes` so far (`used_memory_peak`). */
    peakBytes: number;
    /** What the operating system holds for the process (`used_memory_rss`): the figure a container's memory limit counts. */
    rssBytes: number;
    /** The `maxmemory` limit; undefined when unlimited (0). */
    maxmemoryBytes: number | undefined;
    /** What Redis evicts when `maxmemory` is reached (`maxmemory_policy`). */
    maxmemoryPolicy: string;
    /** `usedBytes / maxmemoryBytes`; undefined when unlimited. Evictions begin at 1; alert well before (0.8). */
    usedOfMaxmemory: number | undefined;
    /**
     * `rssBytes / usedBytes` (`mem_fragmentation_ratio`). Above 1.5 the process holds half again what
     * its data needs, typically after many deletions. Meaningless while the dataset is small (the
     * process's fixed overhead dominates): read it together with `fragmentationBytes`.
     */
    fragmentationRatio: number;
    /** `rssBytes - usedBytes` (`mem_fragmentation_bytes`): what a purge could at most give back. */
    fragmentationBytes: number;
    /** The allocator's own fragmentation (`allocator_frag_ratio`, jemalloc only); undefined with another allocator. */
    allocatorFragmentationRatio: number | undefined;
    /** The allocator (`mem_allocator`, e.g. `jemalloc-5.3.0`); MEMORY PURGE only acts on jemalloc. */
    allocator: string;
    /** Keys evicted because of `maxmemory` (`evicted_keys`): on a cache, normal; on a store, data loss. */
    evictedKeys: number;
    /** Keys removed because their TTL passed (`expired_keys`). */
    expiredKeys: number;
    keyspaceHits: number;
    keyspaceMisses: number;
    /** `hits / (hits + misses)`; undefined before the first lookup. */
    hitRatio: number | undefined;
}

/** `INFO` text as field → value (`# Section` headers and blank lines skipped). */
export function parseInfo(text: string): Map<string, string> {
    const fields = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
        const at = line.indexOf(":");
        if (at > 0 && !line.startsWith("#")) fields.set(line.slice(0, at), line.slice(at + 1));
    }
    return fields;
}

/** Reads the memory and keyspace figures; any user with `INFO` may (the components' `app` user can). */
export async function memoryReport(redis: Redis): Promise<MemoryReport> {
    const info = parseInfo(String(await redis.call("INFO", "memory", "stats")));
    const number = (field: string): number => {
        const value = Number(info.get(field));
        if (info.get(field) === undefined || Number.isNaN(value)) throw new Error(`memoryReport: INFO has no numeric ${field}`);
        return value;
    };
    const used = number("used_memory");
    const maxmemory = number("maxmemory");
    const hits = number("keyspace_hits");
    const misses = number("keyspace_misses");
    const allocatorRatio = info.get("allocator_frag_ratio");
    return {
        usedBytes: used,
        peakBytes: number("used_memory_peak"),
        rssBytes: number("used_memory_rss"),
        maxmemoryBytes: maxmemory === 0 ? undefined : maxmemory,
        maxmemoryPolicy: info.get("maxmemory_policy") ?? "",
        usedOfMaxmemory: maxmemory === 0 ? undefined : used / maxmemory,
        fragmentationRatio: number("mem_fragmentation_ratio"),
        fragmentationBytes: number("mem_fragmentation_bytes"),
        allocatorFragmentationRatio: allocatorRatio === undefined ? undefined : Number(allocatorRatio),
        allocator: info.get("mem_allocator") ?? "",
        evictedKeys: number("evicted_keys"),
        expiredKeys: number("expired_keys"),
        keyspaceHits: hits,
        keyspaceMisses: misses,
        hitRatio: hits + misses === 0 ? undefined : hits / (hits + misses),
    };
}

export interface PurgeOptions {
    /** Purge only above this `fragmentationRatio`. Default 1.5, the seed guide's threshold. */
    whenFragmentationAbove?: number;
    /**
     * ...and only when at least this many bytes are fragmented, so a small dataset's high ratio (the
     * process's fixed overhead) triggers nothing. Default 32 MiB.
     */
    minimumFragmentedBytes?: number;
}

export interface PurgeResult {
    /** Whether MEMORY PURGE was sent. */
    purged: boolean;
    before: MemoryReport;
    /** Read again after the purge; the same as `before` when nothing was sent. */
    after: MemoryReport;
}

/**
 * `MEMORY PURGE` (jemalloc hands its free pages back to the OS) only when the figures say it is
 * worth it: typically after a bulk delete. It blocks the server while it runs, so call it from one
 * operations job (the `admin` credential, or any user allowed `MEMORY`: on Redis 7.0 it is `@slow`,
 * outside `@dangerous`, so the components' `app` user may run it too), not on a request path.
 */
export async function purgeMemory(redis: Redis, options: PurgeOptions = {}): Promise<PurgeResult> {
    const { whenFragmentationAbove = FRAGMENTATION_RATIO_LIMIT, minimumFragmentedBytes = FRAGMENTED_BYTES_WORTH_ACTING } = options;
    const before = await memoryReport(redis);
    const worthIt =
        before.allocator.startsWith("jemalloc") &&
        before.fragmentationRatio > whenFragmentationAbove &&
        before.fragmentationBytes >= minimumFragmentedBytes;
    if (!worthIt) return { purged: false, before, after: before };
    await redis.call("MEMORY", "PURGE");
    return { purged: true, before, after: await memoryReport(redis) };
}
