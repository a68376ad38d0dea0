// 10. What the engine pays for redis-guard: its pack process over gRPC, against a no-op pack (bench/policyCost.ts).
import { figuresOf, POLICY } from "../figures";
import { REPS } from "../measure";
import { policyPackCosts } from "../policyCost";
import { announce, record } from "../record";
import type { Suite } from "../suite";

export const policy: Suite = {
    id: "policy",
    figures: POLICY,
    async run() {
        announce("redis-guard over gRPC against a no-op pack", figuresOf(POLICY));
        const packs = await policyPackCosts(REPS);
        for (const [figures, runs] of [
            [POLICY.redisGuard, packs.redisGuard],
            [POLICY.noop, packs.noop],
        ] as const) {
            record(
                figures.analyzeUnrelated,
                runs.map((r) => r.analyzeUnrelated),
            );
            record(
                figures.analyzeRedis,
                runs.map((r) => r.analyzeRedis),
            );
            record(
                figures.analyzeStack,
                runs.map((r) => r.analyzeStack),
            );
        }
    },
};
