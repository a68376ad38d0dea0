// The TLS lines of a server's config, written once for redis.conf and sentinel.conf alike: what
// one of them offers clients and peers, the other must offer too.
import { TLS_FILES } from "../container";

/** Redis 7's `tls-auth-clients` values. */
export const TLS_AUTH_CLIENTS = ["no", "optional", "yes"] as const;

/**
 * TLS 1.2 suites offered: ECDHE (forward secrecy) with AEAD ciphers only, Mozilla's "intermediate"
 * list. TLS 1.3 suites are all AEAD and keep OpenSSL's defaults.
 */
const TLS12_CIPHERS = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

/**
 * A TLS-only listener on `port` (the plaintext one closed with `port 0`), the certificate, key and
 * CA from `configDir`, TLS 1.2 and 1.3 only with the suites above, and TLS on the server's own
 * outgoing links (`tls-replication`: a replica's to its primary, a Sentinel's to Redis and to the
 * other Sentinels; on a primary too, which becomes a replica after a failover).
 */
export function tlsListenerLines(port: number, configDir: string, tlsAuthClients: string | undefined): string[] {
    const file = (name: string) => `${configDir}/${name}`;
    return [
        "port 0",
        `tls-port ${port}`,
        `tls-cert-file ${file(TLS_FILES.certificate)}`,
        `tls-key-file ${file(TLS_FILES.privateKey)}`,
        `tls-ca-cert-file ${file(TLS_FILES.caCertificate)}`,
        `tls-auth-clients ${tlsAuthClients ?? "optional"}`,
        'tls-protocols "TLSv1.2 TLSv1.3"',
        `tls-ciphers ${TLS12_CIPHERS}`,
        "tls-prefer-server-ciphers yes",
        "tls-replication yes",
    ];
}
