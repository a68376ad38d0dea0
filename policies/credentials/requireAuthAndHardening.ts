import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { choice, redisSettings, requiresAuth } from "../engine/redisConf";
import { logsInWithoutPassword } from "../engine/acl";
import { checkedWorkloads } from "../engine/workloads";
import { redisReleases, releaseDisablesAuth } from "../engine/helmReleases";
import { redisSecurity, docsUrl } from "../engine/metadata";

export const requireAuthAndHardening: StackValidationPolicy = stackPolicy({
    name: "redis-requires-auth-and-hardening",
    description:
        "Redis must require a password, keep protected mode, rename or disable CONFIG and keep DEBUG/MODULE off: each missing guard has been used to take over exposed servers. A Sentinel must require a password too (it has no CONFIG to rename).",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: redisSecurity("Authentication", "The recommended authentication method for Redis 6 and above is via Access Control Lists"),
    tags: ["redis", "authentication", "hardening"],
    remediationSteps:
        'DockerRedis and KubernetesRedis generate ACL users, turn `default` off and rename CONFIG to a random name. In a hand-written config: `user default off` plus ACL users with passwords from a secret (or `requirepass` from a secret), no `protected-mode no`, `rename-command CONFIG "<random>"` or `""`, and `enable-debug-command no`, `enable-module-command no`.',
    url: docsUrl("redis-requires-auth-and-hardening"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        // A chart's Release shows only its values: authentication turned off there is off in every server it renders.
        for (const release of redisReleases(args.resources)) {
            if (releaseDisablesAuth(release.props))
                reportViolation(
                    "Helm release of Redis turns authentication off (auth.enabled: false); turn it on with a password from a Secret.",
                    release.urn,
                );
        }
        for (const { settings, fileKnown, argvKnown, resource, sentinel, args: argv } of checkedWorkloads(args)) {
            // Arguments override the file; when the file cannot be read, judge only what the arguments set.
            const report = (message: string) => reportViolation(message, resource.urn);
            // A default user that logs in without a password, given as an argument: whatever the file
            // says, Redis then runs without auth (or refuses to start, on a second default user).
            const argsDefault = redisSettings(undefined, argv).users.find((u) => u[0] === "default");
            const openByArgs = argsDefault !== undefined && logsInWithoutPassword(argsDefault.slice(1));
            if ((fileKnown && !requiresAuth(settings)) || (!fileKnown && argvKnown && openByArgs))
                report(
                    `${sentinel ? "Redis Sentinel" : "Redis"} accepts clients without a password; set one from a secret (requirepass, or ACL users and user default off).`,
                );
            if (choice(settings, "protected-mode") === "no") report("Redis runs with protected-mode no; remove it.");
            // Sentinel has no CONFIG command (it is configured with SENTINEL CONFIG, which ACL rules govern).
            // Renamed to itself (any case), CONFIG still answers.
            const config = settings.renamed.get("config");
            if (fileKnown && !sentinel && (config === undefined || config.toLowerCase() === "config"))
                report("Redis keeps the CONFIG command; rename it to a random name or disable it (rename-command CONFIG).");
            for (const key of ["enable-debug-command", "enable-module-command"]) {
                const value = choice(settings, key);
                if (value === "yes" || value === "local") report(`Redis enables ${key}; set it to no.`);
            }
        }
    },
});
