import * as docker from "@pulumi/docker";
import { remediateResourceOfType, type StackValidationPolicy } from "@pulumi/policy";
import { CONTAINER_TYPE, dockerContainerPolicy, namespaceOwner } from "../engine/dockerContainers";
import { configSchema } from "../engine/exemptions";
import { known, knownItems, knownString } from "../engine/known";
import { looksLikeRedisDockerContainer } from "../engine/recognise";
import { cisDocker, docsUrl } from "../engine/metadata";

interface Config {
    allowLoopback?: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Why a Redis container's ports breach the policy, or undefined when they do not. */
function exposure(container: unknown, config: Config): string | undefined {
    const c = container as { ports?: Array<{ ip?: string; external?: number }>; publishAllPorts?: boolean };
    if (known(() => c.publishAllPorts) === true) return "publishes every exposed port (publishAllPorts)";
    const ports = knownItems(() => c.ports).items;
    const published = config.allowLoopback ? ports.filter((p) => !LOOPBACK.test(knownString(() => p.ip) ?? "0.0.0.0")) : ports;
    return published.length > 0 ? `publishes ${published.length} port(s) on the Docker host` : undefined;
}

export const dockerNoPublishedPorts: StackValidationPolicy = dockerContainerPolicy({
    name: "redis-docker-no-published-ports",
    description:
        "Redis containers must not publish ports on the host: an exposed Redis is found by scanners within minutes and taken over through CONFIG or replication.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: cisDocker("5.9", "Ensure that only needed ports are open on the container"),
    tags: ["docker", "network", "exposure"],
    remediationSteps:
        "DockerRedis publishes nothing: remove `ports` and `publishAllPorts` from a hand-written container and reach Redis from containers on its internal network (its alias resolves there). For local development only, bind to 127.0.0.1 and set `allowLoopback`. At level `remediate` the pack drops the ports itself.",
    url: docsUrl("redis-docker-no-published-ports"),
    configSchema: configSchema({
        allowLoopback: {
            type: "boolean",
            default: false,
            description: "Allow ports bound to a loopback address only (127.0.0.0/8, ::1), e.g. for local development.",
        },
    }),
    // Created stopped or not: the ports a container is created with open on its first `docker start`.
    created: true,
    validateContainer: (container, reportViolation, args) => {
        const config = args.getConfig<Config>();
        const problem = exposure(container, config);
        // In another container's network namespace, Redis listens on that container's ports.
        const containers = args.resources.filter((r) => r.type === CONTAINER_TYPE);
        const owner = namespaceOwner(containers, container);
        // A holder that looks like Redis itself is reported as one already.
        const holder =
            "container" in owner && owner.container !== container && !looksLikeRedisDockerContainer(owner.container)
                ? exposure(owner.container, config)
                : undefined;
        if (holder)
            reportViolation(
                `Redis container listens in the network namespace of a container that ${holder}; remove those ports and reach Redis from its internal network.`,
            );
        const stopped =
            known(() => (container as { start?: boolean }).start) === false ? " (created with start: false, until it is started)" : "";
        if (problem)
            reportViolation(`Redis container ${problem}${stopped}; remove the ports and reach it from containers on its internal network.`);
    },
    // A Swarm service publishes through the routing mesh, on every node of the swarm (or on the
    // node of each task, in host mode): never loopback only.
    validateSwarmService: (service, reportViolation) => {
        const ports = knownItems(() => service.endpointSpec?.ports).items;
        if (ports.length > 0)
            reportViolation(
                `Redis Swarm service publishes ${ports.length} port(s) on the swarm's nodes (endpointSpec.ports); remove them and reach it from services on its overlay network.`,
            );
    },
    // Dropping the published ports is always safe: clients on the internal network are unaffected.
    remediateResource: remediateResourceOfType(docker.Container, (container, args) => {
        const config = args.getConfig<Config>();
        if (!looksLikeRedisDockerContainer(container) || !exposure(container, config)) return undefined;
        // Edit in place: the props object keeps the other inputs' secret markings, a copy would not.
        const props = container as { ports?: unknown[]; publishAllPorts?: boolean };
        props.ports = [];
        props.publishAllPorts = false;
        return container;
    }),
});
