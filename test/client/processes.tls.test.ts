import { issueCertificates } from "../../harness/local/certificates";
import { startLocalRedis } from "../../harness/local/localRedis";
import { clientProcessesSuite } from "../../harness/suites/clientProcessesSuite";

// Over TLS, with a certificate that names "localhost" but not 127.0.0.1, the string's host (as a
// container's certificate names its service, not the bridge address a test reaches it at): each
// worker must be handed the CA and the name to verify, and verify it.
clientProcessesSuite("a local redis-server with TLS only, its certificate checked for another name than the string's host", async () => {
    const server = await startLocalRedis({ tls: true }, { certificates: issueCertificates({ dnsNames: ["localhost"] }) });
    return { ...server, tls: { caCertificate: server.tls?.caCertificate ?? "", servername: "localhost" } };
});
