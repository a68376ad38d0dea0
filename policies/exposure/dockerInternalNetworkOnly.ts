import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, knownItems, knownString, UNKNOWN } from "../engine/known";
import { redisWorkloads } from "../engine/workloads";
import { cisDocker, docsUrl } from "../engine/metadata";

/**
 * The container whose network a container listens on: itself, or the one whose namespace it joins
 * (`networkMode: container:<name or ID>`, e.g. a network holder as hardened-redis's Sentinel
 * topology uses), followed to the end. Undefined when that cannot be told here (a container outside
 * the stack, an unknown network mode, a loop).
 */
function namespaceOwner(containers: PolicyResource[], container: unknown): any {
    let c = container as any;
    for (let hops = 0; hops < 8; hops++) {
        const mode = known(() => c.networkMode as unknown);
        if (mode === UNKNOWN) return undefined;
        if (typeof mode !== "string" || !mode.startsWith("container:")) return c;
        const ref = mode.slice("container:".length);
        const owner = containers.find((r) => {
            const props = r.props as any;
            return knownString(() => props.name) === ref || knownString(() => props.id) === ref;
        });
        if (!owner) return undefined;
        c = owner.props;
    }
    return undefined;
}

export const dockerInternalNetworkOnly: StackValidationPolicy = stackPolicy({
    name: "redis-docker-internal-network-only",
    description:
        "Redis containers must sit only on internal Docker networks (judged on the container whose network namespace they join, if any): any other network gives them a route to and from the outside.",
    enforcementLevel: "mandatory",
    severity: "high",
    framework: cisDocker("5.30", 'Ensure that Docker\'s default bridge "docker0" is not used'),
    tags: ["docker", "network", "exposure", "isolation"],
    remediationSteps:
        "Attach Redis only to a `docker.Network` created with `internal: true` (DockerRedis does; `networkName` must name such a network) and to no other: drop the default bridge and every non-internal network from `networksAdvanced`. Clients join the internal network.",
    url: docsUrl("redis-docker-internal-network-only"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        // Networks of the stack by name and ID; networks from elsewhere are judged by what we can see.
        const internal = new Map<string, boolean>();
        for (const r of args.resources.filter((r) => r.type === "docker:index/network:Network")) {
            const props = r.props as any;
            const flag = known(() => props.internal === true);
            for (const key of [knownString(() => props.name), knownString(() => props.id)]) {
                if (key !== undefined && flag !== UNKNOWN) internal.set(key, flag);
            }
        }
        const containers = args.resources.filter((r) => r.type === "docker:index/container:Container");
        for (const w of redisWorkloads(args.resources).filter((w) => w.platform === "docker")) {
            const c = namespaceOwner(containers, w.container);
            // Joins a container outside the stack, or one not known yet: nothing to judge here.
            if (c === undefined) continue;
            if (c !== w.container && knownString(() => c.networkMode) === "host") {
                reportViolation(
                    "Redis container joins the network namespace of a container on the host network; give that container an internal network only.",
                    w.resource.urn,
                );
                continue;
            }
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
});
