import { dockerNoPrivilegedOrSocket } from "../../../policies/dockerNoPrivilegedOrSocket";
import { UNKNOWN } from "../../../harness/policyHarness";
import { nginxContainer, redisContainer } from "../../../harness/policyFixtures";
import { type PolicyCase, hardenedDocker } from "./shared";

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
