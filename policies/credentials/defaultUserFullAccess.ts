import type { StackValidationPolicy } from "@pulumi/policy";
import { dangerousCommands, isEnabled } from "../engine/acl";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { checkedWorkloads } from "../engine/workloads";
import { redisSecurity, docsUrl } from "../engine/metadata";

export const defaultUserFullAccess: StackValidationPolicy = stackPolicy({
    name: "redis-default-user-full-access",
    description:
        "Redis should not let the default user (what requirepass protects) run every command: one shared password then carries CONFIG, REPLICAOF and FLUSHALL (on a Sentinel, SENTINEL SET, MONITOR and FAILOVER) to every client. Declare ACL users with least privilege and turn default off.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: redisSecurity("ACL: When ACLs are useful", "Trusted clients have just the minimum access level"),
    tags: ["redis", "acl", "least-privilege"],
    remediationSteps:
        "Declare ACL users with what each client needs (the components generate `app`, `admin` and `replication`, and `extraUsers` of your own) and `user default off`. With `requirepass` alone every client holds CONFIG, REPLICAOF and FLUSHALL.",
    url: docsUrl("redis-default-user-full-access"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        for (const w of checkedWorkloads(args)) {
            if (!w.fileKnown) continue;
            if (w.settings.directives.has("aclfile") && !w.settings.aclFileRead) continue;
            // Without a `default` line Redis creates it with every command (requirepass only sets its password).
            const rules = w.settings.users.find((u) => u[0] === "default")?.slice(1) ?? ["on", "+@all"];
            // On a Sentinel, against its own commands (SENTINEL SET, MONITOR, FAILOVER…). The default user
            // is never taken for the user Sentinels authenticate as: it is what requirepass and every
            // unauthenticated client share.
            if (isEnabled(rules) && dangerousCommands(rules, w.sentinel ? "sentinel" : "server").length > 0) {
                reportViolation(
                    "Redis lets the default user run administrative commands; declare an app user without @dangerous (+info), an admin user, and `user default off`.",
                    w.resource.urn,
                );
            }
        }
    },
});
