import type { StackValidationPolicy } from "@pulumi/policy";
import { dockerContainerPolicy } from "../engine/dockerContainers";
import { configSchema } from "../engine/exemptions";
import { known, knownItems, knownString } from "../engine/known";
import { cisDocker, docsUrl } from "../engine/metadata";

const DOCKER_SOCKET = /(^|\/)docker\.sock$|^\/var\/run\/docker|^\/run\/docker/;

export const dockerNoPrivilegedOrSocket: StackValidationPolicy = dockerContainerPolicy({
    name: "redis-docker-no-privileged-or-docker-socket",
    description:
        "Redis containers must not be privileged or mount the Docker socket: either turns a Redis compromise into root on the host.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: cisDocker("5.5", "Ensure that privileged containers are not used"),
    tags: ["docker", "container", "privilege"],
    remediationSteps:
        "Remove `privileged: true`, and every volume or mount of `/var/run/docker.sock` (or `/run/docker.sock`), from the Redis container. Redis needs neither.",
    url: docsUrl("redis-docker-no-privileged-or-docker-socket"),
    configSchema: configSchema(),
    validateContainer: (container, reportViolation) => {
        if (known(() => container.privileged) === true) reportViolation("Redis container is privileged; drop `privileged`.");
        const hostPaths = [
            ...knownItems(() => container.volumes).items.map((v) => knownString(() => v.hostPath)),
            ...knownItems(() => container.mounts).items.map((m) =>
                knownString(() => m.type) === "bind" ? knownString(() => m.source) : undefined,
            ),
        ];
        if (hostPaths.some((p) => p !== undefined && DOCKER_SOCKET.test(p))) {
            reportViolation("Redis container mounts the Docker socket; remove that mount.");
        }
    },
});
