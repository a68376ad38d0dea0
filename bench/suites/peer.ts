// 2. The peer: raw ioredis on one connection.
import { PEER } from "../figures";
import { measure, opsPerSecond, REPS, setsInFlight } from "../measure";
import type { Suite } from "../suite";

export const peer: Suite = {
    id: "peer",
    figures: PEER,
    async run(bench) {
        const { raw, auto } = await bench.clients();
        await measure(PEER.sequential, REPS, () =>
            opsPerSecond(2_000, async () => {
                for (let i = 0; i < 2_000; i++) await raw.set(`seq:${i}`, "v");
            }),
        );
        await measure(PEER.inFlight, REPS, () => opsPerSecond(50_000, () => setsInFlight(raw, "inflight:", 50_000, 100)));
        await measure(PEER.autoPipelining, REPS, () => opsPerSecond(50_000, () => setsInFlight(auto, "auto:", 50_000, 100)));
    },
};
