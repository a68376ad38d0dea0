import type { StackValidationPolicy } from "@pulumi/policy";
import { dangerousCommands, isEnabled } from "./lib/acl";
import { configSchema } from "./lib/exemptions";
import { checkedWorkloads } from "./lib/workloads";

/** What a replica needs from its primary: a user holding only these is a replication user. */
const REPLICATION: ReadonlySet<string> = new Set(["psync", "replconf", "sync"]);

export const nonAdminUserDangerousCommands: StackValidationPolicy = {
    name: "redis-non-admin-user-dangerous-commands",
    description:
        "Redis ACL users other than the admin users should hold no @admin/@dangerous command (replicas' PSYNC/REPLCONF aside): an application credential that can run CONFIG, ACL SETUSER, REPLICAOF, MONITOR or FLUSHALL turns any leak into a takeover.",
    enforcementLevel: "advisory",
    severity: "medium",
    configSchema: configSchema({
        adminUsers: {
            type: "array",
            items: { type: "string" },
            default: ["admin"],
            description: "ACL user names that may hold administrative commands (hardened-redis calls its operators' user admin).",
        },
    }),
    validateStack: (args, reportViolation) => {
        const admins = new Set(args.getConfig<{ adminUsers?: string[] }>().adminUsers ?? ["admin"]);
        for (const w of checkedWorkloads(args)) {
            // The default user is redis-default-user-full-access's concern.
            const risky = w.settings.users.filter(
                ([name, ...rules]) =>
                    name !== "default" &&
                    !admins.has(name) &&
                    isEnabled(rules) &&
                    dangerousCommands(rules).some((c) => !REPLICATION.has(c)),
            );
            if (risky.length > 0) {
                reportViolation(
                    `Redis has ${risky.length} ACL user(s) outside adminUsers that can run @dangerous commands; give applications +@all -@dangerous +info and keep administration to an admin user.`,
                    w.resource.urn,
                );
            }
        }
    },
};
