import { startLocalSentinelTopology } from "../../harness/local/localSentinel";
import { clientSuite } from "../../harness/suites/clientSuite";

// The same suite through the Sentinels: every client (and the admin observer) is given the Sentinel
// connection string the components output for that topology, and finds the primary from it.
clientSuite("a Sentinel topology (a primary, 2 replicas, 3 Sentinels; redis+sentinel://)", () =>
    // No failover is wanted here: down-after at 5 s, so a stall of a second on a loaded machine starts none.
    startLocalSentinelTopology({ downAfterMilliseconds: 5_000 }).then((t) => ({
        connectionString: t.connectionString,
        adminConnectionString: t.adminConnectionString,
        stop: () => t.stop(),
    })),
);
