import { sentinelHelloChannel } from "../../../policies/credentials/sentinelHelloChannel";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { internalNetwork, plainRedisContainer, redisContainer, watchedConf } from "../../../harness/policy/fixtures";
import type { TestResource } from "../../../harness/policy/inProcess";
import type { PolicyCase } from "../caseFixtures";

const hash = "c".repeat(64);
/**
 * A stack with a Sentinel (recognised by its command; its config is not read) and a server it
 * watches. A Sentinel's own users are judged in test/policies/credentials/sentinelHelloChannel.test.ts,
 * on hardened-redis's whole Sentinel topology.
 */
export const withSentinels = (serverConf: string): TestResource[] => [
    internalNetwork,
    { ...plainRedisContainer({ command: ["redis-sentinel", "/etc/redis/sentinel.conf"] }), name: "sentinel" },
    redisContainer({}, serverConf),
];
/** The server's config with one more user. */
export const serverWith = (userLine: string) => `${watchedConf}\n${userLine}\n`;

export const sentinelHelloChannelCase: PolicyCase = {
    policy: sentinelHelloChannel,
    violating: [
        [
            "an app user with every channel (&*), beside Sentinels",
            withSentinels(serverWith(`user web on #${hash} ~* &* +@all -@dangerous`)),
        ],
        ["allchannels in upper case", withSentinels(serverWith(`user web on #${hash} ~* ALLCHANNELS +@all -@dangerous`))],
        [
            "acl-pubsub-default allchannels and a user with no channel rule",
            withSentinels(`${serverWith(`user web on #${hash} ~* +@all -@dangerous`)}\nacl-pubsub-default allchannels\n`),
        ],
        ["a pattern that matches the hello channel (__*)", withSentinels(serverWith(`user web on #${hash} ~* &__* +publish`))],
        ["a selector granting every channel", withSentinels(serverWith(`user web on #${hash} ~* resetchannels +@all -@dangerous (~x &*)`))],
    ],
    compliant: [
        [
            "the hardened Sentinel topology (app on application channels, sentinel user on the hello channel, admin)",
            withSentinels(watchedConf),
        ],
        [
            "an application user on its own channels",
            withSentinels(serverWith(`user web on #${hash} ~* &orders:* &[^_]* +@all -@dangerous`)),
        ],
        ["every channel but no pub/sub command", withSentinels(serverWith(`user web on #${hash} ~* &* +get`))],
        ["a user with every channel that is off", withSentinels(serverWith(`user web off #${hash} ~* &* +@all`))],
        [
            "every channel without any Sentinel in the stack (redis-hello-channel-reach's concern)",
            [redisContainer({}, serverWith(`user web on #${hash} ~* &* +@all -@dangerous`))],
        ],
    ],
    unknown: [
        [
            "a server config unknown at preview, beside Sentinels",
            withSentinels(watchedConf).map((r) =>
                r.name === "cache" ? redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] }) : r,
            ),
        ],
    ],
};
