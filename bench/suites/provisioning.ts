// 9. Provisioning cost: constructing the components under Pulumi mocks.
import { allRegistered } from "../../harness/mocks/pulumiMocks";
import { PROVISIONING } from "../figures";
import { measure, REPS } from "../measure";
import type { Suite } from "../suite";

export const provisioning: Suite = {
    id: "provisioning",
    figures: PROVISIONING,
    async run(bench) {
        const { DockerRedis, KubernetesRedis } = await bench.components();
        await measure(PROVISIONING.docker, REPS, async () => {
            const t0 = Date.now();
            for (let i = 0; i < 100; i++) new DockerRedis(bench.name("d"));
            await allRegistered();
            return (Date.now() - t0) / 100;
        });
        await measure(PROVISIONING.kubernetes, REPS, async () => {
            const t0 = Date.now();
            for (let i = 0; i < 100; i++) new KubernetesRedis(bench.name("k"));
            await allRegistered();
            return (Date.now() - t0) / 100;
        });
    },
};
