import { dockerContainerHardening } from "../../../policies/container/dockerContainerHardening";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { containerFromImageId, nginxContainer, plainRedisContainer, redisContainer } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const dockerContainerHardeningCase: PolicyCase = {
    policy: dockerContainerHardening,
    violating: [
        ["the official image's defaults", [plainRedisContainer()]],
        ["root", [redisContainer({ user: "0:0" })]],
        ["capabilities kept", [redisContainer({ capabilities: undefined })]],
        ["no no-new-privileges", [redisContainer({ securityOpts: [] })]],
        ["a writable root", [redisContainer({ readOnly: false })]],
        ["a bind mount", [redisContainer({ volumes: [{ hostPath: "/srv/redis", containerPath: "/data" }] })]],
        ["the image's defaults, the image named by ID", containerFromImageId("redis:7.2-alpine")],
        ["the image's defaults, the image ID not known yet", containerFromImageId("redis:7.2-alpine", {}, "preview")],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["nginx as root", [nginxContainer]],
        ["nginx by image ID as root", containerFromImageId("nginx:1.27")],
    ],
    unknown: [["an unknown user and capability list", [redisContainer({ user: UNKNOWN, capabilities: { drops: UNKNOWN } })]]],
};
