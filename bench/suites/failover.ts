// 12. Sentinel failover: SIGKILL the primary under writes, bounded in rounds and time (no round
// starts later than its budget after the deployment began; together about 3 minutes). bench/failover.ts
// runs the rounds; a platform that fails is skipped with a line saying why.
import { FAILOVER, figuresOf, type FailoverFigures, type Figure } from "../figures";
import { dockerFailovers, kubernetesFailovers, localFailovers, type FailoverRound, type FailoverRun } from "../failover";
import { announce, record } from "../record";
import type { Suite } from "../suite";

export const failover: Suite = {
    id: "failover",
    figures: FAILOVER,
    async run(bench) {
        await bench.mocks();
        const failoverStarted = Date.now();
        const failovers: Array<[FailoverFigures, () => Promise<FailoverRun>]> = [
            [FAILOVER.docker, () => dockerFailovers(bench.name("bench"), 5, 120_000)],
            [FAILOVER.kubernetes, () => kubernetesFailovers(bench.name("kbench"), 5, 120_000)],
            // For comparison: the same rendered configs as processes, fewer rounds.
            [FAILOVER.local, () => localFailovers(2, 30_000)],
        ];
        const notes: string[] = [];
        for (const [figures, run] of failovers) {
            announce(`failover on ${figures.platform}`, figuresOf(figures));
            try {
                notes.push(recordFailovers(figures, await run()));
            } catch (e) {
                process.stderr.write(`\nFailover figures on ${figures.platform} skipped: ${(e as Error).message}\n`);
            }
        }
        bench.notes.push([`Failover section: ${((Date.now() - failoverStarted) / 1000).toFixed(1)} s`, ...notes].join("\n  "));
    },
};

/** Records the figures of Sentinel failovers on one platform, one raw value per round; returns a line for the summary. */
function recordFailovers(figures: FailoverFigures, run: FailoverRun): string {
    const rounds = run.rounds;
    if (rounds.length === 0) throw new Error("no failover round ran");
    const switches = rounds.flatMap((r) => (r.switchSeconds === undefined ? [] : [r.switchSeconds]));
    if (switches.length > 0) record(figures.switchMaster, switches);
    const series: Array<[Figure<"repeated">, (r: FailoverRound) => number]> = [
        [figures.firstPlainWrite, (r) => r.plain.firstWriteSeconds],
        [figures.firstConfirmedWrite, (r) => r.confirmed.firstWriteSeconds],
        [figures.plainAcknowledged, (r) => r.plain.acknowledged],
        [figures.plainLost, (r) => r.plain.lost],
        [figures.confirmedAcknowledged, (r) => r.confirmed.acknowledged],
        [figures.confirmedLost, (r) => r.confirmed.lost],
        [figures.rejoin, (r) => r.rejoinSeconds],
    ];
    for (const [figure, of] of series) record(figure, rounds.map(of));
    const oldestLost = Math.max(...rounds.map((r) => r.plain.oldestLostMs));
    return (
        `${figures.platform}: ${rounds.length} rounds, setup ${run.setupSeconds.toFixed(0)} s, ${run.seconds.toFixed(0)} s in all` +
        (oldestLost > 0 ? `; oldest lost plain write acknowledged ${oldestLost} ms before the kill` : "")
    );
}
