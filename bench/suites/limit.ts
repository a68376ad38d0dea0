// 1. The limit: redis-benchmark, the C client, against a twin of our config (bench/redisBenchmark.ts).
import { LIMIT } from "../figures";
import { measure, REPS } from "../measure";
import { redisBenchmark } from "../redisBenchmark";
import type { Suite } from "../suite";

export const limit: Suite = {
    id: "limit",
    figures: LIMIT,
    async run(bench) {
        const { limit } = await bench.servers();
        await measure(LIMIT.setP1, REPS, () => Promise.resolve(redisBenchmark(limit, "set", 1)));
        await measure(LIMIT.getP1, REPS, () => Promise.resolve(redisBenchmark(limit, "get", 1)));
        await measure(LIMIT.setP16, REPS, () => Promise.resolve(redisBenchmark(limit, "set", 16)));
        await measure(LIMIT.getP16, REPS, () => Promise.resolve(redisBenchmark(limit, "get", 16)));
    },
};
