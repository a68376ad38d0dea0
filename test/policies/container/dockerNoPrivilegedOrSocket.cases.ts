import { dockerNoPrivilegedOrSocket } from "../../../policies/container/dockerNoPrivilegedOrSocket";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { nginxContainer, redisContainer } from "../../../harness/policy/fixtures";
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
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["a privileged nginx", [nginxContainer]],
    ],
    unknown: [
        ["unknown privileged flag", [redisContainer({ privileged: UNKNOWN })]],
        ["an unknown host path", [redisContainer({ volumes: [{ hostPath: UNKNOWN, containerPath: "/x" }] })]],
    ],
};
