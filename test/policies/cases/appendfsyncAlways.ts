import { appendfsyncAlways } from "../../../policies/appendfsyncAlways";
import { UNKNOWN } from "../../../harness/policyHarness";
import { editConf, hardenedConf, hardenedKubernetes, plainRedisContainer, redisContainer } from "../../../harness/policyFixtures";
import { type PolicyCase, hardenedDocker } from "./shared";

export const appendfsyncAlwaysCase: PolicyCase = {
    policy: appendfsyncAlways,
    violating: [
        ["appendfsync always", [redisContainer({}, editConf(hardenedConf, { appendfsync: "always" }))]],
        ["--appendfsync always", [plainRedisContainer({ command: ["redis-server", "--appendfsync", "always"] })]],
    ],
    compliant: [
        ["everysec", hardenedDocker()],
        ["everysec on Kubernetes", hardenedKubernetes()],
    ],
    unknown: [["unknown config", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]]],
};
