// What the pack recognises as Redis and as a way to expose it, and what it cannot see: the section
// of policies/README.md a platform team reads to know the pack's reach. Written from the lists the
// policies recognise by, so it changes when they do.
import { REDIS_PORT, SENTINEL_PORT } from "../shared/ports";
import { REDIS_CHARTS, RELEASE_EXTERNAL_ACCESS_VALUES, RELEASE_HOST_NETWORK_VALUES, RELEASE_SERVICE_VALUES } from "./helmReleases";
import { GATEWAY_ROUTE_KINDS, PUBLIC_SERVICE_TYPES, TRAEFIK_ROUTE_KINDS } from "./k8sExposure";
import { APP_NAMES, PORT_NAMES, POD_TYPES, REDIS_IMAGE_REPOSITORIES, REDIS_PROGRAMS } from "./recognise";

const code = (items: readonly string[]) => items.map((i) => `\`${i}\``).join(", ");
const kind = (type: string) => type.slice(type.lastIndexOf(":") + 1);

export function reachSection(): string {
    const podKinds = [...POD_TYPES].map(kind);
    return [
        "## The pack's reach",
        "",
        `**What it knows as Redis** (or a server of its protocol, or a Sentinel). A Docker container or Swarm service, or a container of a Kubernetes ${podKinds.join(", ")}, is Redis when its image's repository is one of ${code(REDIS_IMAGE_REPOSITORIES)}; when its command starts ${code(REDIS_PROGRAMS)} (also inside \`sh -c\`); when it listens on ${REDIS_PORT}; or, on Docker, when it carries a \`hardened-redis.*\` label. A container created from an image ID is known by the stack's image resource with that ID or the one it takes the ID from. A Service fronts Redis or a Sentinel by its port (${REDIS_PORT}, ${SENTINEL_PORT}), a port name (${code(Object.keys(PORT_NAMES))}) or the pods it selects (\`app\` or \`app.kubernetes.io/name\` ${code(Object.keys(APP_NAMES))}). A \`helm.sh/v3\` Release is Redis when its chart is ${code(REDIS_CHARTS)}.`,
        "",
        `**The ways out it judges.** On Docker: published ports and \`publishAllPorts\`; the host's network, PID or IPC namespace; a network that is not internal, Docker's default bridge included; the namespace of another container, followed to its owner; a Swarm service's published ports and host network. On Kubernetes: a Service of type ${code(PUBLIC_SERVICE_TYPES)}, with \`externalIPs\` or a \`nodePort\`; \`hostNetwork\` and \`hostPort\`; Ingress, Gateway API ${code(GATEWAY_ROUTE_KINDS)}, Traefik ${code(TRAEFIK_ROUTE_KINDS)} and ingress-nginx TCP/UDP service maps; server-side apply patches (\`…Patch\`) of Services and of ${podKinds.join(", ")}; a missing NetworkPolicy, or one that admits every source; in a Redis chart's Release values, ${code(Object.keys(RELEASE_SERVICE_VALUES))} (type, \`externalIPs\`, node ports), ${code(RELEASE_EXTERNAL_ACCESS_VALUES)}, ${code(RELEASE_HOST_NETWORK_VALUES)}, \`networkPolicy.enabled\` and \`auth.enabled\`, and an ingress-nginx Release's \`tcp\` and \`udp\` maps.`,
        "",
        "**What it cannot see.** The pack judges what the stack declares, nothing else: resources created outside Pulumi or by other stacks (a network, a container whose namespace Redis joins: reported as advice, a Service edited by hand); what a Helm v3 Release renders beyond the values it is given (the chart's own defaults included); operators' custom resources (a Redis operator's `RedisFailover`, `Redis` or `RedisCluster`, a Redis Enterprise database); service meshes' gateways (an Istio `Gateway` and `VirtualService`); Endpoints and EndpointSlices written by hand, and a Service port named after a container port (the pods behind it are not looked up); configuration baked into an image or mounted from outside the stack (reported as advice); firewalls, security groups and load balancers configured elsewhere. What it cannot read, it does not guess: no report rests on a value it could not see.",
    ].join("\n");
}
