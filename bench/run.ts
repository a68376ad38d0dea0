// `npm run bench`: what the package is for, measured side by side in one run on one machine,
// reported as ratios. Every figure is the median of 5+ repetitions (raw numbers, min and max
// in bench/results.json). Traffic goes only to servers this script starts: local
// redis-server processes on loopback and, when Docker is running, a realised DockerRedis.
//
// `npm run bench -- <suite>…` (or `node dist-bench/bench/run.js <suite>…`) runs only the suites
// named, in their usual order, and prints their figures without writing bench/results.json.
import { execFileSync } from "node:child_process";
import { allFigures, figuresOf } from "./figures";
import { enterSuite, leaveSuite, startProgress } from "./record";
import { report } from "./report";
import { Bench, type Suite } from "./suite";
import { antiPatterns } from "./suites/antiPatterns";
import { docker } from "./suites/docker";
import { failover } from "./suites/failover";
import { handover } from "./suites/handover";
import { floor } from "./suites/floor";
import { limit } from "./suites/limit";
import { memory } from "./suites/memory";
import { ours } from "./suites/ours";
import { peer } from "./suites/peer";
import { policy } from "./suites/policy";
import { provisioning } from "./suites/provisioning";
import { stampede } from "./suites/stampede";
import { tls } from "./suites/tls";

/** The suites in the order they run, which is the order of the report and of results.json. */
const SUITES: readonly Suite[] = [
    limit,
    peer,
    ours,
    antiPatterns,
    stampede,
    memory,
    floor,
    tls,
    provisioning,
    policy,
    docker,
    failover,
    handover,
];

/** Each declared figure belongs to exactly one suite, so the steps counted from the suites are every figure once. */
function checkSuites(): void {
    const owner = new Map<string, string>();
    for (const suite of SUITES) {
        for (const f of figuresOf(suite.figures)) {
            if (owner.has(f.name)) throw new Error(`bench figure "${f.name}" is in suites ${owner.get(f.name)} and ${suite.id}`);
            owner.set(f.name, suite.id);
        }
    }
    const orphans = allFigures().filter((f) => !owner.has(f.name));
    if (orphans.length > 0) throw new Error(`bench figures in no suite: ${orphans.map((f) => f.name).join(", ")}`);
}

/** The suites named (all of them when none is), in their order. */
function selected(ids: string[]): Suite[] {
    const unknown = ids.filter((id) => !SUITES.some((s) => s.id === id));
    if (unknown.length > 0) throw new Error(`no bench suite ${unknown.join(", ")}; the suites: ${SUITES.map((s) => s.id).join(", ")}`);
    return ids.length === 0 ? [...SUITES] : SUITES.filter((s) => ids.includes(s.id));
}

function installTools(): void {
    for (const tool of ["redis-server", "redis-benchmark", "redis-cli"]) {
        try {
            execFileSync("sh", ["-c", `command -v ${tool}`]);
        } catch {
            execFileSync(
                "sh",
                ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools"],
                { stdio: "inherit" },
            );
            break;
        }
    }
}

async function main(): Promise<void> {
    const started = Date.now();
    checkSuites();
    const suites = selected(process.argv.slice(2));
    installTools();
    const steps = suites.map((s) => figuresOf(s.figures).length);
    const total = steps.reduce((sum, n) => sum + n, 0);
    startProgress(started, total);
    const bench = new Bench();
    try {
        let done = 0;
        for (const [i, suite] of suites.entries()) {
            enterSuite(figuresOf(suite.figures));
            await suite.run(bench);
            leaveSuite((done += steps[i]));
        }
    } finally {
        await bench.close();
    }
    const all = suites.length === SUITES.length;
    if (!all) bench.notes.push(`Suites run: ${suites.map((s) => s.id).join(", ")}; bench/results.json left as it was.`);
    report(started, bench.notes, all);
}

main()
    .then(() => process.exit(0))
    .catch((e: unknown) => {
        process.stderr.write(`\nbench failed: ${(e as Error).stack ?? String(e)}\n`);
        process.exit(1);
    });
