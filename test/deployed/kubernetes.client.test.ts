import { clientSuite } from "../support/clientSuite";
import { deployKubernetesRedis } from "../../harness/docker/kubernetesDeployment";
import { installMocks } from "../../harness/pulumiMocks";

// The client suite, unchanged, against KubernetesRedis's pod realised on the Docker engine.
clientSuite("KubernetesRedis's pod on the Docker engine", async () => {
    await installMocks();
    return deployKubernetesRedis("cache");
});
