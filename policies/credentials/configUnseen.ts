import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { redisSecurity, docsUrl } from "../engine/metadata";
import { checkedWorkloads } from "../engine/workloads";

export const configUnseen: StackValidationPolicy = stackPolicy({
    name: "redis-config-unseen",
    description:
        "Redis should start from configuration the stack delivers: a config file, included file or aclfile baked into the image or mounted from outside the stack cannot be read by the pack, so its password, ACL and hardening go unchecked.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: redisSecurity("Authentication", "The recommended authentication method for Redis 6 and above is via Access Control Lists"),
    tags: ["redis", "authentication", "hardening", "visibility"],
    remediationSteps:
        "Deliver Redis's config in the stack: a Docker upload (or an upload into a volume Redis mounts), or a ConfigMap or Secret of the same stack mounted at its directory, as DockerRedis and KubernetesRedis do. If the file is known to be safe, exempt the workload by name.",
    url: docsUrl("redis-config-unseen"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        // The aclfile is read by checkedWorkloads, so every file Redis is asked for is noted by then.
        for (const w of checkedWorkloads(args)) {
            if (!w.argvKnown || w.unseenFiles.size === 0) continue;
            reportViolation(
                `${w.sentinel ? "Sentinel" : "Redis"} reads ${w.unseenFiles.size} file(s) (its config, an included file or its aclfile) that no resource of this stack delivers; the pack cannot check the password, ACL and hardening in them.`,
                w.resource.urn,
            );
        }
    },
});
