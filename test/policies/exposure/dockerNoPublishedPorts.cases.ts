import { dockerNoPublishedPorts } from "../../../policies/exposure/dockerNoPublishedPorts";
import { UNKNOWN, type TestResource } from "../../../harness/policy/inProcess";
import {
    containerFromImageId,
    imageContainer,
    nginxContainer,
    OTHER_REDIS_IMAGES,
    plainRedisContainer,
    redisContainer,
    swarmService,
} from "../../../harness/policy/fixtures";
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
        // Another container port than 6379, so only the image says Redis.
        ...OTHER_REDIS_IMAGES.map(([what, image]): [string, TestResource[]] => [
            `${what} on another port`,
            [imageContainer(image, { ports: [{ internal: 7000, external: 7000 }] })],
        ]),
        [
            "dragonfly from another image, its port as a flag",
            [imageContainer("example/app:1", { command: ["dragonfly", "--port=7000"], ports: [{ internal: 7000, external: 7000 }] })],
        ],
        // Redis listens on the ports of the container whose namespace it joins (with or without Docker's leading slash).
        [
            "a holder container publishing a port (Redis started on it)",
            [
                redisContainer({ networkMode: "container:holder", networksAdvanced: [] }),
                {
                    type: "docker:index/container:Container",
                    name: "holder",
                    props: {
                        name: "holder",
                        image: "alpine:3.20",
                        command: ["sleep", "infinity"],
                        ports: [{ internal: 7000, external: 7000 }],
                    },
                },
            ],
        ],
        [
            "a holder named with a leading slash",
            [
                redisContainer({ networkMode: "container:/holder", networksAdvanced: [] }),
                {
                    type: "docker:index/container:Container",
                    name: "holder",
                    props: { name: "holder", image: "alpine:3.20", command: ["sleep", "infinity"], publishAllPorts: true },
                },
            ],
        ],
        // Published through the routing mesh on every node of the swarm.
        [
            "a Swarm service of redis:7 with a published port",
            [swarmService("redis:7.2-alpine", { endpointSpec: { ports: [{ targetPort: 6379, publishedPort: 6379 }] } })],
        ],
        [
            "a Swarm service running redis-server from another image, in host publish mode",
            [
                swarmService("example/app:1", {
                    containerSpec: { commands: ["redis-server"], args: ["--port", "7000"] },
                    endpointSpec: { ports: [{ targetPort: 7000, publishedPort: 7000, publishMode: "host" }] },
                }),
            ],
        ],
        [
            "a Swarm service publishing 6379 of another image",
            [swarmService("example/app:1", { endpointSpec: { ports: [{ targetPort: 6379 }] } })],
        ],
        // Only the stack says what the image is: named by ID, or at preview by the dependency.
        ["the image named by ID", containerFromImageId("redis:7.2-alpine", { ports: [{ internal: 7000, external: 7000 }] })],
        ["the image ID not known yet", containerFromImageId("redis:7.2-alpine", { publishAllPorts: true }, "preview")],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["an nginx container with a published port", [nginxContainer]],
        ["a Swarm service of redis:7 without published ports", [swarmService("redis:7.2-alpine", { endpointSpec: { ports: [] } })]],
        [
            "a Swarm service of nginx with a published port",
            [swarmService("nginx:1.27", { endpointSpec: { ports: [{ targetPort: 80, publishedPort: 8080 }] } })],
        ],
        ["nginx by image ID with a published port", containerFromImageId("nginx:1.27", { ports: [{ internal: 80, external: 8080 }] })],
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
