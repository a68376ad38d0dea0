import { memoryLimit } from "../../../policies/container/memoryLimit";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { editConf, hardenedConf, hardenedKubernetes, redisContainer, redisStatefulSet } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker, k8sWith } from "../caseFixtures";

export const memoryLimitCase: PolicyCase = {
    policy: memoryLimit,
    violating: [
        ["no container memory limit", [redisContainer({ memory: undefined })]],
        ["no maxmemory", [redisContainer({}, editConf(hardenedConf, { maxmemory: null }))]],
        ["no Kubernetes limit", k8sWith(redisStatefulSet({}, { resources: {} }))],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["the hardened StatefulSet", hardenedKubernetes()],
    ],
    unknown: [["an unknown memory limit and config", [redisContainer({ memory: UNKNOWN, uploads: UNKNOWN })]]],
};
