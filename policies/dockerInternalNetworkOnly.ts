import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, isExempt } from "./lib/exemptions";
import { known, knownItems, knownString, UNKNOWN } from "./lib/redis";
import { redisWorkloads } from "./lib/workloads";

export const dockerInternalNetworkOnly: StackValidationPolicy = {
    name: "redis-docker-internal-network-only",
    description:
        "Redis containers must sit only on internal Docker networks: any other network gives them a route to and from the outside.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const config = args.getConfig<{ exemptResources?: string[] }>();
        // Networks of the stack by name and ID; networks from elsewhere are judged by what we can see.
        const internal = new Map<string, boolean>();
        for (const r of args.resources.filter((r) => r.type === "docker:index/network:Network")) {
            const props = r.props as any;
            const flag = known(() => props.internal === true);
            for (const key of [knownString(() => props.name), knownString(() => props.id)]) {
                if (key !== undefined && flag !== UNKNOWN) internal.set(key, flag);
            }
        }
        for (const w of redisWorkloads(args.resources).filter((w) => w.platform === "docker")) {
            if (isExempt(w.resource, config)) continue;
            const c = w.container as any;
            const mode = knownString(() => c.networkMode);
            const networks = knownItems<any>(() => c.networksAdvanced);
            const names = networks.items.map((n) => knownString(() => n.name));
            if (networks.complete && names.length === 0 && (mode === undefined || mode === "bridge" || mode === "default")) {
                reportViolation(
                    "Redis container is on Docker's default bridge network, which is not internal; attach it to an internal network only.",
                    w.resource.urn,
                );
                continue;
            }
            // A network outside this stack cannot be judged here; one of the stack's, or Docker's
            // built-in bridge, can.
            const external = names.filter((name) => name === "bridge" || (name !== undefined && internal.get(name) === false));
            if (external.length > 0) {
                reportViolation(
                    `Redis container is attached to ${external.length} Docker network(s) that are not internal; use internal networks only.`,
                    w.resource.urn,
                );
            }
        }
    },
};
