import { describe, expect, it } from "vitest";
import { checkTlsMaterial } from "../../../redis/tls/certificateChecks";
import {
    certificateAuthority,
    certificateRequestPem,
    issueCertificates,
    privateKeyPem,
    signPem,
} from "../../../harness/local/certificates";

const options = { prefix: "tls", clientAuth: false };
const material = (issued: { caCertificate: string; certificate: string; privateKey: string }) => ({
    caCertificate: issued.caCertificate,
    certificate: issued.certificate,
    privateKey: issued.privateKey,
});

// Real certificates from openssl; the checks a certificate someone brings must pass before Redis starts with it.
describe("checkTlsMaterial", () => {
    const root = certificateAuthority("root CA");

    it("accepts a certificate for every name, wildcards included, signed by the CA", () => {
        const issued = issueCertificates({ dnsNames: ["cache.apps.svc", "*.cache-headless.apps.svc"] }, { ca: root });
        expect(() => checkTlsMaterial(material(issued), ["cache.apps.svc", "cache-0.cache-headless.apps.svc"], options)).not.toThrow();
        expect(() => checkTlsMaterial(material(issued), ["cache-0.other.apps.svc"], options)).toThrow(
            /"tls.certificate": got a certificate for "CN=cache.apps.svc" .*missing cache-0.other.apps.svc/,
        );
    });

    it("follows intermediates that come after the certificate to the CA", () => {
        const intermediateKey = privateKeyPem();
        const intermediate = signPem(
            certificateRequestPem(intermediateKey, "intermediate CA"),
            { caCertificate: root.certificate, caPrivateKey: root.privateKey },
            { validity: { hours: 24 }, allowedUses: ["cert_signing"], isCa: true },
        );
        const leaf = issueCertificates({ dnsNames: ["cache"] }, { ca: { certificate: intermediate, privateKey: intermediateKey } });
        const chained = { caCertificate: root.certificate, certificate: `${leaf.certificate}${intermediate}`, privateKey: leaf.privateKey };
        expect(() => checkTlsMaterial(chained, ["cache"], options)).not.toThrow();
        // Without the intermediate, the root did not sign the certificate.
        expect(() => checkTlsMaterial({ ...chained, certificate: leaf.certificate }, ["cache"], options)).toThrow(
            /"tls.certificate": got .* issued by "CN=intermediate CA"; allowed: a certificate signed by tls.caCertificate/,
        );
    });

    it("refuses a CA certificate that is not a CA", () => {
        const issued = issueCertificates({ dnsNames: ["cache"] }, { ca: root });
        const notCa = issueCertificates({ dnsNames: ["other"] }, { ca: root });
        expect(() => checkTlsMaterial({ ...material(issued), caCertificate: notCa.certificate }, ["cache"], options)).toThrow(
            /allowed: a certificate signed by tls.caCertificate/,
        );
    });

    it("refuses a weak key without showing it", () => {
        const weakKey = privateKeyPem({ rsaBits: 1024 });
        const certificate = signPem(
            certificateRequestPem(weakKey, "cache", ["cache"]),
            { caCertificate: root.certificate, caPrivateKey: root.privateKey },
            { validity: { hours: 24 }, allowedUses: ["digital_signature", "server_auth"] },
        );
        let message = "";
        try {
            checkTlsMaterial({ caCertificate: root.certificate, certificate, privateKey: weakKey }, ["cache"], options);
        } catch (e) {
            message = (e as Error).message;
        }
        expect(message).toMatch(
            /"tls.privateKey": got a weaker key \(not shown: secret\); allowed: an ECDSA P-256\/P-384 key or an RSA key of at least 2048 bits/,
        );
        expect(message.includes(weakKey.split("\n")[1])).toBe(false);
    });

    it("accepts an RSA 2048 key", () => {
        const key = privateKeyPem({ rsaBits: 2048 });
        const certificate = signPem(
            certificateRequestPem(key, "cache", ["cache"]),
            { caCertificate: root.certificate, caPrivateKey: root.privateKey },
            { validity: { hours: 24 }, allowedUses: ["digital_signature", "key_encipherment", "server_auth"] },
        );
        expect(() => checkTlsMaterial({ caCertificate: root.certificate, certificate, privateKey: key }, ["cache"], options)).not.toThrow();
    });

    it("needs serverAuth, and clientAuth too with mutual TLS, when the certificate restricts its use", () => {
        const serverOnly = issueCertificates({ dnsNames: ["cache"] }, { ca: root, uses: ["digital_signature", "server_auth"] });
        expect(() => checkTlsMaterial(material(serverOnly), ["cache"], options)).not.toThrow();
        expect(() => checkTlsMaterial(material(serverOnly), ["cache"], { ...options, clientAuth: true })).toThrow(
            /allowed: a certificate for TLS servers and clients \(extended key usage serverAuth and clientAuth/,
        );
        const clientOnly = issueCertificates({ dnsNames: ["cache"] }, { ca: root, uses: ["digital_signature", "client_auth"] });
        expect(() => checkTlsMaterial(material(clientOnly), ["cache"], options)).toThrow(
            /"tls.certificate": got .* with extended key usages 1.3.6.1.5.5.7.3.2; allowed: a certificate for TLS servers/,
        );
    });

    it("judges validity at the time it is given", () => {
        const issued = issueCertificates({ dnsNames: ["cache"] }, { ca: root, validity: { hours: 48 } });
        const check = (now: Date) => () => checkTlsMaterial(material(issued), ["cache"], { ...options, now });
        expect(check(new Date(Date.now() + 12 * 3_600_000))).not.toThrow();
        // The CA (valid 24 h) expires before the certificate does.
        expect(check(new Date(Date.now() + 36 * 3_600_000))).toThrow(
            /"tls.caCertificate": got a certificate for "CN=root CA" \(SANs: none\) valid from .*; allowed: certificates valid now/,
        );
        expect(check(new Date(Date.now() - 3_600_000))).toThrow(/allowed: certificates valid now/);
    });
});
