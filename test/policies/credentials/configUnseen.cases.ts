import { configUnseen } from "../../../policies/credentials/configUnseen";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import {
    editConf,
    hardenedConf,
    hardenedKubernetes,
    internalNetwork,
    nginxContainer,
    plainRedisContainer,
    redisContainer,
    redisSecret,
    redisStatefulSet,
    sentinelTopology,
} from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker, k8sWith } from "../caseFixtures";

export const configUnseenCase: PolicyCase = {
    policy: configUnseen,
    violating: [
        ["a config file baked into the image", [internalNetwork, redisContainer({ uploads: [], volumes: [] })]],
        [
            "an aclfile nobody uploads",
            [internalNetwork, redisContainer({}, `${editConf(hardenedConf, { user: null })}\naclfile /usr/local/etc/redis/users.acl\n`)],
        ],
        ["an included file nobody uploads", [internalNetwork, redisContainer({}, `include /etc/redis/base.conf\n${hardenedConf}`)]],
        // The Secret it mounts is another stack's (or made by hand).
        ["a config Secret from outside the stack", hardenedKubernetes().filter((r) => r.type !== "kubernetes:core/v1:Secret")],
        [
            "a config Secret of the stack without the config file",
            k8sWith({ ...redisSecret(), props: { ...redisSecret().props, stringData: { password: "from-a-generator" } } }),
        ],
        ["a config path no volume covers", k8sWith(redisStatefulSet({}, { command: ["redis-server", "/etc/redis/redis.conf"] }))],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["the hardened Kubernetes deployment", hardenedKubernetes()],
        ["the Sentinel topology (config uploaded through a helper)", sentinelTopology()],
        ["the official image's defaults (no config file)", [plainRedisContainer()]],
        ["nginx", [nginxContainer]],
    ],
    unknown: [
        ["unknown uploads", [internalNetwork, redisContainer({ uploads: UNKNOWN })]],
        [
            "an upload whose file is not known yet",
            [internalNetwork, redisContainer({ uploads: [{ file: UNKNOWN, content: hardenedConf }] })],
        ],
        ["unknown volume mounts", k8sWith(redisStatefulSet({}, { volumeMounts: UNKNOWN }))],
        [
            "a stack Secret whose name is not known yet",
            k8sWith({ ...redisSecret(), props: { ...redisSecret().props, metadata: { name: UNKNOWN, namespace: "redis" } } }),
        ],
        ["the config path not known yet", [internalNetwork, redisContainer({ command: ["redis-server", UNKNOWN], uploads: [] })]],
    ],
};
