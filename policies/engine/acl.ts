// ACL rules as Redis 7 applies them, enough to tell which users can administer the server.
// Rules apply left to right; only what grants or revokes a @dangerous command matters here.

import { channelsReach, EXPORTER_COMMANDS, SENTINEL_HELLO_CHANNEL, SENTINEL_PEER_COMMANDS, SENTINEL_SERVER_COMMANDS } from "../shared/acl";
import { DANGEROUS_BY_CATEGORY } from "./dangerousCommands";

// Sentinel has the server's ACL and CLIENT administration, with the same categories.
const ACL_ADMIN_COMMANDS = DANGEROUS_BY_CATEGORY.admin.filter((c) => c.startsWith("acl|"));
const CLIENT_ADMIN_COMMANDS = DANGEROUS_BY_CATEGORY.admin.filter((c) => c.startsWith("client|"));
/**
 * Every SENTINEL subcommand is @admin, even the read-only ones clients ask where the primary is
 * with; Valkey's Sentinel also answers to PRIMARY names for the MASTER ones.
 */
const SENTINEL_SUBCOMMANDS = [
    "sentinel",
    "sentinel|ckquorum",
    "sentinel|config",
    "sentinel|debug",
    "sentinel|failover",
    "sentinel|flushconfig",
    "sentinel|get-master-addr-by-name",
    "sentinel|get-primary-addr-by-name",
    "sentinel|info-cache",
    "sentinel|is-master-down-by-addr",
    "sentinel|is-primary-down-by-addr",
    "sentinel|master",
    "sentinel|masters",
    "sentinel|monitor",
    "sentinel|myid",
    "sentinel|pending-scripts",
    "sentinel|primaries",
    "sentinel|primary",
    "sentinel|remove",
    "sentinel|replicas",
    "sentinel|reset",
    "sentinel|sentinels",
    "sentinel|set",
    "sentinel|simulate-failure",
    "sentinel|slaves",
];

/**
 * The same for a Sentinel (`redis-server --sentinel` on Redis 7.0.15 and 8.0.2, `valkey-server
 * --sentinel` on 8.1.1), whose command table is its own: no keys, no CONFIG, but SENTINEL.
 * test/policies/acl.server.test.ts compares it with a Sentinel of each.
 */
export const SENTINEL_DANGEROUS_BY_CATEGORY: Readonly<Record<string, readonly string[]>> = {
    admin: [...ACL_ADMIN_COMMANDS, ...CLIENT_ADMIN_COMMANDS, "role", ...SENTINEL_SUBCOMMANDS, "shutdown"],
    connection: CLIENT_ADMIN_COMMANDS,
    dangerous: [...ACL_ADMIN_COMMANDS, ...CLIENT_ADMIN_COMMANDS, "info", "role", ...SENTINEL_SUBCOMMANDS, "shutdown"],
    fast: ["role"],
    slow: [...ACL_ADMIN_COMMANDS, ...CLIENT_ADMIN_COMMANDS, "info", ...SENTINEL_SUBCOMMANDS, "shutdown"],
};

/** Whose command table rules are read against: a Redis server's or a Sentinel's. */
export type AclMode = "server" | "sentinel";

const TABLES: Readonly<Record<AclMode, Readonly<Record<string, readonly string[]>>>> = {
    server: DANGEROUS_BY_CATEGORY,
    sentinel: SENTINEL_DANGEROUS_BY_CATEGORY,
};

/**
 * INFO is in @dangerous, but client libraries send it as their ready check: an app user may have it.
 * On a Sentinel, so are the read-only SENTINEL subcommands clients discover the primary, its
 * replicas and the other Sentinels with (ioredis: GET-MASTER-ADDR-BY-NAME, SENTINELS, REPLICAS;
 * redis-py: MASTERS; Valkey's own names for them: GET-PRIMARY-ADDR-BY-NAME, PRIMARY, PRIMARIES):
 * an app user of a Sentinel needs them.
 */
export const TOLERATED: Readonly<Record<AclMode, ReadonlySet<string>>> = {
    server: new Set(["info"]),
    sentinel: new Set([
        "info",
        "sentinel|get-master-addr-by-name",
        "sentinel|get-primary-addr-by-name",
        "sentinel|master",
        "sentinel|masters",
        "sentinel|primary",
        "sentinel|primaries",
        "sentinel|replicas",
        "sentinel|slaves",
        "sentinel|sentinels",
    ]),
};

/** What a Sentinel sends with the user it authenticates as, by where that user is declared, and AUTH, HELLO and CLIENT SETNAME to connect. */
const SENTINEL_NEEDS: Readonly<Record<AclMode, ReadonlySet<string>>> = {
    server: new Set(["auth", "hello", ...SENTINEL_SERVER_COMMANDS]),
    sentinel: new Set([...SENTINEL_PEER_COMMANDS, "client|setname"]),
};

/** What the exporter's connection may send besides: AUTH and HELLO to connect. */
const EXPORTER_NEEDS: ReadonlySet<string> = new Set(["auth", "hello", ...EXPORTER_COMMANDS]);

/** Whether a user's rules leave it enabled: the last `on`/`off`, where `reset` means off. */
export function isEnabled(rules: string[]): boolean {
    let on = false;
    for (const rule of rules.map((r) => r.toLowerCase())) {
        if (rule === "on") on = true;
        else if (rule === "off" || rule === "reset") on = false;
    }
    return on;
}

/**
 * Whether a user's rules, applied left to right as Redis does, leave it on and `nopass`: the
 * default user then authenticates every connection. A password (`>`, `#`) or `resetpass` clears
 * `nopass`, and `reset` too; a user with neither a password nor `nopass` logs in with nothing.
 */
export function logsInWithoutPassword(rules: string[]): boolean {
    let nopass = false;
    for (const rule of rules.map((r) => r.toLowerCase())) {
        if (rule === "nopass") nopass = true;
        else if (rule === "resetpass" || rule === "reset" || rule.startsWith(">") || rule.startsWith("#")) nopass = false;
    }
    return nopass && isEnabled(rules);
}

/** A rule word without the parenthesis that opens or closes a selector around it. */
const bare = (word: string) => word.replace(/^\(/, "").replace(/\)$/, "");

/** The @dangerous commands (`cmd` or `cmd|sub`) a rule names: a category, a command and its subcommands, or one subcommand. */
function dangerousIn(target: string, mode: AclMode): readonly string[] {
    const table = TABLES[mode];
    if (target === "@all") return table.dangerous;
    if (target.startsWith("@")) return table[target.slice(1)] ?? [];
    return table.dangerous.filter((c) => c === target || c.startsWith(`${target}|`));
}

/**
 * The @dangerous commands, INFO (and on a Sentinel the read-only discovery subcommands) aside, that
 * a user's rules let it run, read against a Redis server's command table or a Sentinel's. Rule
 * words are case-insensitive. A selector, `(…)`, is a permission set of its own that a command
 * needs to match only one of: what any selector grants counts, whatever the user's root rules
 * revoke; `reset` and `clearselectors` drop the selectors.
 */
export function dangerousCommands(rules: string[], mode: AclMode = "server"): string[] {
    const root = new Set<string>();
    const selectors: Array<Set<string>> = [];
    let selector: Set<string> | undefined;
    for (const word of rules) {
        if (word.startsWith("(")) selectors.push((selector = new Set()));
        const granted = selector ?? root;
        const rule = bare(word).toLowerCase();
        if (selector === undefined && (rule === "reset" || rule === "clearselectors")) selectors.length = 0;
        if (rule === "reset" || rule === "nocommands") granted.clear();
        else if (rule === "allcommands") dangerousIn("@all", mode).forEach((c) => granted.add(c));
        else if (rule.startsWith("+")) dangerousIn(rule.slice(1), mode).forEach((c) => granted.add(c));
        else if (rule.startsWith("-")) dangerousIn(rule.slice(1), mode).forEach((c) => granted.delete(c));
        if (word.endsWith(")")) selector = undefined;
    }
    const granted = new Set([root, ...selectors].flatMap((set) => [...set]));
    return [...granted].filter((c) => !TOLERATED[mode].has(c)).sort();
}

/**
 * Whether a (non-default) user is one a Sentinel authenticates as, by its rules alone, not its name:
 * every command it is granted is one Sentinel sends (named one by one: no category, no allcommands),
 * it has no key patterns (Sentinel reads and writes no keys), no selectors and a password (not
 * nopass). Such a user holds REPLICAOF, CONFIG REWRITE and CLIENT KILL because failover needs
 * them. A user declared in a config or ACL file starts with no commands, so the rules name all it has.
 */
export function isSentinelUser(rules: string[], mode: AclMode): boolean {
    return limitedTo(rules, SENTINEL_NEEDS[mode]);
}

/**
 * Whether a (non-default) user of a Redis server is one a metrics exporter reads it as, by its
 * rules alone: only what the exporter sends (SLOWLOG GET but not RESET, LATENCY LATEST but not
 * RESET), no keys.
 */
export function isMetricsUser(rules: string[]): boolean {
    return limitedTo(rules, EXPORTER_NEEDS);
}

/** Whether rules grant nothing beyond `needs`: no key patterns, no `nopass`, no category or other command. */
function limitedTo(rules: string[], needs: ReadonlySet<string>): boolean {
    return rules
        .map((r) => r.toLowerCase())
        .every(
            (rule) =>
                rule !== "nopass" &&
                rule !== "allcommands" &&
                rule !== "allkeys" &&
                !/^[~%(]/.test(rule) &&
                !rule.endsWith(")") &&
                (!rule.startsWith("+") || needs.has(rule.slice(1))),
        );
}

/** Rules through which a user may PUBLISH or SUBSCRIBE: a grant is enough (a later revocation is not followed). */
const PUBSUB_GRANTS: ReadonlySet<string> = new Set([
    "allcommands",
    "+@all",
    "+@pubsub",
    "+@fast",
    "+@slow",
    "+publish",
    "+subscribe",
    "+psubscribe",
]);

/**
 * The channel patterns a user's rules leave it (`*` for every channel), starting from
 * `acl-pubsub-default` (`resetchannels` unless the config says `allchannels`), which `reset` also
 * restores. A selector's `&` rules count as the user's: any of them lets the user reach a channel.
 */
export function userChannelPatterns(rules: string[], pubsubDefault = "resetchannels"): string[] {
    const initial = () => (pubsubDefault.toLowerCase() === "allchannels" ? ["*"] : []);
    let patterns = initial();
    let inSelector = false;
    for (const word of rules) {
        const opens = word.startsWith("(");
        const closes = word.endsWith(")");
        const rule = bare(word);
        const lower = rule.toLowerCase();
        if (opens) inSelector = true;
        if (rule.startsWith("&")) patterns.push(rule.slice(1));
        else if (lower === "allchannels") patterns.push("*");
        else if (!inSelector && lower === "resetchannels") patterns = [];
        else if (!inSelector && lower === "reset") patterns = initial();
        if (closes) inSelector = false;
    }
    return patterns;
}

/** Whether a user's rules let it publish or subscribe on the Sentinels' hello channel. */
export function reachesHelloChannel(rules: string[], pubsubDefault?: string): boolean {
    const grantsPubSub = rules.some((word) => PUBSUB_GRANTS.has(bare(word).toLowerCase()));
    return grantsPubSub && channelsReach(userChannelPatterns(rules, pubsubDefault), SENTINEL_HELLO_CHANNEL);
}
