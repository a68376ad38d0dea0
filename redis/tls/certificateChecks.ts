// Checks a certificate someone brings before Redis is started with it: Redis itself refuses a
// key that does not match, but starts happily with an expired certificate, one for other names or
// one another CA signed, and every client then fails its handshake instead.
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { RedisConfigError } from "../redisConfigError";

/** A server certificate (optionally followed by intermediates), its key and the CA clients trust, PEM. */
export interface TlsMaterial {
    caCertificate: string;
    certificate: string;
    privateKey: string;
}

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const CERTIFICATE_ALLOWED = "PEM certificates (-----BEGIN CERTIFICATE-----)";

function certificates(setting: string, pem: string): X509Certificate[] {
    const blocks = pem.match(PEM_CERTIFICATE) ?? [];
    try {
        if (blocks.length === 0) throw new Error("no certificate");
        return blocks.map((block) => new X509Certificate(block));
    } catch {
        throw new RedisConfigError(setting, CERTIFICATE_ALLOWED, "text that holds no readable certificate");
    }
}

function keyOf(setting: string, pem: string): KeyObject {
    try {
        return createPrivateKey(pem);
    } catch {
        throw new RedisConfigError(
            setting,
            "a PEM private key, unencrypted (Redis reads it at start-up)",
            "a value that is not shown (secret)",
        );
    }
}

/** Whether `subject` was issued and signed by `issuer`. */
function signedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

function describe(certificate: X509Certificate): string {
    return `a certificate for ${JSON.stringify(certificate.subject.replace(/\n/g, ", "))} (SANs: ${certificate.subjectAltName ?? "none"})`;
}

/**
 * Throws {@link RedisConfigError} naming `<prefix>.<field>` unless the material can serve TLS for
 * every one of `names` at `now`: the key is the certificate's and strong enough, the certificate
 * (through any intermediates after it) was signed by the CA, is valid now, names every host, and
 * may authenticate a server (and a client, for `clientAuth`: mutual TLS, where replicas and
 * probes present it). The private key is never shown.
 */
export function checkTlsMaterial(
    material: TlsMaterial,
    names: readonly string[],
    options: { prefix: string; clientAuth: boolean; now?: Date },
): void {
    const setting = (field: keyof TlsMaterial) => `${options.prefix}.${field}`;
    const authorities = certificates(setting("caCertificate"), material.caCertificate);
    const [leaf, ...intermediates] = certificates(setting("certificate"), material.certificate);
    const key = keyOf(setting("privateKey"), material.privateKey);

    const details = key.asymmetricKeyDetails ?? {};
    const strong =
        (key.asymmetricKeyType === "ec" && ["prime256v1", "secp384r1"].includes(details.namedCurve ?? "")) ||
        (key.asymmetricKeyType === "rsa" && (details.modulusLength ?? 0) >= 2048);
    if (!strong) {
        throw new RedisConfigError(
            setting("privateKey"),
            "an ECDSA P-256/P-384 key or an RSA key of at least 2048 bits",
            "a weaker key (not shown: secret)",
        );
    }
    if (!leaf.checkPrivateKey(key)) {
        throw new RedisConfigError(
            setting("privateKey"),
            `the private key of ${setting("certificate")}`,
            "another key (not shown: secret)",
        );
    }
    const chain = [leaf, ...intermediates];
    const linked = chain.slice(0, -1).every((cert, i) => signedBy(cert, chain[i + 1]));
    const anchor = authorities.find((ca) => ca.ca && signedBy(chain[chain.length - 1], ca));
    if (!linked || anchor === undefined) {
        throw new RedisConfigError(
            setting("certificate"),
            `a certificate signed by ${setting("caCertificate")} (directly, or through intermediates that follow it)`,
            `${describe(leaf)} issued by ${JSON.stringify(chain[chain.length - 1].issuer.replace(/\n/g, ", "))}`,
        );
    }
    const now = options.now ?? new Date();
    // Clients check the CA's dates too.
    for (const cert of [...chain, anchor]) {
        if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) {
            throw new RedisConfigError(
                setting(cert === anchor ? "caCertificate" : "certificate"),
                "certificates valid now",
                `${describe(cert)} valid from ${cert.validFrom} to ${cert.validTo}`,
            );
        }
    }
    const missing = names.filter((name) => leaf.checkHost(name, { subject: "never" }) === undefined);
    if (missing.length > 0) {
        throw new RedisConfigError(
            setting("certificate"),
            `a certificate whose subject alternative names cover every name clients and replicas use: ${names.join(", ")}`,
            `${describe(leaf)}, missing ${missing.join(", ")}`,
        );
    }
    const usages = leaf.keyUsage; // extended key usages; undefined when the extension is absent (any use)
    const needed = options.clientAuth ? [SERVER_AUTH, CLIENT_AUTH] : [SERVER_AUTH];
    if (usages !== undefined && !needed.every((oid) => usages.includes(oid))) {
        throw new RedisConfigError(
            setting("certificate"),
            options.clientAuth
                ? "a certificate for TLS servers and clients (extended key usage serverAuth and clientAuth: with mutual TLS replicas and probes present it)"
                : "a certificate for TLS servers (extended key usage serverAuth)",
            `${describe(leaf)} with extended key usages ${usages.join(", ") || "none"}`,
        );
    }
}
