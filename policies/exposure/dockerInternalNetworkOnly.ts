import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, knownItems, knownString, UNKNOWN } from "../engine/known";
import { redisWorkloads } from "../engine/workloads";
import { CONTAINER_TYPE, namespaceOwner } from "../engine/dockerContainers";
import { cisDocker, docsUrl } from "../engine/metadata";

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
        const containers = args.resources.filter((r) => r.type === CONTAINER_TYPE);
        for (const w of redisWorkloads(args.resources).filter((w) => w.platform === "docker")) {
            const owner = namespaceOwner(containers, w.container);
            // Joins a container outside the stack (redis-docker-network-unseen says so), or one not known yet: nothing to judge here.
            if (!("container" in owner)) continue;
            const c = owner.container;
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
