// The shape of test/components/aclMatrix.redis70.json, and the README table written from it.

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

/** Users with at most this many commands have them listed; others are counted. */
const LISTED = 20;

/** The README's table of what each credential can do, written from the matrix. */
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
