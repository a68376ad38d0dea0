// The client suite on the other servers the components run (Redis 7 runs it in suite.test.ts and
// on every deployed target): Debian trixie's Redis 8 and Valkey 8, started from the same rendered
// configuration with the chosen server's command table.
import { clientSuite } from "../../harness/suites/clientSuite";
import { startLocalRedis } from "../../harness/local/localRedis";
import { serverNamed } from "../../redis/servers";

for (const server of ["redis-8", "valkey-8"].map(serverNamed)) {
    clientSuite(`a local ${server.title} started from the rendered config`, () => startLocalRedis({ server: server.name }));
}
