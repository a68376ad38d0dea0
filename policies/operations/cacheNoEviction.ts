import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { choice, directive } from "../engine/redisConf";
import { checkedWorkloads } from "../engine/workloads";
import { docsUrl } from "../engine/metadata";

export const cacheNoEviction: StackValidationPolicy = stackPolicy({
    name: "redis-cache-noeviction",
    description:
        "A Redis cache should evict (e.g. allkeys-lfu) rather than use noeviction: at maxmemory, noeviction fails every write with OOM errors.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["redis", "cache", "memory", "availability"],
    remediationSteps:
        "Set `maxmemoryPolicy` to an eviction policy (the components default to `allkeys-lfu`). For a store whose keys must never be evicted (a queue), keep `noeviction` and exempt the resource.",
    url: docsUrl("redis-cache-noeviction"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        // A Sentinel keeps no data: these settings do not apply to it.
        for (const w of checkedWorkloads(args).filter((w) => !w.sentinel)) {
            if (!w.fileKnown) continue;
            const maxmemory = directive(w.settings, "maxmemory");
            const policy = choice(w.settings, "maxmemory-policy") ?? "noeviction";
            if (maxmemory !== undefined && maxmemory !== "0" && policy === "noeviction") {
                reportViolation(
                    "Redis has a maxmemory but the noeviction policy; if it is a cache, use allkeys-lfu (list it in exemptResources if it is a store).",
                    w.resource.urn,
                );
            }
        }
    },
});
