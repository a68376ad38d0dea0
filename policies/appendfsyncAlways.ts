import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, isExempt } from "./lib/exemptions";
import { directive, redisSettings, UNKNOWN } from "./lib/redis";
import { redisWorkloads } from "./lib/workloads";

export const appendfsyncAlways: StackValidationPolicy = {
    name: "redis-appendfsync-always",
    description: "Redis should not use appendfsync always: it fsyncs every write, costing roughly 10x write throughput, where everysec risks at most one second.",
    enforcementLevel: "advisory",
    severity: "low",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<{ exemptResources?: string[] }>();
        for (const w of redisWorkloads(args.resources)) {
            if (isExempt(w.resource, config)) continue;
            const settings = redisSettings(w.config === UNKNOWN ? undefined : w.config, w.args);
            if (directive(settings, "appendfsync") === "always") {
                reportViolation("Redis uses appendfsync always; use everysec unless every write must survive a power cut.", w.resource.urn);
            }
        }
    },
};
