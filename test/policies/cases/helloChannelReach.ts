import { helloChannelReach } from "../../../policies/helloChannelReach";
import { UNKNOWN } from "../../../harness/policyHarness";
import { hardenedConf, internalNetwork, redisContainer, watchedConf } from "../../../harness/policyFixtures";
import { hardenedDocker, type PolicyCase } from "./shared";
import { serverWith, withSentinels } from "./sentinelHelloChannel";

const hash = "c".repeat(64);

export const helloChannelReachCase: PolicyCase = {
    policy: helloChannelReach,
    violating: [
        [
            "an app user with every channel (&*), no Sentinel in the stack",
            [internalNetwork, redisContainer({}, `${hardenedConf}\nuser web on #${hash} ~* &* +@all -@dangerous\n`)],
        ],
        [
            "a default user left on with every channel",
            [internalNetwork, redisContainer({}, `${hardenedConf}\nuser default on nopass ~* &* +@all\n`)],
        ],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        [
            "the server Sentinels watch, alone in its stack (the sentinel user on the hello channel)",
            [internalNetwork, redisContainer({}, watchedConf)],
        ],
        [
            "every channel beside Sentinels (redis-sentinel-hello-channel's concern)",
            withSentinels(serverWith(`user web on #${hash} ~* &* +@all -@dangerous`)),
        ],
    ],
    unknown: [
        ["a config unknown at preview", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]],
    ],
};
