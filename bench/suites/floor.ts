// 7. The floor: this machine's scheduling delay, and a PING's round trip on loopback.
import { execFileSync } from "node:child_process";
import { FLOOR } from "../figures";
import { measure, pingRttUs, REPS } from "../measure";
import type { Suite } from "../suite";

export const floor: Suite = {
    id: "floor",
    figures: FLOOR,
    async run(bench) {
        const { raw } = await bench.clients();
        await measure(FLOOR.intrinsicLatency, REPS, () => Promise.resolve(intrinsicLatency(1).maxUs));
        await measure(FLOOR.ping, REPS, () => pingRttUs(raw, 2_000));
    },
};

/** redis-cli's intrinsic latency test: the worst scheduling delay seen on this machine. */
function intrinsicLatency(seconds: number): { avgUs: number; maxUs: number } {
    const out = execFileSync("redis-cli", ["--intrinsic-latency", String(seconds)], { encoding: "utf8" });
    const avg = /avg latency: ([\d.]+) microseconds/.exec(out);
    const max = [...out.matchAll(/Max latency so far: (\d+) microseconds/g)].pop();
    return { avgUs: Number(avg?.[1]), maxUs: Number(max?.[1]) };
}
