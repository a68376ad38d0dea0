import { startLocalRedis } from "../../harness/local/localRedis";
import { clientSuite } from "../../harness/suites/clientSuite";

// The same suite over TLS only: the server has no plaintext listener, and every client is told the
// components' CA (caCertificate), as an application is.
clientSuite("a local redis-server with TLS only (rediss://, the components' CA)", () => startLocalRedis({ tls: true }));
