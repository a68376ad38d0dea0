import { appendfsyncAlways } from "../../../policies/operations/appendfsyncAlways";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { editConf, hardenedConf, hardenedKubernetes, plainRedisContainer, redisContainer } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

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
