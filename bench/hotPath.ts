// The hot-path comparisons (connect()'s client and cacheAside against raw ioredis), run in a
// process of their own that loads what an application using hardened-redis/client loads: ioredis
// and the client. The bench's own process has loaded the Pulumi SDK, the Kubernetes SDK and the
// policy engine for its other suites, and merely loading @pulumi/pulumi (nothing of it run) moves
// the bulk-load ratio from about 0.97 to about 0.94 (2026-12-06, same script, 300 rounds, twice
// each; the cause was not found). That process is measured too, as a figure of its own.
import { fork } from "node:child_process";
import Redis from "ioredis";
import { cacheAside, connect, pipelineBatches, type Command } from "../client";
import { HOT_PATH, interleave, opsInFlight, opsPerSecond } from "./measure";

/** What the bench asks of the process; the connection string travels over IPC, never argv or the environment. */
interface Request {
    connectionString: string;
    /** Modules loaded before measuring (the bench process's burden, to measure beside). */
    preload: string[];
    /** Whether to measure the GET comparisons too, or the bulk load only. */
    gets: boolean;
}

/** Raw values per round, in the order the comparisons list them. */
export interface HotPathRounds {
    /** [raw pipelines, connect() + pipelineBatches]. */
    bulk: number[][];
    /** [raw GET, cacheAside hit, GET through connect(), the same with coalesceWrites: false], 100 in flight, when asked for. */
    gets?: number[][];
    /** [raw GET, GET through connect()], one at a time, with the GETs. */
    oneAtATime?: number[][];
}

/** Runs the comparisons in a new process (dist-bench/bench/hotPath.js) and returns their rounds. */
export function hotPathInOwnProcess(connectionString: string, options: { preload?: string[]; gets: boolean }): Promise<HotPathRounds> {
    return new Promise((resolve, reject) => {
        const child = fork(__filename);
        child.once("error", reject);
        child.once("message", (rounds: HotPathRounds) => resolve(rounds));
        child.once("exit", (code) => code !== 0 && reject(new Error(`the hot-path process exited with ${code}`)));
        child.send({ connectionString, preload: options.preload ?? [], gets: options.gets } satisfies Request);
    });
}

async function bulkLoad(raw: Redis, client: Redis): Promise<number[][]> {
    const n = HOT_PATH.operations;
    const bulk: Command[] = Array.from({ length: n }, (_, i) => ["set", `pipe:${i % 100}`, "value-0123456789"]);
    return interleave(HOT_PATH.rounds, [
        () =>
            opsPerSecond(n, async () => {
                for (let b = 0; b < n / 100; b++) {
                    const p = raw.pipeline();
                    for (let i = 0; i < 100; i++) p.set(`pipe:${i}`, "value-0123456789");
                    await p.exec();
                }
            }),
        // Streamed, as the raw side: it keeps no replies either (pipelineInBatches would also build an array of every reply).
        () =>
            opsPerSecond(n, async () => {
                for await (const replies of pipelineBatches(client, bulk, 100)) void replies;
            }),
    ]);
}

async function gets(raw: Redis, client: Redis, uncoalesced: Redis): Promise<number[][]> {
    await client.set("hit:key", JSON.stringify({ v: 1 }), "EX", 600);
    await cacheAside(raw, "cache:hit", () => Promise.resolve({ v: 1 }), { ttlSeconds: 600 });
    const n = HOT_PATH.operations;
    // The helper's own cost: cacheAside and the raw GET on the same plain ioredis connection.
    // connect()'s client, with its commandTimeout (5 s), measured apart; and again writing each
    // command as it is issued, which leaves only the client's own cost per command to see.
    return interleave(HOT_PATH.rounds, [
        () => opsInFlight(n, () => raw.get("hit:key")),
        () => opsInFlight(n, () => cacheAside(raw, "cache:hit", () => Promise.resolve({ v: 1 }), { ttlSeconds: 600, beta: 0 })),
        () => opsInFlight(n, () => client.get("hit:key")),
        () => opsInFlight(n, () => uncoalesced.get("hit:key")),
    ]);
}

/** Each GET awaited before the next is sent: a round trip each, where holding back a write would show as latency. */
function oneAtATime(raw: Redis, client: Redis): Promise<number[][]> {
    const n = HOT_PATH.operations / 5;
    const sequential = (redis: Redis) => () =>
        opsPerSecond(n, async () => {
            for (let i = 0; i < n; i++) await redis.get("hit:key");
        });
    return interleave(HOT_PATH.rounds, [sequential(raw), sequential(client)]);
}

async function main(request: Request): Promise<HotPathRounds> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const module of request.preload) require(module);
    const raw = new Redis(request.connectionString);
    // connect()'s shared client, as an application gets it (commandTimeout 5 s).
    const client = connect(request.connectionString);
    const uncoalesced = connect(request.connectionString, { shared: false, commandTimeout: 5_000, coalesceWrites: false });
    try {
        const bulk = await bulkLoad(raw, client);
        if (!request.gets) return { bulk };
        return { bulk, gets: await gets(raw, client, uncoalesced), oneAtATime: await oneAtATime(raw, client) };
    } finally {
        raw.disconnect();
        client.disconnect();
        uncoalesced.disconnect();
    }
}

if (require.main === module) {
    process.once("message", (request: Request) => {
        main(request).then(
            (rounds) => process.send!(rounds, () => process.exit(0)),
            (error: Error) => {
                // The message only: it never holds the connection string (ioredis names host and port).
                process.stderr.write(`hot path: ${error.message}\n`);
                process.exit(1);
            },
        );
    });
}
