import { dockerInternalNetworkOnly } from "../../../policies/exposure/dockerInternalNetworkOnly";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { internalNetwork, nginxContainer, redisContainer, sentinelTopology } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const dockerInternalNetworkOnlyCase: PolicyCase = {
    policy: dockerInternalNetworkOnly,
    violating: [
        ["a network that is not internal", [{ ...internalNetwork, props: { name: "redis-net", internal: false } }, redisContainer()]],
        ["the default bridge", [redisContainer({ networksAdvanced: undefined })]],
        ["the built-in bridge by name", [redisContainer({ networksAdvanced: [{ name: "bridge" }] })]],
        // Host mode by indirection: the container whose namespace Redis joins is on the host network.
        ["Sentinel joining a holder on the host network", sentinelTopology(undefined, {}, { networkMode: "host", networksAdvanced: [] })],
    ],
    compliant: [
        ["the hardened container on its internal network", hardenedDocker()],
        ["a network from another stack (cannot be judged here)", [redisContainer({ networksAdvanced: [{ name: "shared-internal" }] })]],
        ["nginx on the default bridge", [nginxContainer]],
    ],
    unknown: [
        ["an unknown internal flag", [{ ...internalNetwork, props: { name: "redis-net", internal: UNKNOWN } }, redisContainer()]],
        ["unknown networks", [internalNetwork, redisContainer({ networksAdvanced: UNKNOWN })]],
    ],
};
