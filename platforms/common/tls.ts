// TLS for both components: the certificates generated with @pulumi/tls when the caller brings
// none, and the checks on certificates the caller brings.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { checkTlsMaterial, type TlsMaterial } from "../../redis/tls/certificateChecks";
import { authClients, type ParsedTlsArgs } from "./tlsArgs";

/** What a component serves TLS with. */
export interface RedisTls {
    /** The files Redis reads (secret: the key is among them). */
    material: pulumi.Output<TlsMaterial>;
    /** The CA clients trust (public). */
    caCertificate: pulumi.Output<string>;
    /** `tls-auth-clients`. */
    authClients: "optional" | "yes";
    /** A generated client certificate and key, with mutual TLS (the key secret). */
    client?: { certificate: pulumi.Output<string>; privateKey: pulumi.Output<string> };
}

/** @pulumi/tls's names for what a server certificate may do: replicas also present it to their primary as a client. */
const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth", "client_auth"];
const CLIENT_USES = ["digital_signature", "key_encipherment", "client_auth"];
const CA_VALIDITY_HOURS = 10 * 365 * 24;
/** A CA lives ten years and is replaced in its last; clients then need the new `caCertificate`. */
const CA_EARLY_RENEWAL_HOURS = 365 * 24;

/**
 * A CA of the component's own and certificates it signs: the server's, for `dnsNames`, and with
 * mutual TLS one for clients. ECDSA P-256 throughout; private keys only in secret outputs.
 */
export function generateTls(name: string, dnsNames: pulumi.Input<string[]>, settings: ParsedTlsArgs, parent: pulumi.Resource): RedisTls {
    const key = (role: string) => new tls.PrivateKey(`${name}-${role}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
    const caKey = key("ca");
    const ca = new tls.SelfSignedCert(
        `${name}-ca`,
        {
            privateKeyPem: caKey.privateKeyPem,
            subject: { commonName: `${name} Redis CA`, organization: "hardened-redis" },
            isCaCertificate: true,
            allowedUses: ["cert_signing", "crl_signing"],
            validityPeriodHours: CA_VALIDITY_HOURS,
            earlyRenewalHours: CA_EARLY_RENEWAL_HOURS,
        },
        { parent },
    );
    const validityPeriodHours = settings.certificateValidityDays * 24;
    const earlyRenewalHours = Math.min(30 * 24, Math.floor(validityPeriodHours / 3));
    const issue = (role: string, uses: string[], commonName: pulumi.Input<string>, names?: pulumi.Input<string[]>) => {
        const privateKey = key(role);
        const request = new tls.CertRequest(
            `${name}-${role}`,
            { privateKeyPem: privateKey.privateKeyPem, subject: { commonName, organization: "hardened-redis" }, dnsNames: names },
            { parent },
        );
        const certificate = new tls.LocallySignedCert(
            `${name}-${role}`,
            {
                certRequestPem: request.certRequestPem,
                caCertPem: ca.certPem,
                caPrivateKeyPem: caKey.privateKeyPem,
                allowedUses: uses,
                validityPeriodHours,
                earlyRenewalHours,
            },
            { parent },
        );
        return { certificate: certificate.certPem, privateKey: pulumi.secret(privateKey.privateKeyPem) };
    };
    // Clients check the SANs; the common name (at most 64 characters) only labels the certificate.
    const server = issue("server", SERVER_USES, `${name} Redis`, dnsNames);
    return {
        material: pulumi.secret(
            pulumi.all([ca.certPem, server.certificate, server.privateKey]).apply(([caCertificate, certificate, privateKey]) => ({
                caCertificate,
                certificate,
                privateKey,
            })),
        ),
        caCertificate: ca.certPem,
        authClients: authClients(settings),
        client: settings.requireClientCertificates ? issue("client", CLIENT_USES, `${name} Redis client`) : undefined,
    };
}

/**
 * Certificates the caller brings, checked against the names clients and replicas use: at
 * construction when every value is known (so `pulumi preview` fails), otherwise at deployment,
 * before Redis is started with them.
 */
export function providedTls(
    material: { [K in keyof TlsMaterial]: pulumi.Input<string> },
    names: pulumi.Input<string[]>,
    settings: ParsedTlsArgs,
    prefix: string,
): RedisTls {
    const options = { prefix, clientAuth: settings.requireClientCertificates };
    const known = Object.values(material).every((v) => typeof v === "string");
    if (known && Array.isArray(names) && names.every((n) => typeof n === "string")) {
        checkTlsMaterial(material as TlsMaterial, names, options);
    }
    const checked = pulumi
        .all([material.caCertificate, material.certificate, material.privateKey, names])
        .apply(([caCertificate, certificate, privateKey, hosts]) => {
            const resolved = { caCertificate, certificate, privateKey };
            checkTlsMaterial(resolved, hosts, options);
            return resolved;
        });
    return {
        material: pulumi.secret(checked),
        caCertificate: pulumi.output(material.caCertificate),
        authClients: authClients(settings),
    };
}
