import { clientSuite } from "../../harness/suites/clientSuite";
import { deployKubernetesRedis } from "../../harness/engine/kubernetesDeployment";
import { installMocks } from "../../harness/mocks/pulumiMocks";

// The client suite, unchanged, against KubernetesRedis's pod realised on the Docker engine.
clientSuite("KubernetesRedis's pod on the Docker engine", async () => {
    await installMocks();
    return deployKubernetesRedis("cache");
});
