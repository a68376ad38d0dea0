import type { StackValidationPolicy } from "@pulumi/policy";
import { dangerousCommands, isEnabled, isMetricsUser, isSentinelUser } from "../engine/acl";
import { adminUsersOf, adminUsersProperty, configSchema, stackPolicy } from "../engine/exemptions";
import { checkedWorkloads } from "../engine/workloads";
import { redisSecurity, docsUrl } from "../engine/metadata";
import { REPLICA_COMMANDS, REPLICATION_USER, SERVER_SCRIPT_COMMANDS } from "../shared/acl";

/** What a replica needs from its primary: a server user holding only these is a replication user. */
const REPLICATION: ReadonlySet<string> = new Set([...REPLICA_COMMANDS, "sync"]);

/**
 * Whether a dangerous command is a replication user's: on a server, by the command alone; on a
 * Sentinel, SENTINEL FAILOVER (the servers' handover) only for the user the servers' scripts
 * authenticate as, by its name: by its rules it is any credential that can force a failover.
 */
function replicationCommand(name: string, command: string, mode: "server" | "sentinel"): boolean {
    if (mode === "server") return REPLICATION.has(command);
    return name === REPLICATION_USER && SERVER_SCRIPT_COMMANDS.includes(command);
}

export const nonAdminUserDangerousCommands: StackValidationPolicy = stackPolicy({
    name: "redis-non-admin-user-dangerous-commands",
    description:
        "Redis ACL users other than the admin users should hold no @admin/@dangerous command (replicas' PSYNC/REPLCONF and on a Sentinel the replication user's SENTINEL FAILOVER, a primary's handover, and Sentinel's or a metrics exporter's own commands for a user limited to them, aside): an application credential that can run CONFIG, ACL SETUSER, REPLICAOF, MONITOR or FLUSHALL (on a Sentinel, SENTINEL SET or FAILOVER) turns any leak into a takeover.",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: redisSecurity("ACL: Command categories", "@admin and @dangerous: commands normal applications never need"),
    tags: ["redis", "acl", "least-privilege"],
    remediationSteps:
        "Grant application users `+@all -@dangerous` or narrower categories (`+@read +@write -@dangerous`); keep @admin and @dangerous to users named in `adminUsers`. The components' `app` user is `+@all -@dangerous +info`; give each `extraUsers` entry only the categories and commands it needs.",
    url: docsUrl("redis-non-admin-user-dangerous-commands"),
    configSchema: configSchema(adminUsersProperty),
    validateStack: (args, reportViolation) => {
        const admins = adminUsersOf(args);
        for (const w of checkedWorkloads(args)) {
            const mode = w.sentinel ? "sentinel" : "server";
            // The default user is redis-default-user-full-access's concern. A user Sentinels authenticate
            // as, or an exporter reads a server as, is known by its rules (only what it sends, no keys), whatever its name.
            const risky = w.settings.users.filter(
                ([name, ...rules]) =>
                    name !== "default" &&
                    !admins.has(name) &&
                    isEnabled(rules) &&
                    !isSentinelUser(rules, mode) &&
                    !(mode === "server" && isMetricsUser(rules)) &&
                    dangerousCommands(rules, mode).some((c) => !replicationCommand(name, c, mode)),
            );
            if (risky.length > 0) {
                reportViolation(
                    `Redis has ${risky.length} ACL user(s) outside adminUsers that can run @dangerous commands; give applications +@all -@dangerous +info and keep administration to an admin user.`,
                    w.resource.urn,
                );
            }
        }
    },
});
