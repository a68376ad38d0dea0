// Hardened Redis 7 on Kubernetes, plus an example client Deployment allowed through its NetworkPolicy.
// Run `pulumi up` in this directory.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubernetesRedis } from "../../index";

const config = new pulumi.Config();

const redis = new KubernetesRedis("cache", {
    replicas: config.getNumber("replicas"),
    memoryLimitMb: config.getNumber("memoryLimitMb"),
    storageSize: config.get("storageSize"),
    // `pulumi config set tls true`: TLS only, certificates generated for the Service and pod names.
    tls: { enabled: config.getBoolean("tls") },
    // `pulumi config set replicas 3` and `pulumi config set sentinel true`: Sentinels promote a replica when pod 0 is gone;
    // the connection string then names the Sentinels, and host:port is the Service in front of them.
    sentinel: { enabled: config.getBoolean("sentinel") },
    // `pulumi config set metricsNamespace monitoring`: a redis_exporter sidecar per Redis pod, scraped
    // only from that namespace; `pulumi config set prometheusOperator true` adds a ServiceMonitor and
    // a PrometheusRule (the Prometheus Operator's CRDs must be installed).
    metrics: config.get("metricsNamespace")
        ? {
              enabled: true,
              scrapeNamespaceLabels: { "kubernetes.io/metadata.name": config.require("metricsNamespace") },
              serviceMonitor: config.getBoolean("prometheusOperator"),
              prometheusRule: config.getBoolean("prometheusOperator"),
          }
        : undefined,
});

// The client gets the password as a mounted file (never argv or an environment variable)
// and the label that lets it through Redis's NetworkPolicy. Real applications would mount
// `redis-url` and pass its content to `connect()` from hardened-redis/client.
const clientSecret = new k8s.core.v1.Secret("cache-client", {
    metadata: { namespace: redis.namespace },
    stringData: pulumi
        .all([redis.connectionString, redis.password, redis.caCertificate])
        .apply(([url, password, ca]) => ({ "redis-url": url, password, ...(ca !== undefined && { "ca.crt": ca }) })),
});
// With TLS, redis-cli checks the server's certificate against the CA from the same Secret.
const tlsFlags = redis.caCertificate.apply((ca) => (ca === undefined ? "" : "--tls --cacert /run/secrets/redis/ca.crt "));
const appLabels = { app: "cache-client" };
new k8s.apps.v1.Deployment("cache-client", {
    metadata: { namespace: redis.namespace },
    spec: {
        selector: { matchLabels: appLabels },
        template: {
            metadata: { labels: pulumi.all([redis.clientLabel]).apply(([label]) => ({ ...appLabels, ...label })) },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "client",
                        image: "redis:7-alpine",
                        // Pings Redis (or with Sentinel, a Sentinel) every 30 s; stands in for your application.
                        command: [
                            "sh",
                            "-c",
                            pulumi.interpolate`while true; do redis-cli ${tlsFlags}-h ${redis.host} -p ${redis.port} --user app --askpass ping < /run/secrets/redis/password; sleep 30; done`,
                        ],
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        volumeMounts: [{ name: "redis", mountPath: "/run/secrets/redis", readOnly: true }],
                    },
                ],
                volumes: [{ name: "redis", secret: { secretName: clientSecret.metadata.name, defaultMode: 0o440 } }],
            },
        },
    },
});

export const host = redis.host;
export const port = redis.port;
export const namespace = redis.namespace;
export const clientLabel = redis.clientLabel;
export const metricsEndpoint = redis.metricsEndpoint;
export const connectionString = redis.connectionString;
export const caCertificate = redis.caCertificate;
export const adminConnectionString = redis.adminConnectionString;
