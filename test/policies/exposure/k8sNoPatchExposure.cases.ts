import { k8sNoPatchExposure } from "../../../policies/exposure/k8sNoPatchExposure";
import { UNKNOWN, type TestResource } from "../../../harness/policy/inProcess";
import { redisServicePorts, redisStatefulSet, service } from "../../../harness/policy/fixtures";
import { type PolicyCase } from "../caseFixtures";

/** A server-side apply patch of `kind` (`core/v1:Service`, `apps/v1:StatefulSet`…) naming `name` in the redis namespace. */
const patch = (kind: string, name: string, props: Record<string, unknown>): TestResource => ({
    type: `kubernetes:${kind}Patch`,
    name: `${name}-patch`,
    props: { metadata: { name, namespace: "redis" }, ...props },
});
const podTemplate = (spec: Record<string, unknown>) => ({ spec: { template: { spec } } });

export const k8sNoPatchExposureCase: PolicyCase = {
    policy: k8sNoPatchExposure,
    violating: [
        [
            "a ServicePatch turning the Redis Service of the stack into a LoadBalancer",
            [
                service({ type: "ClusterIP", ports: redisServicePorts }),
                patch("core/v1:Service", "cache", { spec: { type: "LoadBalancer" } }),
            ],
        ],
        [
            "a ServicePatch of a Service outside the stack, Redis by its own port",
            [patch("core/v1:Service", "redis-master", { spec: { type: "NodePort", ports: [{ port: 6379, nodePort: 30079 }] } })],
        ],
        [
            "a ServicePatch adding externalIPs to the Sentinel Service",
            [
                service({ type: "ClusterIP", ports: [{ name: "sentinel", port: 26379 }] }, "cache-sentinel"),
                patch("core/v1:Service", "cache-sentinel", { spec: { externalIPs: ["203.0.113.7"] } }),
            ],
        ],
        [
            "a StatefulSetPatch putting the Redis StatefulSet on hostNetwork",
            [redisStatefulSet(), patch("apps/v1:StatefulSet", "cache", podTemplate({ hostNetwork: true }))],
        ],
        [
            "a DeploymentPatch giving a Redis container a hostPort",
            [
                patch(
                    "apps/v1:Deployment",
                    "redis",
                    podTemplate({ containers: [{ name: "redis", image: "redis:7.2", ports: [{ containerPort: 6379, hostPort: 6379 }] }] }),
                ),
            ],
        ],
    ],
    compliant: [
        [
            "a ServicePatch annotating the Redis Service",
            [
                service({ type: "ClusterIP", ports: redisServicePorts }),
                patch("core/v1:Service", "cache", { metadata: { name: "cache", namespace: "redis", annotations: { team: "shop" } } }),
            ],
        ],
        [
            "a ServicePatch making a web Service a LoadBalancer",
            [
                service({ type: "ClusterIP", selector: { app: "web" }, ports: [{ port: 443, targetPort: 8443 }] }, "web"),
                patch("core/v1:Service", "web", { spec: { type: "LoadBalancer" } }),
            ],
        ],
        [
            "a StatefulSetPatch raising the Redis pods' memory",
            [
                redisStatefulSet(),
                patch(
                    "apps/v1:StatefulSet",
                    "cache",
                    podTemplate({ containers: [{ name: "redis", resources: { limits: { memory: "512Mi" } } }] }),
                ),
            ],
        ],
        [
            "a DeploymentPatch giving a web pod hostNetwork",
            [patch("apps/v1:Deployment", "web", podTemplate({ hostNetwork: true, containers: [{ name: "web", image: "nginx:1.27" }] }))],
        ],
    ],
    unknown: [
        [
            "a ServicePatch of unknown type",
            [service({ type: "ClusterIP", ports: redisServicePorts }), patch("core/v1:Service", "cache", { spec: { type: UNKNOWN } })],
        ],
        [
            "a StatefulSetPatch with an unknown template",
            [redisStatefulSet(), patch("apps/v1:StatefulSet", "cache", { spec: { template: UNKNOWN } })],
        ],
    ],
};
