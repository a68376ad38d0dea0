import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema } from "./lib/exemptions";
import { directive, requiresAuth } from "./lib/redis";
import { checkedWorkloads } from "./lib/workloads";

export const requireAuthAndHardening: StackValidationPolicy = {
    name: "redis-requires-auth-and-hardening",
    description:
        "Redis must require a password, keep protected mode, rename or disable CONFIG and keep DEBUG/MODULE off: each missing guard has been used to take over exposed servers.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        for (const { settings, fileKnown, resource } of checkedWorkloads(args)) {
            // Arguments override the file; when the file cannot be read, judge only what the arguments set.
            const report = (message: string) => reportViolation(message, resource.urn);
            if (fileKnown && !requiresAuth(settings))
                report("Redis accepts clients without a password; set one (requirepass or an ACL user) from a secret.");
            if (directive(settings, "protected-mode") === "no") report("Redis runs with protected-mode no; remove it.");
            if (fileKnown && !settings.renamed.has("config"))
                report("Redis keeps the CONFIG command; rename it to a random name or disable it (rename-command CONFIG).");
            for (const key of ["enable-debug-command", "enable-module-command"]) {
                const value = directive(settings, key);
                if (value === "yes" || value === "local") report(`Redis enables ${key}; set it to no.`);
            }
        }
    },
};
