import { dockerNoPrivilegedOrSocket } from "../../../policies/container/dockerNoPrivilegedOrSocket";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { containerFromImageId, nginxContainer, redisContainer } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const dockerNoPrivilegedOrSocketCase: PolicyCase = {
    policy: dockerNoPrivilegedOrSocket,
    violating: [
        ["privileged", [redisContainer({ privileged: true })]],
        [
            "the Docker socket bound",
            [redisContainer({ volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] })],
        ],
        [
            "the Docker socket as a mount",
            [redisContainer({ mounts: [{ type: "bind", source: "/run/docker.sock", target: "/docker.sock" }] })],
        ],
        ["privileged, the image named by ID", containerFromImageId("redis:7.2-alpine", { privileged: true })],
        ["privileged, the image ID not known yet", containerFromImageId("redis:7.2-alpine", { privileged: true }, "preview")],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["a privileged nginx", [nginxContainer]],
        ["a privileged nginx by image ID", containerFromImageId("nginx:1.27", { privileged: true })],
    ],
    unknown: [
        ["unknown privileged flag", [redisContainer({ privileged: UNKNOWN })]],
        ["an unknown host path", [redisContainer({ volumes: [{ hostPath: UNKNOWN, containerPath: "/x" }] })]],
    ],
};
