import { clientProcessesSuite } from "./support/clientProcessesSuite";
import { deployDockerRedis } from "./support/docker/deployments";
import { installMocks } from "./support/pulumiMocks";

clientProcessesSuite("DockerRedis on the Docker engine", async () => {
    await installMocks();
    return deployDockerRedis("cache");
});
