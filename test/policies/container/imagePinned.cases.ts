import { imagePinned } from "../../../policies/container/imagePinned";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { nginxContainer, plainRedisContainer, redisStatefulSet } from "../../../harness/policy/fixtures";
import { type PolicyCase } from "../caseFixtures";

export const imagePinnedCase: PolicyCase = {
    policy: imagePinned,
    violating: [
        ["redis:latest", [plainRedisContainer({ image: "redis:latest" })]],
        ["an untagged RemoteImage", [{ type: "docker:index/remoteImage:RemoteImage", name: "img", props: { name: "redis" } }]],
        ["Redis 6", [redisStatefulSet({}, { image: "redis:6.2-alpine" })]],
    ],
    compliant: [
        [
            "redis:7-alpine",
            [plainRedisContainer(), { type: "docker:index/remoteImage:RemoteImage", name: "img", props: { name: "redis:7-alpine" } }],
        ],
        ["a digest pin", [redisStatefulSet({}, { image: `redis@sha256:${"a".repeat(64)}` })]],
        ["nginx:latest", [{ ...nginxContainer, props: { image: "nginx:latest" } }]],
    ],
    unknown: [["an unknown image", [plainRedisContainer({ image: UNKNOWN, command: ["redis-server"] })]]],
};
