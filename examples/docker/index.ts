// Hardened Redis 7 on the local Docker engine. Run `pulumi up` from the repository root.
import * as pulumi from "@pulumi/pulumi";
import { DockerRedis } from "../../index";

const config = new pulumi.Config();

const redis = new DockerRedis("cache", {
    image: config.get("image"),
    memoryLimitMb: config.getNumber("memoryLimitMb"),
    maxmemoryPolicy: config.get("maxmemoryPolicy"),
    appendfsync: config.get("appendfsync"),
    // Rotation: `pulumi config set credentialGeneration 1`, up, roll the apps, then
    // `pulumi config set retirePreviousCredentials true`, up (README: Users and credential rotation).
    credentialGeneration: config.getNumber("credentialGeneration"),
    retirePreviousCredentials: config.getBoolean("retirePreviousCredentials"),
    // `pulumi config set tls true`: TLS only, certificates generated; clients then need caCertificate.
    tls: { enabled: config.getBoolean("tls") },
    // `pulumi config set metrics true`: a redis_exporter on the internal network; attach Prometheus
    // there, or name its network with `pulumi config set metricsScrapeNetwork <network>`.
    metrics: { enabled: config.getBoolean("metrics"), scrapeNetworkName: config.get("metricsScrapeNetwork") },
});

// Non-secret: where clients must attach to reach Redis.
export const host = redis.host;
export const port = redis.port;
export const networkName = redis.networkName;
export const volumeName = redis.volumeName;
export const containerName = redis.containerName;
// Where Prometheus scrapes (undefined without metrics).
export const metricsEndpoint = redis.metricsEndpoint;
// Public: the CA a TLS client must trust (undefined without TLS).
export const caCertificate = redis.caCertificate;
// Secret: encrypted in state, shown only with `pulumi stack output --show-secrets`.
export const password = redis.password;
export const configCommandName = redis.configCommandName;
export const connectionString = redis.connectionString;
export const adminConnectionString = redis.adminConnectionString;
