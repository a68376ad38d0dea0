import { dockerNoHostNamespaces } from "../../../policies/exposure/dockerNoHostNamespaces";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { nginxContainer, redisContainer } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const dockerNoHostNamespacesCase: PolicyCase = {
    policy: dockerNoHostNamespaces,
    violating: [
        ["host networking", [redisContainer({ networkMode: "host" })]],
        ["the host PID namespace", [redisContainer({ pidMode: "host" })]],
        ["the host IPC namespace", [redisContainer({ ipcMode: "host" })]],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["nginx on the host network", [{ ...nginxContainer, props: { ...nginxContainer.props, networkMode: "host" } }]],
    ],
    unknown: [["an unknown network mode", [redisContainer({ networkMode: UNKNOWN })]]],
};
