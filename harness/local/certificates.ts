// Issues real X.509 keys and certificates with the openssl CLI, for two users: the mocked
// @pulumi/tls provider (pulumiMocks.ts), which must hand the components PEMs a real Redis accepts,
// and tests that start a TLS Redis of their own or bring a deliberately bad certificate.
// Keys travel through files in a private temp dir, never through argv.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "./localRedis";

/** A certificate and its key, PEM. */
export interface KeyPair {
    certificate: string;
    privateKey: string;
}

/** A CA and a certificate it issued, PEM: what a Redis with TLS is started with. */
export interface IssuedCertificates extends KeyPair {
    caCertificate: string;
    caPrivateKey: string;
}

function inTempDir<T>(work: (dir: string) => T): T {
    requireBinary("openssl", "install it with `apt-get install -y openssl` (.ci/run does)");
    const dir = mkdtempSync(join(tmpdir(), "hardened-redis-pki-"));
    try {
        return work(dir);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

function openssl(dir: string, args: string[]): void {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A private key, PEM (PKCS#8): ECDSA P-256 by default, or RSA of `rsaBits`. */
export function privateKeyPem(options: { rsaBits?: number } = {}): string {
    return inTempDir((dir) => {
        const algorithm = options.rsaBits
            ? ["-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${options.rsaBits}`]
            : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
        openssl(dir, ["genpkey", ...algorithm, "-out", "key.pem"]);
        return readFileSync(join(dir, "key.pem"), "utf8");
    });
}

/** The public key of a private key, PEM. */
export function publicKeyPem(privateKey: string): string {
    return inTempDir((dir) => {
        writeFileSync(join(dir, "key.pem"), privateKey, { mode: 0o600 });
        openssl(dir, ["pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"]);
        return readFileSync(join(dir, "pub.pem"), "utf8");
    });
}

/** A certificate signing request for `commonName` whose SANs are `dnsNames` and `ipAddresses`. */
export function certificateRequestPem(privateKey: string, commonName: string, dnsNames: string[] = [], ipAddresses: string[] = []): string {
    return inTempDir((dir) => {
        writeFileSync(join(dir, "key.pem"), privateKey, { mode: 0o600 });
        const sans = [...dnsNames.map((n) => `DNS:${n}`), ...ipAddresses.map((ip) => `IP:${ip}`)];
        const san = sans.length > 0 ? ["-addext", `subjectAltName=${sans.join(",")}`] : [];
        openssl(dir, ["req", "-new", "-key", "key.pem", "-subj", `/CN=${commonName}`, ...san, "-out", "req.pem"]);
        return readFileSync(join(dir, "req.pem"), "utf8");
    });
}

/** `allowedUses` as @pulumi/tls spells them, as OpenSSL extension values. */
const KEY_USAGE: Record<string, string> = {
    digital_signature: "digitalSignature",
    key_encipherment: "keyEncipherment",
    cert_signing: "keyCertSign",
    crl_signing: "cRLSign",
};
const EXTENDED_KEY_USAGE: Record<string, string> = { server_auth: "serverAuth", client_auth: "clientAuth" };

/** When a certificate is valid: from `notBefore` (default now) for `hours`. */
export interface Validity {
    hours: number;
    notBefore?: Date;
}

function asn1Time(date: Date): string {
    return `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

/**
 * Signs a request with `signer` (or with the request's own key when `signer` is omitted: a
 * self-signed certificate), copying the request's SANs, as @pulumi/tls's LocallySignedCert and
 * SelfSignedCert do. `openssl ca` because it, unlike `openssl x509`, takes arbitrary validity dates.
 */
export function signPem(
    requestPem: string,
    signer: { caCertificate: string; caPrivateKey: string } | { selfSignedKey: string },
    options: { validity: Validity; allowedUses: string[]; isCa?: boolean },
): string {
    return inTempDir((dir) => {
        writeFileSync(join(dir, "req.pem"), requestPem);
        writeFileSync(join(dir, "index.txt"), "");
        writeFileSync(join(dir, "serial"), `${randomBytes(16).toString("hex")}\n`);
        const keyUsage = options.allowedUses.flatMap((u) => KEY_USAGE[u] ?? []);
        const extendedKeyUsage = options.allowedUses.flatMap((u) => EXTENDED_KEY_USAGE[u] ?? []);
        writeFileSync(
            join(dir, "ext.cnf"),
            [
                `basicConstraints = critical, CA:${options.isCa ? "TRUE" : "FALSE"}`,
                ...(keyUsage.length > 0 ? [`keyUsage = critical, ${keyUsage.join(", ")}`] : []),
                ...(extendedKeyUsage.length > 0 ? [`extendedKeyUsage = ${extendedKeyUsage.join(", ")}`] : []),
                "subjectKeyIdentifier = hash",
                "",
            ].join("\n"),
        );
        writeFileSync(
            join(dir, "ca.cnf"),
            [
                "[ca]",
                "default_ca = local",
                "[local]",
                "database = index.txt",
                "serial = serial",
                "new_certs_dir = .",
                "default_md = sha256",
                "policy = anything",
                "copy_extensions = copy",
                "unique_subject = no",
                "[anything]",
                "commonName = supplied",
                "",
            ].join("\n"),
        );
        const notBefore = options.validity.notBefore ?? new Date(Date.now() - 60_000);
        const notAfter = new Date(notBefore.getTime() + options.validity.hours * 3_600_000);
        const issuer =
            "selfSignedKey" in signer
                ? (writeFileSync(join(dir, "ca.key"), signer.selfSignedKey, { mode: 0o600 }), ["-selfsign", "-keyfile", "ca.key"])
                : (writeFileSync(join(dir, "ca.crt"), signer.caCertificate),
                  writeFileSync(join(dir, "ca.key"), signer.caPrivateKey, { mode: 0o600 }),
                  ["-cert", "ca.crt", "-keyfile", "ca.key"]);
        openssl(dir, [
            "ca",
            "-batch",
            "-notext",
            "-config",
            "ca.cnf",
            ...issuer,
            "-in",
            "req.pem",
            "-extfile",
            "ext.cnf",
            "-startdate",
            asn1Time(notBefore),
            "-enddate",
            asn1Time(notAfter),
            "-out",
            "cert.pem",
        ]);
        return readFileSync(join(dir, "cert.pem"), "utf8");
    });
}

/** A CA: a self-signed certificate allowed to sign others. */
export function certificateAuthority(commonName = "hardened-redis test CA", validity: Validity = { hours: 24 }): KeyPair {
    const privateKey = privateKeyPem();
    const request = certificateRequestPem(privateKey, commonName);
    const certificate = signPem(
        request,
        { selfSignedKey: privateKey },
        { validity, allowedUses: ["cert_signing", "crl_signing"], isCa: true },
    );
    return { certificate, privateKey };
}

/** Server usages, plus client_auth so replicas can present the same certificate to their primary. */
export const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth", "client_auth"];

/** A CA and a server certificate it issued for `dnsNames` and `ipAddresses`. */
export function issueCertificates(
    names: { dnsNames?: string[]; ipAddresses?: string[] },
    options: { validity?: Validity; ca?: KeyPair; uses?: string[] } = {},
): IssuedCertificates {
    const ca = options.ca ?? certificateAuthority();
    const privateKey = privateKeyPem();
    const request = certificateRequestPem(privateKey, names.dnsNames?.[0] ?? "redis", names.dnsNames, names.ipAddresses);
    const certificate = signPem(
        request,
        { caCertificate: ca.certificate, caPrivateKey: ca.privateKey },
        { validity: options.validity ?? { hours: 24 }, allowedUses: options.uses ?? SERVER_USES },
    );
    return { caCertificate: ca.certificate, caPrivateKey: ca.privateKey, certificate, privateKey };
}
