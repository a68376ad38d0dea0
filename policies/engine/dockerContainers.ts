// Docker containers judged in the stack view. A container created from a RemoteImage's ID
// (`image: img.imageId`, a `sha256:…`) names no image of its own: only the stack knows which
// image that ID, or the resource the container takes it from, is. Every Docker container policy
// recognises Redis through here, so none of them can be walked around that way.
import type { Container } from "@pulumi/docker";
import type { ResolvedResource } from "@pulumi/pulumi/queryable";
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { exemptRemediation, stackPolicy } from "./exemptions";
import { known, knownItems, knownString, UNKNOWN } from "./known";
import { isRedisDockerContainer, isRedisImage, looksLikeRedisDockerContainer, portRole, redisServerArgs, strings } from "./recognise";

export const CONTAINER_TYPE = "docker:index/container:Container";
const SWARM_SERVICE_TYPE = "docker:index/service:Service";

/** The Docker provider's image resources, and the property that names the image each pulled or built. */
const IMAGE_NAME_PROPERTY: Readonly<Record<string, string>> = {
    "docker:index/remoteImage:RemoteImage": "name",
    "docker:index/image:Image": "imageName",
};

/** An image reference that names no repository: an image ID, with or without its `sha256:` prefix. */
const IMAGE_ID = /^(sha256:)?[0-9a-f]{12,64}$/;

/**
 * The image a stack's Docker containers run, by name: `image` as written when it names one;
 * otherwise (an image ID, or a value not known until the image is pulled) the name of the stack's
 * image resource with that ID, or the one the container's `image` is taken from.
 */
export function dockerImageResolver(resources: PolicyResource[]): (container: PolicyResource) => string | undefined {
    const images = resources.filter((r) => r.type in IMAGE_NAME_PROPERTY);
    const nameOf = (image: PolicyResource) => knownString(() => (image.props as any)[IMAGE_NAME_PROPERTY[image.type]]);
    const byId = new Map<string, string>();
    for (const image of images) {
        const [id, name] = [knownString(() => (image.props as any).imageId), nameOf(image)];
        if (id !== undefined && name !== undefined) byId.set(id, name);
    }
    return (container) => {
        const written = knownString(() => (container.props as any).image);
        if (written !== undefined && !IMAGE_ID.test(written)) return written;
        if (written !== undefined && byId.has(written)) return byId.get(written);
        const from = (container.propertyDependencies?.image ?? []).find((r) => r.type in IMAGE_NAME_PROPERTY);
        return (from && nameOf(from)) ?? written;
    };
}

/**
 * The stack's Docker containers that run Redis, recognised with their images resolved. `created`:
 * also those created stopped (`start: false`), for settings that take effect on a later start.
 */
export function redisDockerContainers(resources: PolicyResource[], { created = false } = {}): PolicyResource[] {
    const imageOf = dockerImageResolver(resources);
    const recognise = created ? looksLikeRedisDockerContainer : isRedisDockerContainer;
    return resources.filter((r) => r.type === CONTAINER_TYPE && recognise(r.props, imageOf(r)));
}

/**
 * The stack's Swarm services whose tasks run Redis: by the task's image, its command, or a
 * published port targeting 6379.
 */
function redisSwarmServices(resources: PolicyResource[]): PolicyResource[] {
    return resources.filter((r) => {
        if (r.type !== SWARM_SERVICE_TYPE) return false;
        const props = r.props as any;
        const spec = known(() => props.taskSpec?.containerSpec as unknown) as any;
        if (isRedisImage(knownString(() => spec?.image))) return true;
        if (redisServerArgs([...strings(() => spec?.commands), ...strings(() => spec?.args)]) !== undefined) return true;
        return knownItems<any>(() => props.endpointSpec?.ports).items.some(
            (p) => portRole(known(() => p.targetPort as unknown)) !== undefined,
        );
    });
}

/**
 * The container whose network a container listens on: itself, or the one whose namespace it joins
 * (`networkMode: container:<name or ID>`, e.g. a network holder as hardened-redis's Sentinel
 * topology uses), followed to the end. `outside`: the name or ID of a container the chain reaches
 * that is not in the stack; `unknown`: a network mode not known yet, or a loop.
 */
export function namespaceOwner(
    containers: PolicyResource[],
    container: unknown,
): { container: any } | { outside: string } | { unknown: true } {
    let c = container as any;
    for (let hops = 0; hops < 8; hops++) {
        const mode = known(() => c.networkMode as unknown);
        if (mode === UNKNOWN) return { unknown: true };
        if (typeof mode !== "string" || !mode.startsWith("container:")) return { container: c };
        // Docker takes the name with or without its leading slash.
        const ref = mode.slice("container:".length).replace(/^\//, "");
        const owner = containers.find((r) => {
            const props = r.props as any;
            return knownString(() => props.name) === ref || knownString(() => props.id) === ref;
        });
        if (!owner) {
            // A container of the stack whose name or ID is not known yet may be the one.
            const unnamed = containers.some(
                (r) => known(() => (r.props as any).name as unknown) === UNKNOWN || known(() => (r.props as any).id as unknown) === UNKNOWN,
            );
            return unnamed ? { unknown: true } : { outside: ref };
        }
        c = owner.props;
    }
    return { unknown: true };
}

/** What a Docker container policy declares: a stack policy's metadata, a check per Redis container and an optional remediation. */
export interface DockerContainerPolicy extends Omit<StackValidationPolicy, "validateStack"> {
    /** Also check containers created stopped (`start: false`): for settings a later `docker start` brings into effect. */
    created?: boolean;
    /** Reports what is wrong with one Redis container (its properties). */
    validateContainer: (container: ResolvedResource<Container>, report: (message: string) => void, args: StackValidationArgs) => void;
    /** Reports what is wrong with one Swarm service whose tasks run Redis (its properties), where the policy applies to those too. */
    validateSwarmService?: (service: any, report: (message: string) => void, args: StackValidationArgs) => void;
    /**
     * Fixes a container at level `remediate`. It sees one resource, as the engine remediates
     * them, so it fixes only what is recognisable from the container alone; the stack check still
     * reports the rest (as mandatory).
     */
    remediateResource?: ResourceValidationPolicy["remediateResource"];
}

/**
 * A policy over every Redis container of the stack: a stack policy (exemptions applied as for
 * every policy), with the remediation, if any, run resource by resource.
 */
export function dockerContainerPolicy({
    created,
    validateContainer,
    validateSwarmService,
    remediateResource,
    ...policy
}: DockerContainerPolicy): StackValidationPolicy {
    const stack = stackPolicy({
        ...policy,
        validateStack: (args, reportViolation: ReportViolation) => {
            for (const r of redisDockerContainers(args.resources, { created })) {
                validateContainer(r.props as ResolvedResource<Container>, (message) => reportViolation(message, r.urn), args);
            }
            if (!validateSwarmService) return;
            for (const r of redisSwarmServices(args.resources))
                validateSwarmService(r.props, (message) => reportViolation(message, r.urn), args);
        },
    });
    // The policy server runs a policy with validateStack and remediateResource as both: the
    // stack check at AnalyzeStack, the remediation at Remediate (and "not applicable" at Analyze).
    return remediateResource ? Object.assign(stack, { remediateResource: exemptRemediation(remediateResource) }) : stack;
}
