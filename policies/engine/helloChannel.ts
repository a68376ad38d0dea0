// Which Redis servers and Sentinels of a stack have users, other than the Sentinels' own and the
// operators', that reach __sentinel__:hello: the two hello-channel policies differ only in the
// stacks they judge (with Sentinels: mandatory; without: advisory).
import type { ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { adminUsersOf } from "./exemptions";
import { isEnabled, isSentinelUser, reachesHelloChannel } from "./acl";
import { checkedWorkloads } from "./workloads";

export interface HelloChannelFinding {
    urn: string;
    /** The users that reach the channel. */
    users: string[];
    /** Whether the workload is a Sentinel (which takes hellos published to it directly) rather than a Redis server. */
    sentinel: boolean;
}

/**
 * Whether the stack runs a Sentinel: "yes" when one is recognised, "unknown" when a Redis-image
 * workload's command is not known (at preview it may yet be a Sentinel), "no" otherwise.
 */
export function runsSentinels(args: StackValidationArgs): "yes" | "no" | "unknown" {
    const workloads = checkedWorkloads(args);
    if (workloads.some((w) => w.sentinel)) return "yes";
    return workloads.some((w) => !w.argvKnown) ? "unknown" : "no";
}

/** The workloads with users outside `admins` that may publish or subscribe on the hello channel. */
export function helloChannelFindings(args: StackValidationArgs, admins: ReadonlySet<string>): HelloChannelFinding[] {
    const findings: HelloChannelFinding[] = [];
    for (const w of checkedWorkloads(args)) {
        const mode = w.sentinel ? "sentinel" : "server";
        const pubsubDefault = w.settings.directives.get("acl-pubsub-default")?.[0];
        const users = w.settings.users
            .filter(
                ([name, ...rules]) =>
                    !admins.has(name) && isEnabled(rules) && !isSentinelUser(rules, mode) && reachesHelloChannel(rules, pubsubDefault),
            )
            .map(([name]) => name);
        if (users.length > 0) findings.push({ urn: w.resource.urn, users, sentinel: w.sentinel });
    }
    return findings;
}

/** The violation message, naming the users (never their rules, which may hold password hashes). */
export function helloChannelMessage(f: HelloChannelFinding): string {
    return `${f.sentinel ? "Sentinel" : "Redis"} has ACL user(s) ${f.users.join(", ")} that reach __sentinel__:hello (channel patterns that match it, and PUBLISH or SUBSCRIBE): one forged hello published there with a newer epoch makes every Sentinel switch the primary to a server of the publisher's choosing. Give them channel patterns that leave it out (e.g. &[^_]* &_[^_]* &__redis__:invalidate), and the hello channel only to the Sentinels' own user.`;
}

/** Reports every workload with users that reach the hello channel, when the stack's Sentinels are as `judged` says. */
export function reportHelloChannelUsers(judged: "yes" | "no", args: StackValidationArgs, reportViolation: ReportViolation): void {
    if (runsSentinels(args) !== judged) return;
    for (const finding of helloChannelFindings(args, adminUsersOf(args))) reportViolation(helloChannelMessage(finding), finding.urn);
}
