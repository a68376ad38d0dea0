// 4. Anti-patterns, measured: a connection per command, and what our config and `appendfsync always` cost writes.
import Redis from "ioredis";
import { ANTI_PATTERNS } from "../figures";
import { measure, measureInterleaved, opsPerSecond, REPS, setsInFlight } from "../measure";
import type { Suite } from "../suite";

export const antiPatterns: Suite = {
    id: "antiPatterns",
    figures: ANTI_PATTERNS,
    async run(bench) {
        const { ours, defaults, always } = await bench.servers();
        await measure(ANTI_PATTERNS.newConnection, REPS, () =>
            opsPerSecond(200, async () => {
                for (let i = 0; i < 200; i++) {
                    const once = new Redis(ours.connectionString);
                    await once.set("per-command", "v");
                    await once.quit();
                }
            }),
        );
        const writers = {
            ours: new Redis(ours.connectionString),
            defaults: new Redis(defaults.connectionString),
            always: new Redis(always.connectionString),
        };
        const { inFlight, sequential } = ANTI_PATTERNS;
        await measureInterleaved(
            7,
            (["ours", "defaults", "always"] as const).map((w) => [
                inFlight[w],
                () => opsPerSecond(50_000, () => setsInFlight(writers[w], "w:", 50_000, 100)),
            ]),
        );
        // One write at a time: no group commit, so `always` pays one fsync per write.
        await measureInterleaved(
            7,
            (["ours", "always"] as const).map((w) => [
                sequential[w],
                () => opsPerSecond(2_000, () => setsInFlight(writers[w], "s:", 2_000, 1)),
            ]),
        );
        Object.values(writers).forEach((c) => c.disconnect());
    },
};
