// What a suite is, and what suites share: the local servers and clients most of them measure, the
// Pulumi mocks, unique deployment names and the notes printed after the tables. Each is made on
// first use, so a run of some suites starts only what they need; a full run starts them where the
// first suite needing them begins.
import Redis from "ioredis";
import { closeSharedClients, connect } from "../client";
import { startLocalRedis, type LocalRedis } from "../harness/local/localRedis";
import { installMocks } from "../harness/mocks/pulumiMocks";
import type { FigureGroup } from "./figures";
import { benchmarkServer, type BenchmarkServer } from "./redisBenchmark";

export interface Suite {
    /** Its file's name, which selects it: `npm run bench -- <id>…`. */
    readonly id: string;
    /** Every figure it may record, from bench/figures.ts: one step of progress each. */
    readonly figures: FigureGroup;
    run(bench: Bench): Promise<void>;
}

export interface Servers {
    /** Our rendered config. */
    ours: LocalRedis;
    /** Redis's defaults where ours differ in cost: no AOF, no maxmemory, every command enabled. */
    defaults: LocalRedis;
    /** Ours with `appendfsync always`. */
    always: LocalRedis;
    /** redis-benchmark's twin of ours, without auth. */
    limit: BenchmarkServer;
}

export interface Clients {
    /** Raw ioredis on one connection. */
    raw: Redis;
    /** connect()'s shared client. */
    client: Redis;
    /** Raw ioredis with auto-pipelining. */
    auto: Redis;
}

export class Bench {
    /** Lines printed after the run, below the progress line (a section's time, what it noticed). */
    readonly notes: string[] = [];
    private started: Array<{ stop(): Promise<void> }> = [];
    private serversOnce?: Promise<Servers>;
    private clientsOnce?: Promise<Clients>;
    private mocksOnce?: Promise<void>;
    private componentsOnce?: Promise<typeof import("../index")>;
    private names = 0;

    /** The local servers, all on ours: each started once. */
    servers(): Promise<Servers> {
        this.serversOnce ??= (async () => {
            const start = async <T extends { stop(): Promise<void> }>(server: Promise<T>) => {
                this.started.push(await server);
                return this.started.at(-1) as T;
            };
            const ours = await start(startLocalRedis());
            const defaults = await start(
                startLocalRedis({ appendonly: false, maxmemory: 0, maxmemoryPolicy: "noeviction", disabledCommands: [] }),
            );
            const always = await start(startLocalRedis({ appendfsync: "always" }));
            const limit = await start(benchmarkServer());
            return { ours, defaults, always, limit };
        })();
        return this.serversOnce;
    }

    /** Clients of ours, made once. */
    clients(): Promise<Clients> {
        this.clientsOnce ??= this.servers().then(({ ours }) => ({
            raw: new Redis(ours.connectionString),
            client: connect(ours.connectionString),
            auto: new Redis(ours.connectionString, { enableAutoPipelining: true }),
        }));
        return this.clientsOnce;
    }

    /** Pulumi mocks, installed once: components are constructed, and deployments realised, under them. */
    mocks(): Promise<void> {
        this.mocksOnce ??= installMocks("bench");
        return this.mocksOnce;
    }

    /** The components, loaded after the mocks are installed (resource classes read the runtime settings when loaded). */
    components(): Promise<typeof import("../index")> {
        this.componentsOnce ??= this.mocks().then(() => import("../index"));
        return this.componentsOnce;
    }

    /** A name no other deployment or component of this run has. */
    name(prefix: string): string {
        return `${prefix}${this.names++}`;
    }

    async close(): Promise<void> {
        const clients = await this.clientsOnce?.catch(() => undefined);
        clients?.raw.disconnect();
        clients?.auto.disconnect();
        await closeSharedClients();
        for (const server of this.started) await server.stop();
    }
}
