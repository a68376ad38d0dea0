// Every user's reach on a real server or Sentinel, measured: the commands and subcommands it may
// run (ACL DRYRUN against every one the server documents) and what it may do on each kind of
// channel (a real PUBLISH and SUBSCRIBE). The shape of test/redis/acl/aclMatrix.<server>.json, and
// the README tables written from it.
import Redis from "ioredis";
import { expect } from "vitest";
import { SERVER_PROGRAMS } from "../../policies/shared/programs";
import { serverOfInfo } from "../client/serverInfo";

/** What a user may do on one channel: PUBLISH, SUBSCRIBE, both, or neither. */
export type ChannelReach = "publish, subscribe" | "publish" | "subscribe" | "none";

/**
 * One channel of each kind: the Sentinels' hello channel, client-side caching's invalidations, a
 * keyspace notification, an application's own channel, and the README extra user's channel.
 */
export const CHANNEL_CLASSES = ["__sentinel__:hello", "__redis__:invalidate", "__keyspace@0__:k", "orders", "reports:daily"] as const;

export interface AclMatrix {
    /** The server the matrix was measured on. */
    server: string;
    /** How many commands and subcommands it has. */
    commands: number;
    /** Per user: the commands and subcommands ACL DRYRUN lets it run, and its reach on each channel. */
    users: Record<string, { commands: string[]; channels: Record<string, ChannelReach> }>;
}

/** A server or Sentinel on loopback, its admin's password, and the users to measure with their passwords. */
export interface AclTarget {
    port: number;
    adminPassword: string;
    /** The name CONFIG is renamed to, if it is (ACL rules name it CONFIG). */
    configCommandName?: string;
    users: Array<[user: string, password: string]>;
}

const connect = (port: number, username: string, password: string) => {
    const client = new Redis({
        port,
        host: "127.0.0.1",
        username,
        password,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        protocol: 2,
    });
    client.on("error", () => {});
    return client;
};

/** Every command and subcommand with arguments enough for its arity, named as ACL rules name them. */
export async function commandProbes(admin: Redis, configCommandName?: string): Promise<Map<string, string[]>> {
    const info = (await admin.call("COMMAND", "INFO")) as Array<[string, number, ...unknown[]]>;
    const renamed = configCommandName?.toLowerCase();
    const byName = new Map<string, string[]>();
    const add = (name: string, arity: number) => {
        // A renamed CONFIG runs by its generated name only (its subcommands keep CONFIG's own name in
        // COMMAND INFO), and ACL rules name it CONFIG.
        const words = name.split("|").map((word, i) => (i === 0 && word === renamed ? "config" : word));
        const sent = words.map((word, i) => (i === 0 && word === "config" && renamed ? renamed : word));
        byName.set(words.join("|"), [...sent, ...Array.from({ length: Math.max(0, Math.abs(arity) - words.length) }, () => "x")]);
    };
    for (const command of info) {
        const subcommands = (command[9] ?? []) as Array<[string, number]>;
        if (subcommands.length === 0) add(command[0], command[1]);
        for (const [sub, arity] of subcommands) add(sub, arity);
    }
    // COMMAND DOCS documents the same table: nothing it lists may be missing here.
    const docs = (await admin.call("COMMAND", "DOCS")) as unknown[];
    const documented = new Set<string>();
    for (let i = 0; i < docs.length; i += 2) {
        const fields = docs[i + 1] as unknown[];
        const at = fields.indexOf("subcommands");
        const subs = at >= 0 ? (fields[at + 1] as unknown[]).filter((_, j) => j % 2 === 0).map(String) : [];
        for (const name of subs.length > 0 ? subs : [String(docs[i])]) documented.add(renamed ? name.replace(renamed, "config") : name);
    }
    expect([...documented].filter((name) => !byName.has(name))).toEqual([]);
    return byName;
}

/** ACL DRYRUN's verdict on one command: allowed (perhaps not on these keys or channels), or refused. */
export async function allowed(admin: Redis, user: string, args: string[]): Promise<boolean> {
    const verdict = (await admin.call("ACL", "DRYRUN", user, ...args)) as string;
    if (verdict === "OK" || /no permissions to access the '.*' (key|channel)$/.test(verdict)) return true;
    if (/no permissions to run the '.*' command$/.test(verdict)) return false;
    throw new Error(`ACL DRYRUN ${user} ${args[0]}: ${verdict}`);
}

/**
 * PUBLISH and SUBSCRIBE on `channel` as `user`, for real. Anything but NOPERM means the ACL let it
 * through (a Sentinel then refuses to publish anything but a hello, and ignores a malformed one).
 */
async function reach(port: number, user: string, password: string, channel: string): Promise<ChannelReach> {
    const client = connect(port, user, password);
    const permitted = (attempt: Promise<unknown>) =>
        attempt.then(
            () => true,
            (e: Error) => !/NOPERM/.test(e.message),
        );
    try {
        const published = await permitted(client.publish(channel, "probe"));
        const subscribed = await permitted(client.subscribe(channel));
        return published && subscribed ? "publish, subscribe" : published ? "publish" : subscribed ? "subscribe" : "none";
    } finally {
        client.disconnect();
    }
}

/** What answers: "redis-server 7.0.15", "valkey-server --sentinel 8.1.1". */
async function serverAnswering(admin: Redis): Promise<string> {
    const info = await admin.info("server");
    const { family, version } = serverOfInfo(info);
    const mode = /^redis_mode:(\S+)/m.exec(info)?.[1] === "sentinel" ? " --sentinel" : "";
    return `${SERVER_PROGRAMS[family].server}${mode} ${version}`;
}

/** The matrix of a running server or Sentinel. */
export async function measureAcl(target: AclTarget): Promise<AclMatrix> {
    const admin = connect(target.port, "admin", target.adminPassword);
    try {
        const commands = await commandProbes(admin, target.configCommandName);
        const users: AclMatrix["users"] = {};
        for (const [user, password] of target.users) {
            const verdicts = await Promise.all(
                [...commands].map(async ([name, args]) => [name, await allowed(admin, user, args)] as const),
            );
            const channels: Record<string, ChannelReach> = {};
            for (const channel of CHANNEL_CLASSES) channels[channel] = await reach(target.port, user, password, channel);
            users[user] = {
                commands: verdicts
                    .filter(([, ok]) => ok)
                    .map(([name]) => name)
                    .sort(),
                channels,
            };
        }
        return { server: await serverAnswering(admin), commands: commands.size, users };
    } finally {
        admin.disconnect();
    }
}

/** Users with at most this many commands have them listed; others are counted. */
const LISTED = 20;

/** A README table of what each credential can do, written from the matrix. */
export function aclTable(matrix: AclMatrix): string {
    const header = [
        "user",
        `commands and subcommands (of ${matrix.commands} on ${matrix.server})`,
        ...CHANNEL_CLASSES.map((c) => `\`${c}\``),
    ];
    const rows = Object.entries(matrix.users).map(([user, { commands, channels }]) => [
        `\`${user}\``,
        commands.length <= LISTED ? commands.map((c) => c.replace("|", " ").toUpperCase()).join(", ") || "none" : `${commands.length}`,
        ...CHANNEL_CLASSES.map((c) => channels[c]),
    ]);
    return [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}
