// The arguments of DockerRedis: declared for every Pulumi language (the schema analyzer reads this
// interface) and checked by one zod schema.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { integer } from "../../redis/config/fields";
import { DNS_LABEL, DNS_LABEL_ALLOWED } from "../../redis/container";
import { sentinelArgs, type RedisSentinelArgs } from "../../redis/sentinel/topology";
import { dockerMetricsArgs, type DockerRedisMetricsArgs } from "../common/metricsArgs";
import { redisServerArgsShape, type RedisServerArgs } from "../common/serverArgs";
import { tlsArgsShape, type DockerRedisTlsArgs } from "../common/tlsArgs";

/** Arguments of {@link DockerRedis}. Every field is optional: the defaults are the hardened deployment. */
export interface DockerRedisArgs extends RedisServerArgs {
    /** Name of an existing Docker network to join instead of creating one; it must be `internal`, and `alias` must then be set. */
    networkName?: pulumi.Input<string>;
    /**
     * Hostname clients use on the network (a DNS label). Default the component's name, lowercased; required with `networkName`, where other
     * stacks' aliases could collide.
     */
    alias?: string;
    /** Docker restart policy: `no`, `on-failure`, `always` or `unless-stopped`. Default `unless-stopped`. */
    restartPolicy?: string;
    /** Rotate the container log at this size (`json-file` `max-size`, e.g. `10m`). Default `10m`. */
    logMaxSize?: string;
    /** Number of rotated log files kept (1 to 100). Default 3. */
    logMaxFiles?: number;
    /** TLS for clients and health checks: off by default; generated certificates or PEMs of your own. */
    tls?: DockerRedisTlsArgs;
    /**
     * Redis servers (1 to 16): the first starts as the primary, the others as its replicas, each in a container with a data volume of its
     * own and the alias `<alias>-<n>`. Default 1.
     */
    replicas?: number;
    /** Automatic failover by Sentinel containers on the same network (needs `replicas` of 2 or more). Default off. */
    sentinel?: RedisSentinelArgs;
    /** Prometheus metrics: a redis_exporter container per server, as the `metrics` ACL user. Default off. */
    metrics?: DockerRedisMetricsArgs;
}

export const dockerArgsSchema = z.strictObject({
    ...redisServerArgsShape,
    alias: z.string({ error: DNS_LABEL_ALLOWED }).regex(DNS_LABEL, { error: DNS_LABEL_ALLOWED }).optional(),
    restartPolicy: z
        .enum(["no", "on-failure", "always", "unless-stopped"], { error: "no, on-failure, always, unless-stopped" })
        .default("unless-stopped"),
    logMaxSize: z
        .string({ error: 'a size such as "10m" (units k, m, g)' })
        .regex(/^[1-9]\d{0,5}[kmg]$/, { error: 'a size such as "10m" (units k, m, g)' })
        .default("10m"),
    logMaxFiles: integer(1, 100, "an integer from 1 to 100").default(3),
    tls: z
        .strictObject(
            {
                ...tlsArgsShape,
                // PEMs may be unknown until deployment: checked by providedTls.
                caCertificate: z.unknown().optional(),
                certificate: z.unknown().optional(),
                privateKey: z.unknown().optional(),
            },
            { error: "an object of the documented tls settings" },
        )
        .default({ enabled: false, requireClientCertificates: false, certificateValidityDays: 365 }),
    replicas: integer(1, 16, "an integer from 1 to 16").default(1),
    sentinel: sentinelArgs,
    metrics: dockerMetricsArgs,
    // Inputs that may be unknown until deployment are checked elsewhere.
    networkName: z.unknown().optional(),
});

/** The arguments, parsed: every default applied. */
export type ParsedDockerArgs = z.output<typeof dockerArgsSchema>;
