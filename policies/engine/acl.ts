// ACL rules as Redis 7 applies them, enough to tell which users can administer the server.
// Rules apply left to right; only what grants or revokes a @dangerous command matters here.

/**
 * For each ACL category, the `@dangerous` commands in it (`ACL CAT <category>` on Redis 7.0.15;
 * `@admin` is a subset of `@dangerous`). test/policies/acl.server.test.ts compares it with the
 * installed server.
 */
export const DANGEROUS_BY_CATEGORY: Readonly<Record<string, readonly string[]>> = {
    admin: [
        "acl|deluser",
        "acl|dryrun",
        "acl|getuser",
        "acl|list",
        "acl|load",
        "acl|log",
        "acl|save",
        "acl|setuser",
        "acl|users",
        "bgrewriteaof",
        "bgsave",
        "client|kill",
        "client|list",
        "client|no-evict",
        "client|pause",
        "client|unblock",
        "client|unpause",
        "cluster|addslots",
        "cluster|addslotsrange",
        "cluster|bumpepoch",
        "cluster|count-failure-reports",
        "cluster|delslots",
        "cluster|delslotsrange",
        "cluster|failover",
        "cluster|flushslots",
        "cluster|forget",
        "cluster|meet",
        "cluster|replicas",
        "cluster|replicate",
        "cluster|reset",
        "cluster|saveconfig",
        "cluster|set-config-epoch",
        "cluster|setslot",
        "cluster|slaves",
        "config|get",
        "config|resetstat",
        "config|rewrite",
        "config|set",
        "debug",
        "failover",
        "lastsave",
        "latency|doctor",
        "latency|graph",
        "latency|histogram",
        "latency|history",
        "latency|latest",
        "latency|reset",
        "module|list",
        "module|load",
        "module|loadex",
        "module|unload",
        "monitor",
        "pfdebug",
        "pfselftest",
        "psync",
        "replconf",
        "replicaof",
        "role",
        "save",
        "shutdown",
        "slaveof",
        "slowlog|get",
        "slowlog|len",
        "slowlog|reset",
        "sync",
    ],
    connection: ["client|kill", "client|list", "client|no-evict", "client|pause", "client|unblock", "client|unpause"],
    dangerous: [
        "acl|deluser",
        "acl|dryrun",
        "acl|getuser",
        "acl|list",
        "acl|load",
        "acl|log",
        "acl|save",
        "acl|setuser",
        "acl|users",
        "bgrewriteaof",
        "bgsave",
        "client|kill",
        "client|list",
        "client|no-evict",
        "client|pause",
        "client|unblock",
        "client|unpause",
        "cluster|addslots",
        "cluster|addslotsrange",
        "cluster|bumpepoch",
        "cluster|count-failure-reports",
        "cluster|delslots",
        "cluster|delslotsrange",
        "cluster|failover",
        "cluster|flushslots",
        "cluster|forget",
        "cluster|meet",
        "cluster|replicas",
        "cluster|replicate",
        "cluster|reset",
        "cluster|saveconfig",
        "cluster|set-config-epoch",
        "cluster|setslot",
        "cluster|slaves",
        "config|get",
        "config|resetstat",
        "config|rewrite",
        "config|set",
        "debug",
        "failover",
        "flushall",
        "flushdb",
        "info",
        "keys",
        "lastsave",
        "latency|doctor",
        "latency|graph",
        "latency|histogram",
        "latency|history",
        "latency|latest",
        "latency|reset",
        "migrate",
        "module|list",
        "module|load",
        "module|loadex",
        "module|unload",
        "monitor",
        "pfdebug",
        "pfselftest",
        "psync",
        "replconf",
        "replicaof",
        "restore",
        "restore-asking",
        "role",
        "save",
        "shutdown",
        "slaveof",
        "slowlog|get",
        "slowlog|len",
        "slowlog|reset",
        "sort",
        "sort_ro",
        "swapdb",
        "sync",
    ],
    fast: ["lastsave", "role", "swapdb"],
    hyperloglog: ["pfdebug", "pfselftest"],
    keyspace: ["flushall", "flushdb", "keys", "migrate", "restore", "restore-asking", "swapdb"],
    list: ["sort", "sort_ro"],
    read: ["keys", "sort_ro"],
    set: ["sort", "sort_ro"],
    slow: [
        "acl|deluser",
        "acl|dryrun",
        "acl|getuser",
        "acl|list",
        "acl|load",
        "acl|log",
        "acl|save",
        "acl|setuser",
        "acl|users",
        "bgrewriteaof",
        "bgsave",
        "client|kill",
        "client|list",
        "client|no-evict",
        "client|pause",
        "client|unblock",
        "client|unpause",
        "cluster|addslots",
        "cluster|addslotsrange",
        "cluster|bumpepoch",
        "cluster|count-failure-reports",
        "cluster|delslots",
        "cluster|delslotsrange",
        "cluster|failover",
        "cluster|flushslots",
        "cluster|forget",
        "cluster|meet",
        "cluster|replicas",
        "cluster|replicate",
        "cluster|reset",
        "cluster|saveconfig",
        "cluster|set-config-epoch",
        "cluster|setslot",
        "cluster|slaves",
        "config|get",
        "config|resetstat",
        "config|rewrite",
        "config|set",
        "debug",
        "failover",
        "flushall",
        "flushdb",
        "info",
        "keys",
        "latency|doctor",
        "latency|graph",
        "latency|histogram",
        "latency|history",
        "latency|latest",
        "latency|reset",
        "migrate",
        "module|list",
        "module|load",
        "module|loadex",
        "module|unload",
        "monitor",
        "pfdebug",
        "pfselftest",
        "psync",
        "replconf",
        "replicaof",
        "restore",
        "restore-asking",
        "save",
        "shutdown",
        "slaveof",
        "slowlog|get",
        "slowlog|len",
        "slowlog|reset",
        "sort",
        "sort_ro",
        "sync",
    ],
    sortedset: ["sort", "sort_ro"],
    write: ["flushall", "flushdb", "migrate", "pfdebug", "restore", "restore-asking", "sort", "swapdb"],
};

// Sentinel has the server's ACL and CLIENT administration, with the same categories.
const ACL_ADMIN_COMMANDS = DANGEROUS_BY_CATEGORY.admin.filter((c) => c.startsWith("acl|"));
const CLIENT_ADMIN_COMMANDS = DANGEROUS_BY_CATEGORY.admin.filter((c) => c.startsWith("client|"));
/** Every SENTINEL subcommand is @admin, even the read-only ones clients ask where the primary is with. */
const SENTINEL_SUBCOMMANDS = [
    "sentinel",
    "sentinel|ckquorum",
    "sentinel|config",
    "sentinel|debug",
    "sentinel|failover",
    "sentinel|flushconfig",
    "sentinel|get-master-addr-by-name",
    "sentinel|info-cache",
    "sentinel|is-master-down-by-addr",
    "sentinel|master",
    "sentinel|masters",
    "sentinel|monitor",
    "sentinel|myid",
    "sentinel|pending-scripts",
    "sentinel|remove",
    "sentinel|replicas",
    "sentinel|reset",
    "sentinel|sentinels",
    "sentinel|set",
    "sentinel|simulate-failure",
    "sentinel|slaves",
];

/**
 * The same for a Sentinel (`redis-server --sentinel` on Redis 7.0.15), whose command table is its
 * own: no keys, no CONFIG, but SENTINEL. test/policies/acl.server.test.ts compares it with a
 * Sentinel started from the installed server.
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
 * redis-py: MASTERS): an app user of a Sentinel needs them.
 */
export const TOLERATED: Readonly<Record<AclMode, ReadonlySet<string>>> = {
    server: new Set(["info"]),
    sentinel: new Set([
        "info",
        "sentinel|get-master-addr-by-name",
        "sentinel|master",
        "sentinel|masters",
        "sentinel|replicas",
        "sentinel|slaves",
        "sentinel|sentinels",
    ]),
};

/**
 * What a Sentinel sends with the user it authenticates as, by where that user is declared.
 * To the Redis servers it monitors (Redis's ACL guide, "ACL rules for Sentinel"): PING, INFO and
 * ROLE to watch them, PUBLISH/SUBSCRIBE on the hello channel, and in a failover MULTI/EXEC around
 * REPLICAOF (SLAVEOF), CONFIG REWRITE and CLIENT KILL, SCRIPT KILL for a busy script. To the other
 * Sentinels (`sentinel sentinel-user`): PING, INFO, ROLE, the hello channel, and SENTINEL
 * IS-MASTER-DOWN-BY-ADDR to ask for and cast failover votes. AUTH, HELLO and CLIENT SETNAME to connect.
 */
const SENTINEL_NEEDS: Readonly<Record<AclMode, ReadonlySet<string>>> = {
    server: new Set([
        "auth",
        "hello",
        "ping",
        "info",
        "role",
        "publish",
        "subscribe",
        "multi",
        "exec",
        "slaveof",
        "replicaof",
        "config|rewrite",
        "client|setname",
        "client|kill",
        "script|kill",
    ]),
    sentinel: new Set([
        "auth",
        "hello",
        "ping",
        "info",
        "role",
        "publish",
        "subscribe",
        "client|setname",
        "sentinel|is-master-down-by-addr",
    ]),
};

/**
 * What redis_exporter (with `--config-command=-`) sends a Redis server: PING and INFO for the
 * figures, CLIENT SETNAME for its connection's name, SLOWLOG GET/LEN and LATENCY LATEST (read-only
 * subcommands of @dangerous commands) in 1.45, the version tests run; releases since (the
 * components' default image, 1.63) also send LATENCY HISTOGRAM on every scrape
 * (exporter/latency.go), read-only too. The components' metrics user holds exactly these
 * (redis/acl/users.ts METRICS_RULES is built from this list).
 */
export const EXPORTER_COMMANDS: readonly string[] = [
    "ping",
    "info",
    "client|setname",
    "slowlog|get",
    "slowlog|len",
    "latency|latest",
    "latency|histogram",
];

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

/** The @dangerous commands (`cmd` or `cmd|sub`) a rule names: a category, a command and its subcommands, or one subcommand. */
function dangerousIn(target: string, mode: AclMode): readonly string[] {
    const table = TABLES[mode];
    if (target === "@all") return table.dangerous;
    if (target.startsWith("@")) return table[target.slice(1)] ?? [];
    return table.dangerous.filter((c) => c === target || c.startsWith(`${target}|`));
}

/**
 * The @dangerous commands, INFO (and on a Sentinel the read-only discovery subcommands) aside, that
 * a user's rules let it run, read against a Redis server's command table or a Sentinel's.
 */
export function dangerousCommands(rules: string[], mode: AclMode = "server"): string[] {
    const granted = new Set<string>();
    for (const rule of rules.map((r) => r.toLowerCase())) {
        if (rule === "reset" || rule === "nocommands") granted.clear();
        else if (rule === "allcommands") dangerousIn("@all", mode).forEach((c) => granted.add(c));
        else if (rule.startsWith("+")) dangerousIn(rule.slice(1), mode).forEach((c) => granted.add(c));
        else if (rule.startsWith("-")) dangerousIn(rule.slice(1), mode).forEach((c) => granted.delete(c));
    }
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

/**
 * The channel Sentinels find each other on: each publishes a hello on every server it monitors
 * (and to the other Sentinels), and a hello with a newer config epoch makes every Sentinel switch
 * the primary to the address it names. Hellos are not authenticated: whoever may PUBLISH here
 * steers the topology, so only the Sentinels' own user may reach it.
 */
export const SENTINEL_HELLO_CHANNEL = "__sentinel__:hello";

/**
 * Whether a glob `pattern` matches `subject` as Redis matches key and channel patterns in ACL
 * rules (util.c stringmatchlen, case-sensitive): `*` any run, `?` one character, `[...]` a class
 * with `^` negation and `a-z` ranges (reversed ranges swapped, a class left open running to the end
 * of the pattern), `\` escaping the next character.
 */
export function globMatches(pattern: string, subject: string): boolean {
    const match = (p: number, s: number): boolean => {
        while (p < pattern.length) {
            const c = pattern[p];
            if (c === "*") {
                while (pattern[p + 1] === "*") p++;
                if (p === pattern.length - 1) return true;
                for (let from = s; from <= subject.length; from++) if (match(p + 1, from)) return true;
                return false;
            }
            if (s >= subject.length) return false;
            if (c === "?") {
                p++;
            } else if (c === "[") {
                const [matched, next] = classMatches(p + 1, subject[s]);
                if (!matched) return false;
                p = next;
            } else {
                const literal = c === "\\" && p + 1 < pattern.length ? pattern[++p] : c;
                if (literal !== subject[s]) return false;
                p++;
            }
            s++;
        }
        return s === subject.length;
    };
    /** Reads the class that starts at `p` (after `[`); returns whether `ch` is in it and where the pattern goes on. */
    const classMatches = (p: number, ch: string): [boolean, number] => {
        const negated = pattern[p] === "^";
        if (negated) p++;
        let found = false;
        for (; p < pattern.length && pattern[p] !== "]"; p++) {
            if (pattern[p] === "\\" && p + 1 < pattern.length) {
                if (pattern[++p] === ch) found = true;
            } else if (p + 2 < pattern.length && pattern[p + 1] === "-") {
                const [low, high] = [pattern[p], pattern[p + 2]].sort();
                if (ch >= low && ch <= high) found = true;
                p += 2;
            } else if (pattern[p] === ch) {
                found = true;
            }
        }
        return [found !== negated, p + 1];
    };
    return match(0, 0);
}

/** Whether ACL channel patterns (`&` rules, `*` being every channel) let a user publish or subscribe to `channel`. */
export function channelsReach(patterns: readonly string[], channel: string): boolean {
    return patterns.some((pattern) => globMatches(pattern, channel));
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
        const rule = word.replace(/^\(/, "").replace(/\)$/, "");
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
    const grantsPubSub = rules.some((word) => PUBSUB_GRANTS.has(word.replace(/^\(/, "").replace(/\)$/, "").toLowerCase()));
    return grantsPubSub && channelsReach(userChannelPatterns(rules, pubsubDefault), SENTINEL_HELLO_CHANNEL);
}
