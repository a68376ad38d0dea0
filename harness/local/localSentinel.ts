// A Sentinel topology of real processes on loopback, started from the rendered configs: a primary,
// its replicas and the Sentinels watching them, with the components' users. What the containers
// run, minus the containers, so failover can be tested and measured in seconds.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionOptions } from "node:tls";
import Redis, { type RedisOptions } from "ioredis";
import { redisSentinelConnectionString } from "../../platforms/common/credentials";
import { renderSentinelConfig, sentinelCommand } from "../../redis/sentinel/sentinelConfig";
import { hardenedUsers } from "../../redis/acl/users";
import { DEFAULT_SERVER, serverNamed, type RedisServerKind } from "../../redis/servers";
import {
    freeLoopbackPort,
    generatedPassword,
    generatedSecrets,
    launchRedis,
    startLocalRedis,
    type LocalRedis,
    type RedisSecrets,
} from "./localRedis";
import { withLocalPrograms } from "./serverPrograms";

export interface LocalSentinel {
    port: number;
    kill(): Promise<void>;
    /** Stops it (SIGTERM), keeping its copy of the config, as a container's volume keeps it. */
    stop(): Promise<void>;
    /** Starts it again with the container's command, from the rendered file and the copy it left. */
    start(): Promise<void>;
    /** Stops it and removes its files. */
    remove(): Promise<void>;
}

export interface LocalSentinelTopology {
    masterName: string;
    /** The servers, the first started as primary. */
    servers: LocalRedis[];
    sentinels: LocalSentinel[];
    /** As the components' `connectionString` with Sentinel: the app user, through the Sentinels. */
    connectionString: string;
    /** As `adminConnectionString`. */
    adminConnectionString: string;
    /** When the Sentinels decide: the primary is down after `downAfterMilliseconds`; a failover times out after `failoverTimeoutMilliseconds`. */
    timing: { downAfterMilliseconds: number; failoverTimeoutMilliseconds: number };
    /** ioredis options for the app user through the Sentinels, spelled out. */
    appOptions: RedisOptions;
    /** The same for the admin user. */
    adminOptions: RedisOptions;
    stop(): Promise<void>;
}

export interface SentinelTopologySettings {
    replicas?: number;
    sentinels?: number;
    quorum?: number;
    downAfterMilliseconds?: number;
    failoverTimeoutMilliseconds?: number;
    minReplicasToWrite?: number;
    /** The `server` setting: which server's programs run the topology (the default's unless set). */
    server?: string;
}

/** Resolves once `count` replicas have synced with `primary` (until then, min-replicas-to-write refuses writes). */
async function replicasOnline(primary: LocalRedis, count: number): Promise<void> {
    const admin = new Redis(primary.adminConnectionString, { maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
        const deadline = Date.now() + 20_000;
        while ((await admin.info("replication")).match(/^slave\d+:.*state=online/gm)?.length !== count) {
            if (Date.now() > deadline) throw new Error(`${count} replicas did not sync within 20 s`);
            await new Promise((r) => setTimeout(r, 100));
        }
    } finally {
        admin.disconnect();
    }
}

/**
 * Resolves once every Sentinel knows the others and every replica. A primary killed before a late
 * Sentinel's first INFO of it leaves that Sentinel without the replicas, so tests wait for this.
 */
export async function sentinelsAcquainted(
    sentinels: Array<{ port: number }>,
    masterName: string,
    adminPassword: string,
    replicas: number,
    tls?: ConnectionOptions,
): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
        const acquainted = await Promise.all(
            sentinels.map(async ({ port }) => {
                const s = new Redis({ port, host: "127.0.0.1", username: "admin", password: adminPassword, maxRetriesPerRequest: 0, tls });
                s.on("error", () => {});
                try {
                    const peers = ((await s.call("SENTINEL", "SENTINELS", masterName)) as unknown[]).length;
                    const known = ((await s.call("SENTINEL", "REPLICAS", masterName)) as unknown[]).length;
                    return peers === sentinels.length - 1 && known === replicas;
                } catch {
                    return false; // not answering yet: asked again below
                } finally {
                    s.disconnect();
                }
            }),
        );
        if (acquainted.every(Boolean)) return;
        if (Date.now() > deadline) throw new Error("the Sentinels did not find each other and every replica within 30 s");
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** When the Sentinels decide (see {@link LocalSentinelTopology.timing}). */
type Timing = LocalSentinelTopology["timing"];

/** Starts a primary, `replicas` replicas of it and `sentinels` Sentinels, all on free loopback ports. */
export async function startLocalSentinelTopology(settings: SentinelTopologySettings = {}): Promise<LocalSentinelTopology> {
    const masterName = "hardened";
    const timing = {
        downAfterMilliseconds: settings.downAfterMilliseconds ?? 1_000,
        failoverTimeoutMilliseconds: settings.failoverTimeoutMilliseconds ?? 5_000,
    };
    const base = generatedSecrets();
    const secrets = { ...base, passwords: { ...base.passwords, sentinel: [generatedPassword()] } };
    // Filled as each process starts, so that a failure part way stops what did start.
    const servers: LocalRedis[] = [];
    const sentinels: LocalSentinel[] = [];
    const stop = async () => {
        for (const s of sentinels) await s.remove();
        for (const s of servers.reverse()) await s.stop();
    };
    try {
        const primary = await startServers(settings, secrets, servers);
        await startSentinels(settings, { secrets, masterName, timing, primary, servers }, sentinels);
        await sentinelsAcquainted(sentinels, masterName, secrets.passwords.admin[0], servers.length - 1);
    } catch (e) {
        await stop();
        throw e;
    }
    const { connectionString, adminConnectionString, appOptions, adminOptions } = access(masterName, secrets, sentinels);
    return { masterName, servers, sentinels, timing, connectionString, adminConnectionString, appOptions, adminOptions, stop };
}

/** Starts the primary and its replicas into `servers`, and resolves with the primary once every replica has synced. */
async function startServers(settings: SentinelTopologySettings, secrets: RedisSecrets, servers: LocalRedis[]): Promise<LocalRedis> {
    const redisSettings = {
        minReplicasToWrite: settings.minReplicasToWrite ?? 1,
        minReplicasMaxLagSeconds: 10,
        server: settings.server ?? DEFAULT_SERVER.name,
    };
    // Rendered as the components render every server: with the replication credentials
    // (masteruser/masterauth), which redis.conf carries only for a topology with a primary to
    // follow. Without them server 0, relaunched after a failover and told by Sentinel to follow
    // the promoted replica, could never authenticate to it (NOAUTH on every PSYNC).
    const primary = await startLocalRedis({ ...redisSettings, replicaOfHost: "127.0.0.1" }, { secrets });
    servers.push(primary);
    for (let i = 0; i < (settings.replicas ?? 2); i++) {
        servers.push(
            await startLocalRedis(
                { ...redisSettings, replicaOfHost: "127.0.0.1", replicaOfPort: primary.port },
                { secrets, configFile: "replica.conf" },
            ),
        );
    }
    await replicasOnline(primary, servers.length - 1);
    return primary;
}

type Endpoint = { host: string; port: number };

/** What each Sentinel's config is rendered from, besides its own port and directory. */
interface SentinelContext {
    secrets: RedisSecrets;
    masterName: string;
    timing: Timing;
    primary: LocalRedis;
    servers: LocalRedis[];
}

/** Starts `settings.sentinels` Sentinels (3 by default) into `sentinels`, each watching the primary. */
async function startSentinels(settings: SentinelTopologySettings, context: SentinelContext, sentinels: LocalSentinel[]): Promise<void> {
    const count = settings.sentinels ?? 3;
    // Every Sentinel's port first: each config lists the whole topology.
    const ports = new Set<number>();
    while (ports.size < count) ports.add(await freeLoopbackPort());
    const topology = {
        servers: context.servers.map((server) => ({ host: "127.0.0.1", port: server.port })),
        sentinels: [...ports].map((port) => ({ host: "127.0.0.1", port })),
    };
    const quorum = settings.quorum ?? Math.floor(count / 2) + 1;
    const server = serverNamed(settings.server ?? DEFAULT_SERVER.name);
    for (const port of ports) sentinels.push(await startSentinel(port, topology, quorum, server, context));
}

/** Renders one Sentinel's config as the components do, into a directory of its own, and starts it with the container's command. */
async function startSentinel(
    port: number,
    topology: { servers: Endpoint[]; sentinels: Endpoint[] },
    quorum: number,
    server: RedisServerKind,
    { secrets, masterName, timing, primary }: SentinelContext,
): Promise<LocalSentinel> {
    const dir = await mkdtemp(join(tmpdir(), "hardened-sentinel-"));
    const conf = renderSentinelConfig({
        ...topology,
        masterName,
        primaryHost: "127.0.0.1",
        redisPort: primary.port,
        announceHost: "127.0.0.1",
        port,
        quorum,
        ...timing,
        users: hardenedUsers(secrets.passwords),
        configCommandName: secrets.configCommandName,
        dataDir: dir,
        configDir: dir,
        server: server.name,
    });
    // Loopback only here; in the containers Sentinel listens on the private network.
    const renderedFile = join(dir, "rendered.conf");
    await writeFile(renderedFile, conf.replace("bind * -::*", "bind 127.0.0.1"), { mode: 0o400 });
    const command = sentinelCommand(server.family, { renderedFile, dataDir: dir, masterName });
    const env = withLocalPrograms(server);
    let process = await launchRedis(command, port, env);
    return {
        port,
        kill: () => process.kill(),
        stop: () => process.stop(),
        start: async () => {
            process = await launchRedis(command, port, env);
        },
        remove: async () => {
            await process.stop();
            await rm(dir, { recursive: true, force: true });
        },
    };
}

/** How clients reach the primary through the Sentinels, as connection strings and as ioredis options. */
function access(
    masterName: string,
    secrets: RedisSecrets,
    sentinels: LocalSentinel[],
): Pick<LocalSentinelTopology, "connectionString" | "adminConnectionString" | "appOptions" | "adminOptions"> {
    const through = (user: "app" | "admin"): RedisOptions => {
        const password = secrets.passwords[user][0];
        return {
            name: masterName,
            sentinels: sentinels.map((s) => ({ host: "127.0.0.1", port: s.port })),
            username: user,
            password,
            sentinelUsername: user,
            sentinelPassword: password,
        };
    };
    const url = (user: "app" | "admin") =>
        redisSentinelConnectionString(
            sentinels.map((s) => ({ host: "127.0.0.1", port: s.port })),
            masterName,
            user,
            secrets.passwords[user][0],
        );
    return {
        connectionString: url("app"),
        adminConnectionString: url("admin"),
        appOptions: through("app"),
        adminOptions: through("admin"),
    };
}
