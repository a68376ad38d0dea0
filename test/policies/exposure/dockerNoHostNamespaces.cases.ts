import { dockerNoHostNamespaces } from "../../../policies/exposure/dockerNoHostNamespaces";
import { UNKNOWN, type TestResource } from "../../../harness/policy/inProcess";
import {
    containerFromImageId,
    imageContainer,
    nginxContainer,
    OTHER_REDIS_IMAGES,
    redisContainer,
    swarmService,
} from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const dockerNoHostNamespacesCase: PolicyCase = {
    policy: dockerNoHostNamespaces,
    violating: [
        ["host networking", [redisContainer({ networkMode: "host" })]],
        ["the host PID namespace", [redisContainer({ pidMode: "host" })]],
        ["the host IPC namespace", [redisContainer({ ipcMode: "host" })]],
        // Other images of the server, with nothing else saying Redis.
        ...OTHER_REDIS_IMAGES.map(([what, image]): [string, TestResource[]] => [
            `${what} on the host network`,
            [imageContainer(image, { networkMode: "host" })],
        ]),
        [
            "valkey-server from another image on the host network",
            [imageContainer("example/app:1", { command: ["valkey-server"], networkMode: "host" })],
        ],
        [
            "a Swarm service of Valkey on the host network",
            [
                swarmService("valkey/valkey:8", {
                    taskSpec: { containerSpec: { image: "valkey/valkey:8" }, networksAdvanced: [{ name: "host" }] },
                }),
            ],
        ],
        // Known as Redis only through the stack: the image ID is the RemoteImage's, or (at preview) comes from it.
        ["the host networking, the image named by ID", containerFromImageId("redis:7.2-alpine", { networkMode: "host" })],
        ["host networking, the image ID not known yet", containerFromImageId("valkey/valkey:8", { networkMode: "host" }, "preview")],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["nginx on the host network", [{ ...nginxContainer, props: { ...nginxContainer.props, networkMode: "host" } }]],
        ["nginx by image ID on the host network", containerFromImageId("nginx:1.27", { networkMode: "host" })],
        ["nginx at preview on the host network", containerFromImageId("nginx:1.27", { networkMode: "host" }, "preview")],
    ],
    unknown: [["an unknown network mode", [redisContainer({ networkMode: UNKNOWN })]]],
};
