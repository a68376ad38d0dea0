import { imagePinned } from "../../../policies/container/imagePinned";
import { UNKNOWN, type TestResource } from "../../../harness/policy/inProcess";
import {
    imageContainer,
    nginxContainer,
    OTHER_REDIS_IMAGES,
    plainRedisContainer,
    redisStatefulSet,
} from "../../../harness/policy/fixtures";
import { type PolicyCase } from "../caseFixtures";

export const imagePinnedCase: PolicyCase = {
    policy: imagePinned,
    violating: [
        ["redis:latest", [plainRedisContainer({ image: "redis:latest" })]],
        ["an untagged RemoteImage", [{ type: "docker:index/remoteImage:RemoteImage", name: "img", props: { name: "redis" } }]],
        ["Redis 6", [redisStatefulSet({}, { image: "redis:6.2-alpine" })]],
        ...OTHER_REDIS_IMAGES.map(([what, image]): [string, TestResource[]] => [
            `${what}, latest`,
            [imageContainer(`${image.replace(/:[^:/]*$/, "")}:latest`)],
        ]),
        ["Redis Stack 6", [imageContainer("redis/redis-stack:6.2.6-v17")]],
    ],
    compliant: [
        [
            "redis:7-alpine",
            [plainRedisContainer(), { type: "docker:index/remoteImage:RemoteImage", name: "img", props: { name: "redis:7-alpine" } }],
        ],
        ["a digest pin", [redisStatefulSet({}, { image: `redis@sha256:${"a".repeat(64)}` })]],
        ["nginx:latest", [{ ...nginxContainer, props: { image: "nginx:latest" } }]],
        // Their own versions: a pin is enough.
        ...OTHER_REDIS_IMAGES.map(([what, image]): [string, TestResource[]] => [`${what}, pinned`, [imageContainer(image)]]),
    ],
    unknown: [["an unknown image", [plainRedisContainer({ image: UNKNOWN, command: ["redis-server"] })]]],
};
