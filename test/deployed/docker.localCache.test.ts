import { deployDockerRedis } from "../../harness/docker/deployments";
import { installMocks } from "../../harness/pulumiMocks";
import { localCacheSuite } from "../support/localCacheSuite";

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
