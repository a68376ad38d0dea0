import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { TlsMaterial } from "../../redis/tls/certificateChecks";
import { redisAccess, type RedisAccess } from "../common/credentials";
import { generateTls, providedTls, type RedisTls } from "../common/tls";
import {
    planKubernetesRedis,
    announcedAddresses,
    exporterFiles,
    kubernetesDnsNames,
    metricsEndpoint,
    planDisruptionBudget,
    planNetworkPolicy,
    planPrometheusRule,
    planSentinelDisruptionBudget,
    planSentinelNetworkPolicy,
    planSentinelStatefulSet,
    planServiceMonitor,
    planServices,
    planStatefulSet,
    redisLabels,
    replicaOf,
    sentinelLabels,
    sentinelName,
    topologyRoles,
    type ExporterTls,
    type KubernetesRedisPlan,
    type PlannedCustomResource,
} from "./plan";
import { configHash, TLS_FILES } from "../../redis/container";
import { RedisConfigError } from "../../redis/redisConfigError";
import type { KubernetesRedisTlsArgs } from "../common/tlsArgs";
import { type KubernetesRedisArgs, type ParsedKubernetesArgs } from "./kubernetesArgs";
import { assignOutputs } from "../common/outputs";
import { renderServerFiles, renderSentinelFile } from "../common/render";
import type { ResolvedRedisTuning } from "../../redis/config/settings";

export type { KubernetesRedisArgs } from "./kubernetesArgs";

/**
 * Redis 7 on Kubernetes: a StatefulSet with a persistent volume per pod,
 * reachable only through a ClusterIP Service and only from labelled client
 * pods (NetworkPolicy), running non-root with a read-only root filesystem,
 * no capabilities and the RuntimeDefault seccomp profile. Config and password
 * live in a Secret; a change to either rolls the pods.
 */
export class KubernetesRedis extends pulumi.ComponentResource {
    /** Cluster DNS name of the client Service: `<service>.<namespace>.svc.cluster.local`. */
    declare public readonly host: pulumi.Output<string>;
    /** Port of the client Service: Redis's, or with Sentinel the Sentinels' (26379). */
    declare public readonly port: pulumi.Output<number>;
    /** Name of the ClusterIP Service clients connect to. */
    declare public readonly serviceName: pulumi.Output<string>;
    /** Namespace Redis runs in. */
    declare public readonly namespace: pulumi.Output<string>;
    /** Name of the StatefulSet. */
    declare public readonly statefulSetName: pulumi.Output<string>;
    /** The label (key and value) a client pod must carry to be let through the NetworkPolicy. */
    declare public readonly clientLabel: pulumi.Output<{ [key: string]: string }>;
    /** Current password of the `app` user (secret). */
    declare public readonly password: pulumi.Output<string>;
    /** The name CONFIG was renamed to (secret). */
    declare public readonly configCommandName: pulumi.Output<string>;
    /** `redis://app:<password>@host:port/0`: the application's least-privilege user (secret). */
    declare public readonly connectionString: pulumi.Output<string>;
    /** `redis://admin:<password>@host:port/0`: the operators' user, with CONFIG under `configCommandName` (secret). */
    declare public readonly adminConnectionString: pulumi.Output<string>;
    /** Connection strings of the `extraUsers`, by user name (secret). */
    declare public readonly extraConnectionStrings: pulumi.Output<{ [user: string]: string }>;
    /** PEM of the CA clients must trust, with TLS (public); undefined without. */
    declare public readonly caCertificate: pulumi.Output<string | undefined>;
    /** PEM of a client certificate the CA signed, with generated mutual TLS; undefined otherwise. */
    declare public readonly clientCertificate: pulumi.Output<string | undefined>;
    /** PEM of the client certificate's private key (secret), with generated mutual TLS; undefined otherwise. */
    declare public readonly clientPrivateKey: pulumi.Output<string | undefined>;
    /** With Sentinel: the name the primary is monitored under; undefined without. */
    declare public readonly masterName: pulumi.Output<string | undefined>;
    /** With Sentinel: every Sentinel pod as `host:port` through its headless Service; empty without. */
    declare public readonly sentinelAddresses: pulumi.Output<string[]>;
    /**
     * With metrics: `http://<name>-metrics.<namespace>.svc:<port>/metrics`, the metrics Service (one Redis pod's exporter per request;
     * scrape every pod through its endpoints, as a ServiceMonitor does); undefined without.
     */
    declare public readonly metricsEndpoint: pulumi.Output<string | undefined>;

    constructor(name: string, args: KubernetesRedisArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("hardened-redis:index:KubernetesRedis", name, {}, opts);

        const { plan, settings, tuning } = planKubernetesRedis(name, args);
        const { port, metrics } = plan;
        const sentinel = topologyRoles(plan).sentinel;
        const clientLabel = plan.clients.label;

        const namespace = args.namespace !== undefined ? pulumi.output(args.namespace) : this.createNamespace(name);
        const tls = this.tls(plan, namespace, settings, args.tls);

        // Replicas authenticate to the primary as the replication user: only topologies that replicate get one.
        const replicates = topologyRoles(plan).replication !== undefined;
        const access = redisAccess(name, settings, args.credentialKeepers, replicates, this, sentinel !== undefined, metrics !== undefined);
        const { credentials } = access;
        const { secret, configSha256, exporter } = this.serverSecrets(plan, tuning, namespace, access, tls);
        const services = planServices(plan, namespace);
        const headless = new k8s.core.v1.Service(`${name}-headless`, services.headless, { parent: this });
        const service = new k8s.core.v1.Service(name, services.client, { parent: this });
        const statefulSet = new k8s.apps.v1.StatefulSet(
            name,
            planStatefulSet(plan, {
                namespace,
                serviceName: headless.metadata.name,
                configSha256,
                secrets: { config: secret.metadata.name, tls: tls?.secretName, metrics: exporter?.secret.metadata.name },
            }),
            // The fixed name keeps the data volumes (data-<name>-<n>) across a replacement, and the
            // old pods must be gone before new ones mount them.
            { parent: this, deleteBeforeReplace: true },
        );
        new k8s.networking.v1.NetworkPolicy(name, planNetworkPolicy(plan, namespace), { parent: this });
        const budget = planDisruptionBudget(plan, namespace);
        if (budget) new k8s.policy.v1.PodDisruptionBudget(name, budget, { parent: this });
        if (services.metrics) new k8s.core.v1.Service(`${name}-metrics`, services.metrics, { parent: this });
        for (const resource of [planServiceMonitor(plan, namespace), planPrometheusRule(plan, namespace)]) {
            if (resource) this.customResource(name, resource);
        }
        const sentinelAddresses = sentinel
            ? this.sentinels(plan, namespace, services.sentinel, access, tls, statefulSet)
            : pulumi.output([] as Array<{ host: string; port: number }>);

        const host = pulumi.interpolate`${service.metadata.name}.${namespace}.svc.cluster.local`;
        const urls = access.connectionStrings(
            host,
            port,
            tls !== undefined,
            sentinel && { sentinels: sentinelAddresses, masterName: sentinel.masterName },
        );
        this.registerOutputs(
            assignOutputs<KubernetesRedis>(this, {
                host,
                port: pulumi.output(topologyRoles(plan).clientService.port),
                serviceName: service.metadata.name,
                namespace,
                statefulSetName: statefulSet.metadata.name,
                clientLabel: pulumi.output(clientLabel),
                password: pulumi.secret(credentials.passwords.apply((p) => p.app[0])),
                configCommandName: credentials.configCommandName,
                connectionString: urls.app,
                adminConnectionString: urls.admin,
                extraConnectionStrings: urls.extra,
                caCertificate: tls ? tls.secret.caCertificate : pulumi.output(undefined),
                clientCertificate: tls?.secret.client ? tls.secret.client.certificate : pulumi.output(undefined),
                clientPrivateKey: tls?.secret.client ? pulumi.secret(tls.secret.client.privateKey) : pulumi.output(undefined),
                masterName: pulumi.output(sentinel?.masterName),
                sentinelAddresses: sentinelAddresses.apply((list) => list.map((a) => `${a.host}:${a.port}`)),
                metricsEndpoint: namespace.apply((ns) => metricsEndpoint(plan, ns)),
            }),
        );
    }

    /**
     * The servers' config Secret (redis.conf, replica.conf and the app password the readiness probe
     * reads), the exporter's Secret with metrics, and the hash that rolls the pods whenever any of
     * their files changes.
     */
    private serverSecrets(
        plan: KubernetesRedisPlan,
        tuning: ResolvedRedisTuning,
        namespace: pulumi.Output<string>,
        access: RedisAccess,
        tls: { secret: RedisTls; secretName: pulumi.Output<string> } | undefined,
    ) {
        const { credentials } = access;
        const files = pulumi
            .all([access.users, credentials.configCommandName, credentials.passwords, namespace])
            .apply(([users, configCommandName, passwords, ns]) => ({
                ...renderServerFiles({
                    tuning,
                    users,
                    configCommandName,
                    tls: tls && { authClients: tls.secret.authClients },
                    // Pods that replicate start from replica.conf (see the pod command in the plan).
                    primary: replicaOf(plan, ns),
                    sentinel: topologyRoles(plan).sentinel,
                }),
                // The app user's current password, read by the readiness probe through stdin, never argv or env.
                password: passwords.app[0],
            }));
        const exporter = this.exporterSecret(plan, namespace, access, tls);
        // On the pod template, the hash rolls the pods whenever a file, the password or the
        // certificate changes (Redis 7.0 reads its certificate only at start-up), and with
        // metrics whenever the exporter's files do (it reads its password file only at start-up).
        const configSha256 = pulumi.unsecret(
            pulumi.all([files, tls?.secret.material, exporter?.files]).apply(([f, material, exporterFiles]) =>
                configHash({
                    ...f,
                    ...(material && tlsFiles(material)),
                    ...(exporterFiles && Object.fromEntries(Object.entries(exporterFiles).map(([k, v]) => [`metrics/${k}`, v]))),
                }),
            ),
        );
        const secret = new k8s.core.v1.Secret(
            `${plan.name}-config`,
            // Immutable: a change creates a new Secret (new name) instead of rewriting the files under
            // pods that still run the old config, so pods switch only when they are rolled.
            { metadata: { namespace, labels: redisLabels(plan) }, type: "Opaque", immutable: true, stringData: pulumi.secret(files) },
            { parent: this },
        );
        return { secret, configSha256, exporter };
    }

    /**
     * The exporter's Secret, or undefined without metrics: the password file (one entry per pod's
     * address), and with TLS the CA and, with mutual TLS, the identity the exporter presents.
     * Which identity: with generated certificates, the generated client certificate (client
     * authentication only, no server names), which the applications already hold, so the exporter
     * gains nothing it could serve as Redis with. With a Secret of the caller's there is none to
     * hand, and the server's own key is not handed out: requireExporterIdentity refuses that case.
     * Immutable, as the config Secret.
     */
    private exporterSecret(
        plan: KubernetesRedisPlan,
        namespace: pulumi.Output<string>,
        access: RedisAccess,
        tls: { secret: RedisTls; secretName: pulumi.Output<string> } | undefined,
    ): { secret: k8s.core.v1.Secret; files: pulumi.Output<Record<string, string>> } | undefined {
        if (plan.metrics === undefined) return undefined;
        const client = tls?.secret.client;
        const identity: pulumi.Output<ExporterTls | undefined> = tls
            ? pulumi.all([tls.secret.material, client?.certificate, client?.privateKey]).apply(([material, certificate, privateKey]) => ({
                  caCertificate: material.caCertificate,
                  // requireExporterIdentity refused mutual TLS without a generated client certificate.
                  client:
                      plan.tls?.requireClientCertificates && certificate !== undefined && privateKey !== undefined
                          ? { certificate, privateKey }
                          : undefined,
              }))
            : pulumi.output(undefined);
        const files = pulumi.secret(
            pulumi.all([access.credentials.passwords, namespace, identity]).apply(([passwords, ns, exporterTls]) => {
                const password = passwords.metrics?.[0];
                if (password === undefined) throw new Error("KubernetesRedis: metrics planned without a metrics user");
                return exporterFiles(plan, ns, password, exporterTls);
            }),
        );
        const secret = new k8s.core.v1.Secret(
            `${plan.name}-metrics`,
            { metadata: { namespace, labels: redisLabels(plan) }, type: "Opaque", immutable: true, stringData: files },
            { parent: this },
        );
        return { secret, files };
    }

    /** A Prometheus Operator resource (its CRD must be installed). */
    private customResource(name: string, resource: PlannedCustomResource): k8s.apiextensions.CustomResource {
        const { apiVersion, kind, metadata, spec } = resource;
        return new k8s.apiextensions.CustomResource(
            `${name}-${kind.toLowerCase()}`,
            { apiVersion, kind, metadata, spec },
            { parent: this },
        );
    }

    /**
     * The Sentinels: their config Secret (one rendered sentinel.conf for every pod, each announcing
     * its own name from the command line), headless Service, StatefulSet, NetworkPolicy and
     * disruption budget. Returns each Sentinel's address, as the connection strings name them.
     */
    private sentinels(
        plan: KubernetesRedisPlan,
        namespace: pulumi.Output<string>,
        service: k8s.core.v1.ServiceArgs | undefined,
        access: RedisAccess,
        tls: { secret: RedisTls; secretName: pulumi.Output<string> } | undefined,
        servers: k8s.apps.v1.StatefulSet,
    ): pulumi.Output<Array<{ host: string; port: number }>> {
        const sentinel = topologyRoles(plan).sentinel;
        if (sentinel === undefined || service === undefined) throw new Error("KubernetesRedis.sentinels: no Sentinel planned");
        const name = sentinelName(plan);
        const files = pulumi
            .all([access.users, access.credentials.configCommandName, access.credentials.passwords, namespace])
            .apply(([users, configCommandName, passwords, ns]) => ({
                "sentinel.conf": renderSentinelFile(
                    {
                        users,
                        configCommandName,
                        tls: tls && { authClients: tls.secret.authClients },
                        primary: replicaOf(plan, ns) ?? { host: "", port: plan.port },
                        sentinel,
                        server: plan.server.name,
                    },
                    announcedAddresses(plan, ns),
                ),
                // For the readiness probe, on stdin.
                password: passwords.app[0],
            }));
        const configSha256 = pulumi.unsecret(
            pulumi.all([files, tls?.secret.material]).apply(([f, material]) => configHash({ ...f, ...(material && tlsFiles(material)) })),
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-config`,
            { metadata: { namespace, labels: sentinelLabels(plan) }, type: "Opaque", immutable: true, stringData: pulumi.secret(files) },
            { parent: this },
        );
        const headless = new k8s.core.v1.Service(name, service, { parent: this });
        const statefulSet = planSentinelStatefulSet(plan, {
            namespace,
            serviceName: headless.metadata.name,
            configSha256,
            secrets: { config: secret.metadata.name, tls: tls?.secretName },
        });
        const policy = planSentinelNetworkPolicy(plan, namespace);
        const budget = planSentinelDisruptionBudget(plan, namespace);
        if (!statefulSet || !policy || !budget) throw new Error("KubernetesRedis.sentinels: Sentinel planned only in part");
        // Started once the servers they watch are.
        new k8s.apps.v1.StatefulSet(name, statefulSet, { parent: this, dependsOn: [servers] });
        new k8s.networking.v1.NetworkPolicy(name, policy, { parent: this });
        new k8s.policy.v1.PodDisruptionBudget(name, budget, { parent: this });
        // Once the Service exists: the names resolve through it.
        return pulumi.all([headless.metadata.name, namespace]).apply(([, ns]) => announcedAddresses(plan, ns).sentinels);
    }

    /**
     * The certificates to serve TLS with and the `kubernetes.io/tls` Secret holding them: one
     * generated by the component, or the caller's (read here, to check it and export its CA).
     * Undefined without TLS.
     */
    private tls(
        plan: KubernetesRedisPlan,
        namespace: pulumi.Output<string>,
        settings: ParsedKubernetesArgs,
        given: KubernetesRedisTlsArgs | undefined,
    ): { secret: RedisTls; secretName: pulumi.Output<string> } | undefined {
        if (plan.tls === undefined) return undefined;
        const name = plan.name;
        const names = namespace.apply((ns) => kubernetesDnsNames(plan, ns));
        if (given?.secretName === undefined) {
            const generated = generateTls(name, names, settings.tls, this);
            const secret = new k8s.core.v1.Secret(
                `${name}-tls`,
                {
                    metadata: { namespace, labels: { "app.kubernetes.io/managed-by": "hardened-redis" } },
                    type: "kubernetes.io/tls",
                    // Immutable, as the config Secret: a renewal creates a new Secret and rolls the pods onto it.
                    immutable: true,
                    stringData: pulumi.secret(generated.material.apply(tlsFiles)),
                },
                { parent: this },
            );
            return { secret: generated, secretName: secret.metadata.name };
        }
        const secretName = pulumi.output(given.secretName);
        const existing = k8s.core.v1.Secret.get(`${name}-tls-provided`, pulumi.interpolate`${namespace}/${secretName}`, { parent: this });
        const data = pulumi.all([existing.data, secretName]).apply(([d, secret]) => {
            const file = (key: string) => {
                if (d?.[key] === undefined) {
                    throw new RedisConfigError(
                        "tls.secretName",
                        `a kubernetes.io/tls Secret with ${Object.values(TLS_FILES).join(", ")} (ca.crt: the CA clients trust)`,
                        `Secret ${JSON.stringify(secret)} without ${key}`,
                    );
                }
                return Buffer.from(d[key], "base64").toString("utf8");
            };
            return {
                caCertificate: file(TLS_FILES.caCertificate),
                certificate: file(TLS_FILES.certificate),
                privateKey: file(TLS_FILES.privateKey),
            };
        });
        const provided = providedTls(
            {
                caCertificate: data.apply((m) => m.caCertificate),
                certificate: data.apply((m) => m.certificate),
                privateKey: pulumi.secret(data.apply((m) => m.privateKey)),
            },
            names,
            settings.tls,
            "tls.secretName",
        );
        // Mount it only once checked: a certificate that cannot serve fails the deployment, not the pods.
        return { secret: provided, secretName: pulumi.all([secretName, provided.material]).apply(([secret]) => secret) };
    }

    private createNamespace(name: string): pulumi.Output<string> {
        const namespace = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    labels: {
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                    },
                },
            },
            // Deleting the namespace would delete the data claims with it: keep it on destroy.
            { parent: this, retainOnDelete: true },
        );
        return namespace.metadata.name;
    }
}

/** The certificate files by their `kubernetes.io/tls` keys. */
function tlsFiles(material: TlsMaterial): Record<string, string> {
    return {
        [TLS_FILES.certificate]: material.certificate,
        [TLS_FILES.privateKey]: material.privateKey,
        [TLS_FILES.caCertificate]: material.caCertificate,
    };
}
