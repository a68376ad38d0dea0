import type { StackValidationPolicy } from "@pulumi/policy";
import { CONTAINER_TYPE, namespaceOwner } from "../engine/dockerContainers";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { cisDocker, docsUrl } from "../engine/metadata";
import { redisWorkloads } from "../engine/workloads";

export const dockerNetworkUnseen: StackValidationPolicy = stackPolicy({
    name: "redis-docker-network-unseen",
    description:
        "Redis containers should not listen in the network namespace of a container outside the stack (`networkMode: container:<x>`): the pack cannot see that container's networks, ports or host mode, so it cannot tell whether Redis is exposed.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: cisDocker("5.10", "Ensure that the host's network namespace is not shared"),
    tags: ["docker", "network", "exposure", "visibility"],
    remediationSteps:
        "Declare the container whose namespace Redis joins in the same stack (the pack then judges its networks as Redis's), or give Redis an internal network of its own. If that container is known to be safe, exempt the Redis container by name.",
    url: docsUrl("redis-docker-network-unseen"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const containers = args.resources.filter((r) => r.type === CONTAINER_TYPE);
        // With its command not known, a container is Redis by a guess (its image): advice must not rest on one.
        for (const w of redisWorkloads(args.resources).filter((w) => w.platform === "docker" && w.argvKnown)) {
            const owner = namespaceOwner(containers, w.container);
            if ("outside" in owner)
                reportViolation(
                    "Redis container listens in the network namespace of a container that is not in this stack; the pack cannot tell whether that exposes it.",
                    w.resource.urn,
                );
        }
    },
});
