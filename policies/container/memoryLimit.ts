import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, UNKNOWN } from "../engine/known";
import { directive } from "../engine/redisConf";
import { checkedWorkloads } from "../engine/workloads";
import { cisDocker, docsUrl } from "../engine/metadata";

export const memoryLimit: StackValidationPolicy = stackPolicy({
    name: "redis-memory-limit",
    description:
        "Redis should have a container memory limit and a maxmemory below it: Redis does not read the cgroup limit, so without maxmemory it grows until the kernel kills it.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: cisDocker("5.11", "Ensure that the memory usage for containers is limited"),
    tags: ["docker", "kubernetes", "memory", "availability"],
    remediationSteps:
        "Give the container a memory limit (Docker `memory`, Kubernetes `resources.limits.memory`) and `maxmemory` at about 75% of it; the components set both from `memoryLimitMb` (and `maxmemory`, 75% of it by default).",
    url: docsUrl("redis-memory-limit"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        for (const w of checkedWorkloads(args)) {
            const c = w.container as any;
            const limit =
                w.platform === "docker"
                    ? known(() => c.memory as number | undefined)
                    : known(() => c.resources?.limits?.memory as string | undefined);
            if (limit !== UNKNOWN && (limit === undefined || limit === 0)) {
                reportViolation(
                    "Redis container has no memory limit; set one (Docker memory / Kubernetes resources.limits.memory).",
                    w.resource.urn,
                );
            }
            // A Sentinel keeps no data set to bound with maxmemory; its container's limit still applies.
            if (w.fileKnown && !w.sentinel) {
                const maxmemory = directive(w.settings, "maxmemory");
                if (maxmemory === undefined || maxmemory === "0") {
                    reportViolation("Redis has no maxmemory; set it to about 75% of the container's memory limit.", w.resource.urn);
                }
            }
        }
    },
});
