import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchema, resourcePolicy } from "../engine/exemptions";
import { known, knownItems, knownString, UNKNOWN } from "../engine/known";
import { redisSecurity, docsUrl } from "../engine/metadata";
import { redisServiceRole } from "../engine/recognise";
import { serviceExposures } from "../engine/k8sExposure";
import { HELM_RELEASE_TYPE, isRedisRelease, releaseExposures } from "../engine/helmReleases";

export const k8sNoPublicService: ResourceValidationPolicy = resourcePolicy({
    name: "redis-k8s-no-public-service",
    description:
        "Kubernetes Services in front of Redis or its Sentinels must be ClusterIP without external IPs: LoadBalancer, NodePort, externalIPs and ExternalName publish them beyond the cluster.",
    enforcementLevel: "mandatory",
    severity: "critical",
    framework: redisSecurity("Network security", "Access to the Redis port should be denied to everybody but trusted clients"),
    tags: ["kubernetes", "network", "exposure"],
    remediationSteps:
        "Make the Service `type: ClusterIP` (KubernetesRedis does) with no `nodePort`, `externalIPs` or `ExternalName`; clients in the cluster use the Service name, and those outside reach Redis through their own application, never directly. At level `remediate` the pack turns a LoadBalancer or NodePort Service into ClusterIP and drops node ports and external IPs itself (never an ExternalName, a DNS alias elsewhere).",
    url: docsUrl("redis-k8s-no-public-service"),
    configSchema: configSchema(),
    validateResource: (args, reportViolation) => {
        if (args.type === HELM_RELEASE_TYPE && isRedisRelease(args.props)) {
            for (const { at, role, how, fix } of releaseExposures(args.props))
                reportViolation(`Helm release's ${role} Service (values ${at}) has ${how}; ${fix}.`);
            return;
        }
        if (args.type !== "kubernetes:core/v1:Service") return;
        const spec = known(() => (args.props as any).spec);
        // A Service whose spec is unknown cannot be told to front Redis, or to be public.
        const role = spec === UNKNOWN ? undefined : redisServiceRole(spec);
        if (!role) return;
        for (const how of serviceExposures(spec))
            reportViolation(`${role} Service has ${how}; make it ClusterIP and reach ${role} from inside the cluster.`);
    },
    // Safe for LoadBalancer and NodePort: the Service keeps its name, selector, ports and cluster
    // IP, so in-cluster clients see no change; only the exposure the policy forbids goes. Not for
    // ExternalName: that is a DNS alias to a host elsewhere, and a ClusterIP Service in its place
    // would route the same name somewhere else entirely.
    remediateResource: (args) => {
        if (args.type !== "kubernetes:core/v1:Service") return undefined;
        const spec = known(() => (args.props as any).spec);
        if (spec === UNKNOWN || !redisServiceRole(spec)) return undefined;
        let changed = false;
        const type = knownString(() => spec.type);
        if (type === "LoadBalancer" || type === "NodePort") {
            spec.type = "ClusterIP";
            changed = true;
        }
        if (type !== "ExternalName") {
            // Fields a ClusterIP Service may not carry, and the published addresses themselves.
            for (const field of LOAD_BALANCER_FIELDS) {
                if (known(() => spec[field] as unknown) !== undefined) {
                    delete spec[field];
                    changed = true;
                }
            }
            for (const p of knownItems<any>(() => spec.ports).items) {
                if (known(() => p.nodePort as unknown) !== undefined) {
                    delete p.nodePort;
                    changed = true;
                }
            }
        }
        return changed ? args.props : undefined;
    },
});

/** What only a LoadBalancer or NodePort Service may set, and `externalIPs`, which publish on any type. */
const LOAD_BALANCER_FIELDS = [
    "externalIPs",
    "loadBalancerIP",
    "loadBalancerSourceRanges",
    "loadBalancerClass",
    "allocateLoadBalancerNodePorts",
    "externalTrafficPolicy",
    "healthCheckNodePort",
];
