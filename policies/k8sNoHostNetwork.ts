import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema, isExempt } from "./lib/exemptions";
import { known, knownItems, POD_TYPES, redisPods, UNKNOWN } from "./lib/redis";

export const k8sNoHostNetwork: ResourceValidationPolicy = {
    name: "redis-k8s-no-host-network",
    description:
        "Redis pods must not use hostNetwork or hostPort: either publishes Redis on the node's own addresses, outside any NetworkPolicy.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchema(),
    validateResource: (args, reportViolation) => {
        if (!POD_TYPES.has(args.type) || isExempt(args, args.getConfig())) return;
        const pods = redisPods(args.type, args.props);
        if (!pods) return;
        if (known(() => pods.spec.hostNetwork as unknown) === true) reportViolation("Redis pod uses hostNetwork; remove it.");
        const hostPorts = pods.containers.flatMap((c) =>
            knownItems<{ hostPort?: number }>(() => c.ports).items.map((p) => known(() => p.hostPort)),
        );
        if (hostPorts.some((p) => p !== undefined && p !== UNKNOWN))
            reportViolation("Redis container sets a hostPort; remove it and use a ClusterIP Service.");
    },
};
