import type { StackValidationPolicy } from "@pulumi/policy";
import { dockerContainerPolicy } from "../engine/dockerContainers";
import { configSchema } from "../engine/exemptions";
import { knownItems, knownString } from "../engine/known";
import { cisDocker, docsUrl } from "../engine/metadata";

export const dockerNoHostNamespaces: StackValidationPolicy = dockerContainerPolicy({
    name: "redis-docker-no-host-namespaces",
    description:
        "Redis containers must not share the host's network, PID or IPC namespace: host networking exposes Redis on every host interface and sharing namespaces gives it the host's processes.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: cisDocker("5.10", "Ensure that the host's network namespace is not shared"),
    tags: ["docker", "network", "isolation"],
    remediationSteps:
        'Remove `networkMode: "host"`, `pidMode: "host"` and `ipcMode: "host"` from the container; put it on an internal network (DockerRedis creates one, or takes yours with `networkName`).',
    url: docsUrl("redis-docker-no-host-namespaces"),
    configSchema: configSchema(),
    validateContainer: (container, reportViolation) => {
        const modes = { networkMode: "network", pidMode: "PID", ipcMode: "IPC" } as const;
        for (const [field, what] of Object.entries(modes)) {
            if (knownString(() => container[field as keyof typeof modes]) === "host") {
                reportViolation(
                    `Redis container uses the host's ${what} namespace (${field}: host); give it its own on an internal network.`,
                );
            }
        }
    },
    validateSwarmService: (service, reportViolation) => {
        const networks = knownItems<any>(() => service.taskSpec?.networksAdvanced).items.map((n) => knownString(() => n.name));
        if (networks.includes("host"))
            reportViolation("Redis Swarm service's tasks join the host network; give them an internal overlay network.");
    },
});
