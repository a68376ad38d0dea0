import { dockerNoPublishedPorts } from "../../../policies/exposure/dockerNoPublishedPorts";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { nginxContainer, plainRedisContainer, redisContainer } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const dockerNoPublishedPortsCase: PolicyCase = {
    policy: dockerNoPublishedPorts,
    violating: [
        ["a published Redis port", [redisContainer({ ports: [{ internal: 6379, external: 6379 }] })]],
        ["publishAllPorts", [redisContainer({ publishAllPorts: true })]],
        // Its ports open on the first `docker start`, by hand or by a later update.
        ["a Redis container created stopped", [redisContainer({ start: false, ports: [{ internal: 6379, external: 6379 }] })]],
        [
            "a hand-written redis:7 container with a port",
            [plainRedisContainer({ ports: [{ internal: 6379, external: 16379, ip: "0.0.0.0" }] })],
        ],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["an nginx container with a published port", [nginxContainer]],
    ],
    unknown: [
        ["unknown ports", [redisContainer({ ports: UNKNOWN })]],
        ["an unknown port element", [redisContainer({ ports: [UNKNOWN] })]],
        [
            "an unknown image on a container without other Redis signs",
            [{ type: "docker:index/container:Container", name: "x", props: { image: UNKNOWN, ports: [{ internal: 80 }] } }],
        ],
    ],
};
