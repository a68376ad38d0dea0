import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema, resourcePolicy } from "../engine/exemptions";
import { knownString } from "../engine/known";
import { containersOf, isRedisImage, isRedisK8sContainer, podSpecOf, POD_TYPES } from "../engine/recognise";
import { docsUrl } from "../engine/metadata";
import { imageTagAndDigest } from "../shared/syntax";

interface Config {
    requireDigest?: boolean;
    tagPattern?: string;
}

const DEFAULT_TAG_PATTERN = "^7(\\.|-|$)";

/**
 * Images whose tags are Redis's versions (`redis`, `redis-sentinel`, `redis-stack-server`…), which
 * `tagPattern` applies to; Valkey's, KeyDB's and Dragonfly's versions are their own, and only need a pin.
 */
const REDIS_VERSIONED = /(^|\/)redis(-[a-z-]+)?(:|@|$)/;

/** What is wrong with a Redis image reference, or undefined. */
function problem(image: string, config: Config): string | undefined {
    const { tag, digest } = imageTagAndDigest(image);
    if (config.requireDigest && digest === undefined) return "is not pinned to a digest (@sha256:…)";
    if (digest !== undefined && tag === undefined) return undefined;
    if (tag === undefined) return "has no tag, so it means latest";
    if (tag === "latest") return "uses the latest tag";
    if (REDIS_VERSIONED.test(image) && !new RegExp(config.tagPattern ?? DEFAULT_TAG_PATTERN).test(tag))
        return "has a tag outside the allowed Redis versions";
    return undefined;
}

export const imagePinned: ResourceValidationPolicy = resourcePolicy({
    name: "redis-image-pinned",
    description:
        "Redis images should be pinned to a Redis 7 tag or digest, never latest or untagged: an unpinned image changes Redis major version, and its config semantics, on the next pull.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["supply-chain", "image"],
    remediationSteps:
        "Use a Redis 7 tag (`redis:7-alpine`, the components' default) or, better, a digest (`redis:7-alpine@sha256:…`); never `latest` or no tag. `requireDigest` and `tagPattern` tighten the rule.",
    url: docsUrl("redis-image-pinned"),
    configSchema: configSchema({
        requireDigest: { type: "boolean", default: false, description: "Require an @sha256 digest on every Redis image." },
        tagPattern: { type: "string", default: DEFAULT_TAG_PATTERN, description: "Regular expression the image tag must match." },
    }),
    validateResource: (args, reportViolation) => {
        const config = args.getConfig<Config>();
        const props = args.props as any;
        const images: string[] = [];
        if (args.type === "docker:index/remoteImage:RemoteImage" || args.type === "docker:index/container:Container") {
            const image = knownString(() => (args.type.endsWith("RemoteImage") ? props.name : props.image));
            if (isRedisImage(image)) images.push(image as string);
        } else if (POD_TYPES.has(args.type)) {
            for (const c of containersOf(podSpecOf(args.type, props)).filter(isRedisK8sContainer)) {
                const image = knownString(() => c.image);
                if (image !== undefined) images.push(image);
            }
        }
        for (const image of images) {
            const issue = problem(image, config);
            if (issue) reportViolation(`Redis image ${issue}; pin a Redis 7 tag or digest (e.g. redis:7-alpine@sha256:…).`);
        }
    },
});
