// The facts about redis_exporter (its image, port, user, flags and password file) that the Docker
// container and the Kubernetes sidecar share.
import { METRICS_USER } from "../acl/users";

/** oliver006/redis_exporter, pinned: a new release is a reviewed change, not a surprise at the next pull. */
export const EXPORTER_IMAGE = "oliver006/redis_exporter:v1.63.0";
/** The port redis_exporter serves /metrics on by default, and the one Prometheus setups expect. */
export const METRICS_PORT = 9121;
/** The official image's entrypoint: the exporter binary, at the root of a FROM scratch image. */
export const EXPORTER_ENTRYPOINT = "/redis_exporter";
/** The official image's user (its Dockerfile's `USER 59000:59000`). */
export const EXPORTER_UID = 59000;
/** Memory limit of an exporter container, in MiB: it holds one connection and one scrape at a time. */
export const EXPORTER_MEMORY_MB = 64;
/** Where the exporter reads its password file (and, with TLS, the CA and client identity). */
export const EXPORTER_SECRETS_DIR = "/run/secrets/redis-exporter";
export const EXPORTER_FILES = {
    passwords: "passwords.json",
    caCertificate: "ca.crt",
    certificate: "tls.crt",
    privateKey: "tls.key",
} as const;

/** What the exporter connects with: the server's URI, and with TLS which files it presents and trusts. */
export interface ExporterTarget {
    /** `redis://host:port` or `rediss://host:port`: the host must be a name the server's certificate holds. */
    address: string;
    port: number;
    tls?: { clientCertificate: boolean };
}

/** `redis://host:port` (`rediss://` with TLS), the key the exporter looks its password up by. */
export function exporterAddress(host: string, port: number, tls: boolean): string {
    return `${tls ? "rediss" : "redis"}://${host}:${port}`;
}

/**
 * redis_exporter's argv: the metrics user, its password from a file (never argv or the
 * environment), the CONFIG metrics skipped (`-config-command=-`: the user may not run CONFIG, under
 * any name), and with TLS the CA to verify the server by and, with mutual TLS, the client identity.
 */
export function exporterArgs(target: ExporterTarget): string[] {
    const file = (name: string) => `${EXPORTER_SECRETS_DIR}/${name}`;
    return [
        `-redis.addr=${target.address}`,
        `-redis.user=${METRICS_USER}`,
        `-redis.password-file=${file(EXPORTER_FILES.passwords)}`,
        "-config-command=-",
        `-web.listen-address=:${target.port}`,
        ...(target.tls
            ? [
                  `-tls-ca-cert-file=${file(EXPORTER_FILES.caCertificate)}`,
                  ...(target.tls.clientCertificate
                      ? [
                            `-tls-client-cert-file=${file(EXPORTER_FILES.certificate)}`,
                            `-tls-client-key-file=${file(EXPORTER_FILES.privateKey)}`,
                        ]
                      : []),
              ]
            : []),
    ];
}

/**
 * The exporter's password file: the metrics user's password by server URI, as redis_exporter
 * reads it. Several URIs when one file serves several exporters (every pod of a StatefulSet).
 */
export function exporterPasswordFile(addresses: readonly string[], password: string): string {
    return JSON.stringify(Object.fromEntries(addresses.map((address) => [address, password])));
}
