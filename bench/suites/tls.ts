// 8. TLS against plaintext: servers from one rendered config, one TLS-only (bench/tls.ts); every pair in alternation.
import { TLS } from "../figures";
import { measureInterleaved, opsPerSecond, REPS } from "../measure";
import { benchmarkServer, redisBenchmark } from "../redisBenchmark";
import type { Suite } from "../suite";
import { clientOf, pipelinedSetGet, sequentialSetGet, startTlsPair, startUpRuns } from "../tls";

const SIDES = ["plaintext", "tls"] as const;

export const tls: Suite = {
    id: "tls",
    figures: TLS,
    async run(bench) {
        const { limit } = await bench.servers();
        const tlsStarted = Date.now();
        const pair = await startTlsPair();
        const limitTls = await benchmarkServer({ tls: true });
        try {
            const clients = { plaintext: clientOf(pair.plain), tls: clientOf(pair.tls) };
            await measureInterleaved(
                7,
                SIDES.map((side) => [TLS.sequential[side], () => opsPerSecond(2_000, () => sequentialSetGet(clients[side], 2_000))]),
            );
            await measureInterleaved(
                7,
                SIDES.map((side) => [TLS.pipelines[side], () => opsPerSecond(50_000, () => pipelinedSetGet(clients[side], 50_000, 100))]),
            );
            clients.plaintext.disconnect();
            clients.tls.disconnect();
            const startUp = await startUpRuns(pair);
            await measureInterleaved(60, [
                [TLS.startUp.plaintext, startUp.plain],
                [TLS.startUp.full, startUp.full],
                [TLS.startUp.resumed, startUp.resumed],
            ]);
            const limits = { plaintext: limit, tls: limitTls };
            for (const pipeline of [1, 16] as const) {
                await measureInterleaved(
                    REPS,
                    SIDES.map((side) => [
                        TLS.redisBenchmark[`p${pipeline}`][side],
                        () => Promise.resolve(redisBenchmark(limits[side], "set", pipeline)),
                    ]),
                );
            }
        } finally {
            await limitTls.stop();
            await pair.stop();
        }
        bench.notes.push(`TLS section: ${((Date.now() - tlsStarted) / 1000).toFixed(1)} s`);
    },
};
