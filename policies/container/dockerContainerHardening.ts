import type { StackValidationPolicy } from "@pulumi/policy";
import { dockerContainerPolicy } from "../engine/dockerContainers";
import { configSchema } from "../engine/exemptions";
import { known, knownItems, knownString, UNKNOWN } from "../engine/known";
import { cisDocker, docsUrl } from "../engine/metadata";

export const dockerContainerHardening: StackValidationPolicy = dockerContainerPolicy({
    name: "redis-docker-container-hardening",
    description:
        "Redis containers should run as a non-root user with no capabilities, no-new-privileges, a read-only root filesystem and no host bind mounts, so a Redis exploit stays inside the container.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: cisDocker("4.1", "Ensure that a user for the container has been created"),
    tags: ["docker", "container", "hardening", "privilege"],
    remediationSteps:
        'As DockerRedis runs it: `user: "999:1000"`, `capabilities: { drops: ["ALL"] }`, `securityOpts: ["no-new-privileges:true"]`, `readOnly: true` with data on a named volume, and no `hostPath` volumes or bind mounts.',
    url: docsUrl("redis-docker-container-hardening"),
    configSchema: configSchema(),
    validateContainer: (container, reportViolation) => {
        const user = known(() => container.user);
        // No user means the image's default; the official image starts as root and drops privileges itself.
        if (user !== UNKNOWN && (user === undefined || /^(0|root)(:|$)/.test(user))) {
            reportViolation('Redis container runs as root; set `user` (e.g. "999:1000").');
        }
        const drops = knownItems(() => container.capabilities?.drops);
        if (drops.complete && !drops.items.some((d) => /^(CAP_)?ALL$/i.test(d))) {
            reportViolation("Redis container keeps Linux capabilities; drop ALL.");
        }
        const adds = knownItems(() => container.capabilities?.adds).items;
        if (adds.length > 0) reportViolation(`Redis container adds ${adds.length} Linux capabilities; Redis needs none.`);
        const securityOpts = knownItems(() => container.securityOpts);
        if (securityOpts.complete && !securityOpts.items.some((o) => /^no-new-privileges(:true|=true)?$/.test(o))) {
            reportViolation("Redis container allows privilege escalation; add the security option no-new-privileges:true.");
        }
        if (known(() => container.readOnly) === false || known(() => container.readOnly) === undefined) {
            reportViolation("Redis container has a writable root filesystem; set readOnly and keep data in a volume.");
        }
        const binds = [
            ...knownItems(() => container.volumes).items.filter((v) => knownString(() => v.hostPath) !== undefined),
            ...knownItems(() => container.mounts).items.filter((m) => knownString(() => m.type) === "bind"),
        ];
        if (binds.length > 0) reportViolation(`Redis container bind-mounts ${binds.length} host path(s); use named volumes.`);
    },
});
