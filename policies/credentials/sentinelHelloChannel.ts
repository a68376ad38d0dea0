import type { StackValidationPolicy } from "@pulumi/policy";
import { adminUsersProperty, configSchema, stackPolicy } from "../engine/exemptions";
import { reportHelloChannelUsers } from "../engine/helloChannel";
import { docsUrl, redisSecurity } from "../engine/metadata";

export const sentinelHelloChannel: StackValidationPolicy = stackPolicy({
    name: "redis-sentinel-hello-channel",
    description:
        "In a stack that runs Sentinels, no Redis or Sentinel ACL user but the Sentinels' own (and adminUsers) may reach __sentinel__:hello: Sentinels do not authenticate the hellos published there, and one forged hello with a newer epoch makes every Sentinel switch the primary to a server of the publisher's choosing, to which every client then sends its password.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: redisSecurity(
        "ACL: Pub/Sub channel permissions",
        "channel patterns are allow-lists: grant applications only their own channels",
    ),
    tags: ["redis", "sentinel", "acl", "least-privilege"],
    remediationSteps:
        "Replace `&*` (or `allchannels`) in application users with patterns that leave the `__…` system channels out: `&[^_]* &_[^_]* &_`, plus `&__redis__:invalidate` for client-side caching and `&__keyspace@*__:* &__keyevent@*__:*` for notifications (hardened-redis's app user). Only the user Sentinels authenticate as gets `&__sentinel__:hello`.",
    url: docsUrl("redis-sentinel-hello-channel"),
    configSchema: configSchema(adminUsersProperty),
    validateStack: (args, reportViolation) => reportHelloChannelUsers("yes", args, reportViolation),
});
