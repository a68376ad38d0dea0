// 6. Memory of a client process of its own holding the singleton through a bulk load.
import { fork } from "node:child_process";
import { join } from "node:path";
import { MEMORY } from "../figures";
import { measure, REPS } from "../measure";
import type { Suite } from "../suite";

export const memory: Suite = {
    id: "memory",
    figures: MEMORY,
    async run(bench) {
        const { ours } = await bench.servers();
        await measure(MEMORY.rss, REPS, () => clientProcessRss(ours.connectionString, 100_000));
    },
};

/** The RSS of bench/rssWorker.cjs (from its source folder: it is not compiled) after it bulk-loads `keys` keys, in MB. */
function clientProcessRss(connectionString: string, keys: number): Promise<number> {
    return new Promise((resolve, reject) => {
        // From dist-bench/bench/suites/ to the repository root.
        const worker = fork(join(__dirname, "..", "..", "..", "bench", "rssWorker.cjs"));
        worker.once("error", reject);
        worker.once("message", (m: { rssMb: number }) => resolve(m.rssMb));
        worker.once("exit", (code) => code !== 0 && reject(new Error(`rss worker exited with ${code}`)));
        worker.send({ connectionString, keys });
    });
}
