import { clientSuite } from "../../harness/suites/clientSuite";
import { deployDockerRedis } from "../../harness/engine/deployments";
import { installMocks } from "../../harness/mocks/pulumiMocks";

// The client suite, unchanged, against DockerRedis realised on the real Docker engine.
clientSuite("DockerRedis on the Docker engine", async () => {
    await installMocks();
    return deployDockerRedis("cache");
});

// Again over TLS: the rediss:// string with the exported CA, verified against the network alias.
clientSuite("DockerRedis with tls on the Docker engine", async () => {
    await installMocks();
    return deployDockerRedis("tlsclient", { tls: { enabled: true } });
});
