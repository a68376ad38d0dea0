import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, isExempt } from "./lib/exemptions";
import { directive, redisSettings, UNKNOWN } from "./lib/redis";
import { redisWorkloads } from "./lib/workloads";

export const cacheNoEviction: StackValidationPolicy = {
    name: "redis-cache-noeviction",
    description: "A Redis cache should evict (e.g. allkeys-lfu) rather than use noeviction: at maxmemory, noeviction fails every write with OOM errors.",
    enforcementLevel: "advisory",
    severity: "medium",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<{ exemptResources?: string[] }>();
        for (const w of redisWorkloads(args.resources)) {
            if (isExempt(w.resource, config) || w.config === UNKNOWN) continue;
            const settings = redisSettings(w.config, w.args);
            const maxmemory = directive(settings, "maxmemory");
            const policy = directive(settings, "maxmemory-policy") ?? "noeviction";
            if (maxmemory !== undefined && maxmemory !== "0" && policy === "noeviction") {
                reportViolation("Redis has a maxmemory but the noeviction policy; if it is a cache, use allkeys-lfu (list it in exemptResources if it is a store).", w.resource.urn);
            }
        }
    },
};
