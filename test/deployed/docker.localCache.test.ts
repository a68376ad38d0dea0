import { deployDockerRedis } from "../../harness/engine/deployments";
import { installMocks } from "../../harness/mocks/pulumiMocks";
import { localCacheSuite } from "../../harness/suites/localCacheSuite";

// The localCache suite, unchanged, against DockerRedis realised on the real Docker engine: the
// app user it generates may turn tracking on, and invalidations cross the container's network.
localCacheSuite("DockerRedis on the Docker engine", async () => {
    await installMocks();
    return deployDockerRedis("hotkeys");
});

localCacheSuite("DockerRedis with tls on the Docker engine", async () => {
    await installMocks();
    return deployDockerRedis("hotkeystls", { tls: { enabled: true } });
});
