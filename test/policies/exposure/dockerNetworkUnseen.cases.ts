import { dockerNetworkUnseen } from "../../../policies/exposure/dockerNetworkUnseen";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { internalNetwork, redisContainer, sentinelTopology } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const dockerNetworkUnseenCase: PolicyCase = {
    policy: dockerNetworkUnseen,
    violating: [
        // Which could be on the host network: nothing in the stack says.
        [
            "Redis in the namespace of a container outside the stack",
            [redisContainer({ networkMode: "container:legacy-holder", networksAdvanced: [] })],
        ],
        [
            "Sentinel in a namespace that leads outside the stack",
            sentinelTopology(undefined, {}, { networkMode: "container:other-stack-holder", networksAdvanced: [] }),
        ],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        // hardened-redis's own: the network holder is in the stack, and judged there.
        ["the Sentinel topology with its network holder", sentinelTopology()],
    ],
    unknown: [
        ["an unknown network mode", [internalNetwork, redisContainer({ networkMode: UNKNOWN })]],
        [
            "a namespace owner whose name is not known yet",
            [
                redisContainer({ networkMode: "container:holder-1a2b", networksAdvanced: [] }),
                {
                    type: "docker:index/container:Container",
                    name: "holder",
                    props: { name: UNKNOWN, image: "busybox:1", command: ["sleep", "1d"] },
                },
            ],
        ],
    ],
};
