import { persistence } from "../../../policies/operations/persistence";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import {
    editConf,
    hardenedConf,
    hardenedKubernetes,
    internalNetwork,
    redisContainer,
    redisSecret,
    redisStatefulSet,
} from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const persistenceCase: PolicyCase = {
    policy: persistence,
    violating: [
        ["AOF and RDB both off", [internalNetwork, redisContainer({}, editConf(hardenedConf, { appendonly: "no" }))]],
        [
            "no volume at /data",
            [internalNetwork, redisContainer({ volumes: [{ volumeName: "cache-config", containerPath: "/usr/local/etc/redis" }] })],
        ],
        [
            "a StatefulSet without a claim at /data",
            [redisStatefulSet({}, { volumeMounts: [{ name: "config", mountPath: "/usr/local/etc/redis" }] }), redisSecret()],
        ],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["the hardened StatefulSet", hardenedKubernetes()],
        ["RDB only", [internalNetwork, redisContainer({}, editConf(hardenedConf, { appendonly: "no", save: "900 1" }))]],
    ],
    unknown: [["unknown volumes and config", [redisContainer({ volumes: UNKNOWN, uploads: UNKNOWN })]]],
};
