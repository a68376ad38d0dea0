import { helloChannelReach } from "../../../policies/credentials/helloChannelReach";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { hardenedConf, internalNetwork, redisContainer, watchedConf } from "../../../harness/policy/fixtures";
import { hardenedDocker, type PolicyCase } from "../caseFixtures";
import { serverWith, withSentinels } from "./sentinelHelloChannel.cases";

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
