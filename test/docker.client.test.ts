import { clientSuite } from "./support/clientSuite";
import { deployDockerRedis } from "./support/docker/deployments";
import { installMocks } from "./support/pulumiMocks";

// The client suite, unchanged, against DockerRedis realised on the real Docker engine.
clientSuite("DockerRedis on the Docker engine", async () => {
    await installMocks();
    return deployDockerRedis("cache");
});
