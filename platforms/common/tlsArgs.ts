// The TLS arguments of both components, checked at construction.
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { integer } from "../../redis/config/fields";
import { RedisConfigError } from "../../redis/redisConfigError";

/** How clients must authenticate with TLS: a certificate required, or verified when presented. */
export function authClients(settings: ParsedTlsArgs): "optional" | "yes" {
    return settings.requireClientCertificates ? "yes" : "optional";
}

/** TLS on every hop: clients, replicas and probes. Off by default (see the README for what it costs). */
export interface RedisTlsArgs {
    /**
     * Serve TLS only: no plaintext listener, replication over TLS, TLS 1.2 and 1.3 only; connection strings become `rediss://` and
     * `caCertificate` is exported. Without certificates of your own, a CA and a server certificate are generated (ECDSA P-256). Default
     * false.
     */
    enabled?: boolean;
    /**
     * Mutual TLS: clients must present a certificate the CA signed (`tls-auth-clients yes`). With generated certificates a client
     * certificate is exported (`clientCertificate`, `clientPrivateKey`). Default false: a client certificate is verified when presented.
     */
    requireClientCertificates?: boolean;
    /**
     * Validity of generated server and client certificates, in days (7 to 825). Default 365. They are renewed at the first `pulumi up`
     * within 30 days of expiry (a third of the validity when that is shorter), which restarts Redis with the new certificate.
     */
    certificateValidityDays?: number;
}

/** TLS for {@link DockerRedis}: generated certificates, or all three PEMs of your own. */
export interface DockerRedisTlsArgs extends RedisTlsArgs {
    /** PEM of the CA that signed `certificate`, handed to clients as `caCertificate`. With `certificate` and `privateKey`. */
    caCertificate?: pulumi.Input<string>;
    /** PEM of the server certificate (then any intermediates); its SANs must include the network alias. */
    certificate?: pulumi.Input<string>;
    /** PEM of the certificate's unencrypted private key (secret). */
    privateKey?: pulumi.Input<string>;
}

/** TLS for {@link KubernetesRedis}: generated certificates, or an existing Secret such as cert-manager writes. */
export interface KubernetesRedisTlsArgs extends RedisTlsArgs {
    /**
     * Name of an existing `kubernetes.io/tls` Secret in the Redis namespace holding `tls.crt`, `tls.key` and `ca.crt` (cert-manager's
     * layout), whose SANs cover the Service and pod names. Default: certificates are generated.
     */
    secretName?: pulumi.Input<string>;
}

const VALIDITY_ALLOWED = "an integer number of days from 7 to 825";

/** zod fields for {@link RedisTlsArgs}; each component adds how certificates are brought. */
export const tlsArgsShape = {
    enabled: z.boolean({ error: "true or false" }).default(false),
    requireClientCertificates: z.boolean({ error: "true or false" }).default(false),
    certificateValidityDays: integer(7, 825, VALIDITY_ALLOWED).default(365),
};
export type ParsedTlsArgs = z.output<z.ZodObject<typeof tlsArgsShape>>;

/** Throws unless `given` settings are only used with `enabled`. */
export function requireEnabled(settings: ParsedTlsArgs, given: Record<string, unknown>): void {
    if (settings.enabled) return;
    for (const [setting, value] of Object.entries(given)) {
        if (value !== undefined && value !== false) {
            throw new RedisConfigError(`tls.${setting}`, "nothing unless tls.enabled is true", "a value");
        }
    }
}
