// Facts about ACL users that the components (which write the rules) and the pack (which reads
// them) share: what the exporter sends, and who may reach the Sentinels' hello channel.

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

/**
 * What a Sentinel sends the Redis servers it monitors with the user it authenticates as (Redis's
 * ACL guide, "ACL rules for Sentinel"): PING, INFO and ROLE to watch them, PUBLISH/SUBSCRIBE on the
 * hello channel, and in a failover MULTI/EXEC around REPLICAOF (SLAVEOF), CONFIG REWRITE (rules
 * name CONFIG by its original name even when it is renamed; Sentinel sends the new name) and CLIENT
 * KILL, SCRIPT KILL for a busy script; CLIENT SETNAME to name its connections. The components'
 * sentinel user holds exactly these.
 */
export const SENTINEL_SERVER_COMMANDS: readonly string[] = [
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
];

/**
 * What a Sentinel sends the other Sentinels (`sentinel sentinel-user`): AUTH and HELLO to connect,
 * PING, INFO, ROLE, the hello channel, and SENTINEL IS-MASTER-DOWN-BY-ADDR to ask for and cast
 * failover votes. The components' sentinel user holds exactly these on the Sentinels.
 */
export const SENTINEL_PEER_COMMANDS: readonly string[] = [
    "ping",
    "auth",
    "hello",
    "info",
    "role",
    "publish",
    "subscribe",
    "sentinel|is-master-down-by-addr",
];

/** The user replicas authenticate to their primary as, and with Sentinel the servers' start script asks the Sentinels as. */
export const REPLICATION_USER = "replication";

/** What a replica sends its primary: PSYNC (SYNC before it) and REPLCONF for the stream, PING to check it. */
export const REPLICA_COMMANDS: readonly string[] = ["psync", "replconf", "ping"];

/**
 * What a server's own start script sends the Sentinels (serverStart.ts), as the replication user
 * whose password every server of a Sentinel topology holds: which server is the primary, and a
 * failover when the primary stops on purpose. The components declare that user on the Sentinels
 * with these alone.
 */
export const SERVER_SCRIPT_COMMANDS: readonly string[] = ["auth", "sentinel|get-master-addr-by-name", "sentinel|failover"];
