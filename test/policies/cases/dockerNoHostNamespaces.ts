import { dockerNoHostNamespaces } from "../../../policies/dockerNoHostNamespaces";
import { UNKNOWN } from "../../../harness/policyHarness";
import { nginxContainer, redisContainer } from "../../../harness/policyFixtures";
import { type PolicyCase, hardenedDocker } from "./shared";

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
