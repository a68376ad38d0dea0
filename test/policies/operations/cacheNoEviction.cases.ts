import { cacheNoEviction } from "../../../policies/operations/cacheNoEviction";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { editConf, hardenedConf, plainRedisContainer, redisContainer } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const cacheNoEvictionCase: PolicyCase = {
    policy: cacheNoEviction,
    violating: [
        ["maxmemory with noeviction", [redisContainer({}, editConf(hardenedConf, { "maxmemory-policy": "noeviction" }))]],
        ["maxmemory with the default policy", [redisContainer({}, editConf(hardenedConf, { "maxmemory-policy": null }))]],
    ],
    compliant: [
        ["allkeys-lfu", hardenedDocker()],
        ["no maxmemory (another policy's concern)", [plainRedisContainer()]],
    ],
    unknown: [["unknown config", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]]],
};
