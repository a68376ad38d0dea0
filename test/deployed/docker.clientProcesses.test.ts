import { clientProcessesSuite } from "../support/clientProcessesSuite";
import { deployDockerRedis } from "../../harness/docker/deployments";
import { installMocks } from "../../harness/pulumiMocks";

clientProcessesSuite("DockerRedis on the Docker engine", async () => {
    await installMocks();
    return deployDockerRedis("cache");
});
