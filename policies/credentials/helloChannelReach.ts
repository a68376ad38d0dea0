import type { StackValidationPolicy } from "@pulumi/policy";
import { adminUsersProperty, configSchema, stackPolicy } from "../engine/exemptions";
import { reportHelloChannelUsers } from "../engine/helloChannel";
import { docsUrl, redisSecurity } from "../engine/metadata";

export const helloChannelReach: StackValidationPolicy = stackPolicy({
    name: "redis-hello-channel-reach",
    description:
        "In a stack that runs no Sentinel, Redis ACL users (but adminUsers and a Sentinel's own) should still not reach __sentinel__:hello: Sentinels of another stack may monitor these servers, and would obey a hello forged there (redis-sentinel-hello-channel enforces this where the Sentinels run in the same stack).",
    enforcementLevel: "advisory",
    severity: "medium",
    framework: redisSecurity(
        "ACL: Pub/Sub channel permissions",
        "channel patterns are allow-lists: grant applications only their own channels",
    ),
    tags: ["redis", "sentinel", "acl", "least-privilege"],
    remediationSteps:
        "Give application users channel patterns that leave the `__…` system channels out (`&[^_]* &_[^_]* &_`, plus `&__redis__:invalidate` and keyspace/keyevent patterns where needed) instead of `&*` or `allchannels`.",
    url: docsUrl("redis-hello-channel-reach"),
    configSchema: configSchema(adminUsersProperty),
    // Silent where a workload may yet be a Sentinel: which level applies cannot be told.
    validateStack: (args, reportViolation) => reportHelloChannelUsers("no", args, reportViolation),
});
