import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema, resourcePolicy } from "../engine/exemptions";
import { known, knownItems, UNKNOWN } from "../engine/known";
import { POD_TYPES, redisPods } from "../engine/recognise";
import { cisKubernetes, docsUrl } from "../engine/metadata";

export const k8sPodHardening: ResourceValidationPolicy = resourcePolicy({
    name: "redis-k8s-pod-hardening",
    description:
        "Redis pods should run non-root, unprivileged, with no capabilities, no privilege escalation, a read-only root filesystem, no host namespaces and no hostPath volumes, so a Redis exploit cannot reach the node.",
    enforcementLevel: "advisory",
    severity: "high",
    framework: cisKubernetes("5.7.3", "Apply SecurityContext to your Pods and Containers"),
    tags: ["kubernetes", "container", "hardening", "privilege"],
    remediationSteps:
        'As KubernetesRedis runs it: pod `securityContext` with `runAsNonRoot: true`, `runAsUser: 999`; the container\'s with `allowPrivilegeEscalation: false`, `readOnlyRootFilesystem: true`, `capabilities: { drop: ["ALL"] }` and no `privileged`; no `hostPID`/`hostIPC`, and claims instead of hostPath volumes.',
    url: docsUrl("redis-k8s-pod-hardening"),
    configSchema: configSchema(),
    validateResource: (args, reportViolation) => {
        if (!POD_TYPES.has(args.type)) return;
        const pods = redisPods(args.type, args.props);
        if (!pods) return;
        const { spec } = pods;
        for (const field of ["hostPID", "hostIPC"]) {
            if (known(() => spec[field] as unknown) === true) reportViolation(`Redis pod sets ${field}; remove it.`);
        }
        if (knownItems<{ hostPath?: unknown }>(() => spec.volumes).items.some((v) => known(() => v.hostPath) !== undefined)) {
            reportViolation("Redis pod mounts a hostPath volume; use a PersistentVolumeClaim.");
        }
        const podContext = known(() => spec.securityContext as Record<string, unknown> | undefined);
        for (const c of pods.containers) {
            const ctx = known(() => c.securityContext as Record<string, unknown> | undefined);
            if (ctx === UNKNOWN || podContext === UNKNOWN) continue;
            const get = (field: string) => known(() => ctx?.[field]);
            const fromPod = (field: string) => known(() => podContext?.[field]);
            if (get("privileged") === true) reportViolation("Redis container is privileged; remove it.");
            // A value unknown until deployment may be the right one: only a known wrong one is reported.
            const escalation = get("allowPrivilegeEscalation");
            if (escalation !== false && escalation !== UNKNOWN)
                reportViolation("Redis container allows privilege escalation; set allowPrivilegeEscalation: false.");
            const runAsUser = get("runAsUser") ?? fromPod("runAsUser");
            if (runAsUser === 0) reportViolation("Redis container runs as root (runAsUser: 0); run as uid 999.");
            const nonRoot = get("runAsNonRoot") ?? fromPod("runAsNonRoot");
            if (nonRoot !== true && nonRoot !== UNKNOWN) reportViolation("Redis container does not set runAsNonRoot: true.");
            const drops = knownItems<string>(() => (ctx?.capabilities as { drop?: string[] } | undefined)?.drop);
            if (drops.complete && !drops.items.some((d) => /^(CAP_)?ALL$/i.test(d)))
                reportViolation("Redis container keeps Linux capabilities; drop ALL.");
            const readOnly = get("readOnlyRootFilesystem");
            if (readOnly !== true && readOnly !== UNKNOWN)
                reportViolation("Redis container has a writable root filesystem; set readOnlyRootFilesystem: true.");
        }
    },
});
