// 5. Stampede: 1,000 concurrent misses of one key through cacheAside, a 50 ms backend behind it.
import { cacheAside } from "../../client";
import { STAMPEDE } from "../figures";
import { measure, REPS } from "../measure";
import { recordPercentiles } from "../record";
import type { Suite } from "../suite";

export const stampede: Suite = {
    id: "stampede",
    figures: STAMPEDE,
    async run(bench) {
        const { client } = await bench.clients();
        const latencies: number[] = [];
        await measure(STAMPEDE.loads, REPS, async () => {
            let loads = 0;
            const key = `stampede:${Math.random()}`;
            const runs = await Promise.all(
                Array.from({ length: 1_000 }, async () => {
                    const t0 = Date.now();
                    await cacheAside(client, key, async () => (loads++, await new Promise((r) => setTimeout(r, 50)), "v"), {
                        ttlSeconds: 60,
                    });
                    return Date.now() - t0;
                }),
            );
            latencies.push(...runs);
            return loads;
        });
        recordPercentiles(STAMPEDE.latency, latencies);
    },
};
