import { clientProcessesSuite } from "../../harness/suites/clientProcessesSuite";
import { deployDockerRedis } from "../../harness/engine/deployments";
import { installMocks } from "../../harness/mocks/pulumiMocks";

clientProcessesSuite("DockerRedis on the Docker engine", async () => {
    await installMocks();
    return deployDockerRedis("cache");
});
