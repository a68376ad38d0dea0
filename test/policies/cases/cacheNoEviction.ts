import { cacheNoEviction } from "../../../policies/cacheNoEviction";
import { UNKNOWN } from "../../../harness/policyHarness";
import { editConf, hardenedConf, plainRedisContainer, redisContainer } from "../../../harness/policyFixtures";
import { type PolicyCase, hardenedDocker } from "./shared";

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
