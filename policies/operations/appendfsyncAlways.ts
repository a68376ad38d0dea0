import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { choice } from "../engine/redisConf";
import { checkedWorkloads } from "../engine/workloads";
import { docsUrl } from "../engine/metadata";

export const appendfsyncAlways: StackValidationPolicy = stackPolicy({
    name: "redis-appendfsync-always",
    description:
        "Redis should not use appendfsync always: it fsyncs every write (a third of everysec's throughput for one-at-a-time writes, measured), where everysec risks at most one second.",
    enforcementLevel: "advisory",
    severity: "low",
    tags: ["redis", "persistence", "performance"],
    remediationSteps:
        "Use `appendfsync everysec` (the components' default), which loses at most a second of writes on a crash. If every acknowledged write must survive, keep `always` and lower this policy for that stack, or confirm writes with WAIT to replicas instead.",
    url: docsUrl("redis-appendfsync-always"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        // A Sentinel keeps no data: these settings do not apply to it.
        for (const w of checkedWorkloads(args).filter((w) => !w.sentinel)) {
            if (choice(w.settings, "appendfsync") === "always") {
                reportViolation("Redis uses appendfsync always; use everysec unless every write must survive a power cut.", w.resource.urn);
            }
        }
    },
});
