// ACL users as Redis 7 reads them from redis.conf (`user <name> on #<sha256> ...`), and the
// roles every hardened Redis has. Planning only: pure functions, no Pulumi.
import { createHash } from "node:crypto";
import { z } from "zod";
import {
    EXPORTER_COMMANDS,
    REPLICATION_USER,
    REPLICA_COMMANDS,
    SENTINEL_HELLO_CHANNEL,
    SENTINEL_SERVER_COMMANDS,
} from "../../policies/shared/acl";
import { ANY_SERVER, type CommandTable } from "./commandTables";

/** What a user may run and touch. Rules apply in this order: categories allowed, categories denied, commands allowed, commands denied. */
export interface RedisAclRules {
    /** Command categories allowed, without `@` (`read`, `write`, `all`, ...; see `ACL CAT`). */
    allowCategories?: string[];
    /** Command categories taken away again, e.g. `dangerous`. */
    denyCategories?: string[];
    /** Commands allowed, lowercase; subcommands as `client|setname`. */
    allowCommands?: string[];
    /** Commands taken away again. */
    denyCommands?: string[];
    /** Key patterns (glob) the user may touch. Default none. */
    keyPatterns?: string[];
    /** Pub/sub channel patterns (glob) the user may use. Default none. */
    channelPatterns?: string[];
}

/** An ACL user: its rules and the passwords that authenticate it (more than one while a rotation overlaps). */
export interface RedisAclUser extends RedisAclRules {
    /** User name: letters, digits, `_`, `.` or `-`; never `default`, which is always off. */
    name: string;
    /** 1 to 3 passwords, current first; only their SHA-256 reaches the config. */
    passwords: string[];
}

/**
 * The password a server or a Sentinel authenticates to its peers with, of a peer user's passwords
 * (replication, sentinel; current first): the previous generation's, the current one's before the
 * first rotation. A rotation rolls pods one at a time, so pods on the previous files and on the new
 * ones must reach each other: the new files' previous generation is the old files' current one. Peer
 * users keep the generation before that too (see peerPasswordSlots), so the old files' own choice,
 * one generation older, is still accepted by the new ones.
 */
export function peerPassword(passwords: readonly string[]): string | undefined {
    return passwords[1] ?? passwords[0];
}

/** The user `connectionString` carries. */
export const APP_USER = "app";
/** The operators' user, with the renamed CONFIG. */
export const ADMIN_USER = "admin";
/** The user replicas authenticate to the primary with (named where the policy pack can read it too). */
export { REPLICATION_USER };
/** The user Sentinels authenticate to Redis with, and to each other. */
export const SENTINEL_USER = "sentinel";
/** The user a metrics exporter (redis_exporter) reads the server's figures as. */
export const METRICS_USER = "metrics";
const RESERVED_USERS: ReadonlySet<string> = new Set(["default", APP_USER, ADMIN_USER, REPLICATION_USER, SENTINEL_USER, METRICS_USER]);

/**
 * The channels an application may publish and subscribe to: every channel but the `__…` ones Redis
 * and Sentinel keep for themselves (Redis 7 channel rules are allow-lists, so "all but" is spelt as
 * the channels not starting with `_`, those starting with one `_`, and `_` itself), plus the system
 * channels whose messages applications read: `__redis__:invalidate` for client-side caching over
 * RESP2 (hardened-redis/client's localCache) and keyspace/keyevent notifications (which carry
 * nothing unless notify-keyspace-events is set). Never `__sentinel__:hello`, where one forged
 * PUBLISH moves every Sentinel to the forger's server. PSUBSCRIBE patterns are checked literally:
 * an application may PSUBSCRIBE to exactly these patterns, not to narrower ones of its own.
 */
export const APP_CHANNEL_PATTERNS: readonly string[] = [
    "[^_]*",
    "_[^_]*",
    "_",
    "__redis__:invalidate",
    "__keyspace@*__:*",
    "__keyevent@*__:*",
];

/**
 * Everything an application (and hardened-redis/client) needs, nothing that administers the
 * server. `@dangerous` covers `@admin` and also CONFIG, ACL SETUSER, MONITOR, SHUTDOWN,
 * REPLICAOF, FAILOVER, SAVE/BGSAVE/BGREWRITEAOF, CLIENT KILL/PAUSE/LIST, SWAPDB, MIGRATE,
 * MODULE, DEBUG, FLUSHALL/FLUSHDB, KEYS, SLOWLOG and LATENCY (checked with `ACL CAT dangerous`
 * on Redis 7.0). It also covers INFO, which client libraries' ready checks send: given back.
 * Outside `@dangerous` but taken away: SCRIPT DEBUG (a synchronous debugging session stops every
 * other client until its connection closes), and the FUNCTION subcommands that load, replace or
 * wipe libraries (functions run with the caller's rights, so a library the app could plant would
 * run with an admin's when an admin calls it): functions ship through the admin user, and the app
 * calls them (FCALL, FCALL_RO) and reads them (FUNCTION LIST, STATS, DUMP).
 */
export const APP_RULES: Readonly<RedisAclRules> = {
    allowCategories: ["all"],
    denyCategories: ["dangerous"],
    allowCommands: ["info"],
    denyCommands: ["script|debug", "function|load", "function|delete", "function|flush", "function|restore"],
    keyPatterns: ["*"],
    channelPatterns: [...APP_CHANNEL_PATTERNS],
};

/** Operators: every command (CONFIG under its generated name), every key and channel. */
export const ADMIN_RULES: Readonly<RedisAclRules> = { allowCategories: ["all"], keyPatterns: ["*"], channelPatterns: ["*"] };

/** What a Sentinel sends a Redis it monitors (SENTINEL_SERVER_COMMANDS). No keys, and of the channels only the hello channel. */
export const SENTINEL_RULES: Readonly<RedisAclRules> = {
    allowCommands: [...SENTINEL_SERVER_COMMANDS],
    channelPatterns: [SENTINEL_HELLO_CHANNEL],
};

/**
 * What redis_exporter (1.45, with `--config-command=-`) sends, but SLOWLOG GET: PING and INFO for
 * the figures, CLIENT SETNAME to name its connection, SLOWLOG LEN and LATENCY LATEST/HISTOGRAM
 * (read-only subcommands of @dangerous commands: not SLOWLOG RESET, not LATENCY RESET). No CONFIG
 * (the exporter's config metrics are skipped), no keys, no channels. SLOWLOG GET returns the
 * arguments of other users' slow commands (keys, values, Sentinel's renamed CONFIG REWRITE): the
 * exporter only turns it into the last slow command's id and duration, and does without them when
 * refused (its scrape reports no error; the server's ACL LOG keeps one entry for it, user
 * `metrics`, object `slowlog|get`, whose count grows with every scrape). Found by running the
 * exporter against a user with none of these and reading `ACL LOG`
 * (test/redis/acl/metricsUser.server.test.ts). The exporter's full list lives in the policy pack,
 * which recognises such a user (redis-non-admin-user-dangerous-commands).
 */
export const METRICS_RULES: Readonly<RedisAclRules> = { allowCommands: EXPORTER_COMMANDS.filter((c) => c !== "slowlog|get") };

/** What a replica sends the primary: PSYNC and REPLCONF for the stream, PING to check it. No keys. */
export const REPLICATION_RULES: Readonly<RedisAclRules> = { allowCommands: [...REPLICA_COMMANDS] };

/** What a rule may name on a server (its table), as messages say it. */
const categoriesAllowed = (who: string, table: Pick<CommandTable, "categories">) =>
    `ACL categories ${who} knows, without "@": ${[...table.categories].join(", ")}`;
const commandsAllowed = (who: string) =>
    `command names ${who} knows, in lowercase, subcommands as command|subcommand (e.g. get, client|setname)`;
const CATEGORY_ALLOWED = categoriesAllowed("a server", ANY_SERVER);
const COMMAND_ALLOWED = commandsAllowed("a server");
const PATTERN_ALLOWED = "glob patterns of 1 to 256 printable characters without whitespace, quotes or backslash";
const USER_ALLOWED = "a user name of 1 to 64 letters, digits, '_', '.' or '-', not default, app, admin, replication, sentinel or metrics";
const PASSWORDS_ALLOWED = "1 to 3 distinct passwords of 16 to 512 printable ASCII characters without whitespace, quotes or backslash";

/** A password Redis reads from a config line as one token: printable ASCII, no whitespace, quotes or backslash. */
export const PASSWORD_PATTERN = /^[!#-&(-[\]-~]{16,512}$/;

const distinct = (values: string[]) => new Set(values).size === values.length;
const list = (item: z.ZodString, allowed: string) =>
    z
        .array(item, { error: allowed })
        .max(64, { error: allowed })
        .refine(distinct, { error: `${allowed}, each once` });

// Any server's names here; the chosen server's by ruleRefusedOn.
const category = z.string({ error: CATEGORY_ALLOWED }).refine((c) => ANY_SERVER.categories.has(c), { error: CATEGORY_ALLOWED });
const command = z
    .string({ error: COMMAND_ALLOWED })
    .refine((c) => ANY_SERVER.commands.has(c) || ANY_SERVER.subcommands.has(c), { error: COMMAND_ALLOWED });

/**
 * The first name in `rules` that the server `title` (its `table`) does not know, with where it is
 * (`["allowCommands", 2]`) and what it allows there: Redis refuses to start on a rule naming a
 * command it lacks (a Redis 8 command on Redis 7, Valkey's COMMANDLOG on Redis).
 */
function ruleUnknownTo(
    title: string,
    table: CommandTable,
    rules: RedisAclRules,
): { path: ["allowCategories" | "denyCategories" | "allowCommands" | "denyCommands", number]; message: string } | undefined {
    const fields = [
        ["allowCategories", (c: string) => table.categories.has(c), categoriesAllowed(title, table)],
        ["denyCategories", (c: string) => table.categories.has(c), categoriesAllowed(title, table)],
        ["allowCommands", (c: string) => table.commands.has(c) || table.subcommands.has(c), commandsAllowed(title)],
        ["denyCommands", (c: string) => table.commands.has(c) || table.subcommands.has(c), commandsAllowed(title)],
    ] as const;
    for (const [field, known, message] of fields) {
        const index = (rules[field] ?? []).findIndex((name) => !known(name));
        if (index >= 0) return { path: [field, index], message };
    }
    return undefined;
}

/**
 * A rule that subtracts categories from `all` (`+@all -@write`) on a server with commands in no
 * category (Redis 8's vector sets): no `-@category` takes those away, so a "read-only" user written
 * that way could still VADD, and a later release of the same major may add more of them, which no
 * rule written today can name. Refused there: the user lists the categories it needs. Exact again
 * with `-@all`, which clears every command, categorised or not. The app's own rules subtract, on
 * purpose: it is the data user, and those are data commands (reviewed in
 * test/redis/acl/aclMatrix.redis-8.json).
 */
function ruleSubtractsFromAll(
    title: string,
    table: CommandTable,
    rules: RedisAclRules,
): { path: ["denyCategories", number]; message: string } | undefined {
    const deny = rules.denyCategories ?? [];
    if (table.uncategorised.size === 0 || !rules.allowCategories?.includes("all") || deny.length === 0 || deny.includes("all"))
        return undefined;
    if (COMMAND_RULES.every((field) => JSON.stringify(rules[field] ?? []) === JSON.stringify(APP_RULES[field] ?? []))) return undefined;
    return {
        path: ["denyCategories", 0],
        message: `no categories taken away from allowCategories "all": on ${title} some commands are in no ACL category (${[...table.uncategorised].join(", ")} in the release tested; later ones may add more), so denyCategories cannot take them away; list the categories the user needs in allowCategories instead`,
    };
}

/** The fields of a rule that say which commands it reaches. */
const COMMAND_RULES = ["allowCategories", "denyCategories", "allowCommands", "denyCommands"] as const;

/**
 * Why server `title` (its `table`) would refuse `rules`, with where (`["allowCommands", 2]`) and
 * what is allowed there, or why they would reach more than they say: a name it lacks, or a
 * subtraction from `all` where some commands are in no category.
 */
export function ruleRefusedOn(
    title: string,
    table: CommandTable,
    rules: RedisAclRules,
): { path: ["allowCategories" | "denyCategories" | "allowCommands" | "denyCommands", number]; message: string } | undefined {
    return ruleUnknownTo(title, table, rules) ?? ruleSubtractsFromAll(title, table, rules);
}

const pattern = z.string({ error: PATTERN_ALLOWED }).regex(/^[!#-&(-[\]-~]{1,256}$/, { error: PATTERN_ALLOWED });

/** zod fields of {@link RedisAclRules}, shared by the config settings and the components' `extraUsers`. */
export const aclRulesShape = {
    allowCategories: list(category, CATEGORY_ALLOWED).optional(),
    denyCategories: list(category, CATEGORY_ALLOWED).optional(),
    allowCommands: list(command, COMMAND_ALLOWED).optional(),
    denyCommands: list(command, COMMAND_ALLOWED).optional(),
    keyPatterns: list(pattern, PATTERN_ALLOWED).optional(),
    channelPatterns: list(pattern, PATTERN_ALLOWED).optional(),
};

/** A user name that is not one of the roles every hardened Redis has. */
export const extraUserName = z
    .string({ error: USER_ALLOWED })
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: USER_ALLOWED })
    .refine((name) => !RESERVED_USERS.has(name.toLowerCase()), { error: USER_ALLOWED });

const aclUser = z.strictObject({
    name: z
        .string({ error: USER_ALLOWED })
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: USER_ALLOWED })
        .refine((name) => name !== "default", { error: USER_ALLOWED }),
    passwords: z
        .array(z.string({ error: PASSWORDS_ALLOWED }).regex(PASSWORD_PATTERN, { error: PASSWORDS_ALLOWED }), { error: PASSWORDS_ALLOWED })
        .min(1, { error: PASSWORDS_ALLOWED })
        .max(3, { error: PASSWORDS_ALLOWED })
        .refine(distinct, { error: PASSWORDS_ALLOWED }),
    ...aclRulesShape,
});

const USERS_ALLOWED = "1 to 32 ACL users with distinct names";
/** zod schema of the config's `users`: names unique, passwords only ever hashed. */
export const aclUsers = z
    .array(aclUser, { error: USERS_ALLOWED })
    .min(1, { error: USERS_ALLOWED })
    .max(32, { error: USERS_ALLOWED })
    .refine((users) => distinct(users.map((u) => u.name)), { error: USERS_ALLOWED });

/** SHA-256 of a password as ACL rules take it (`#<hex>`), so the plaintext is never written to disk. */
export function hashRedisPassword(password: string): string {
    return createHash("sha256").update(password, "utf8").digest("hex");
}

/**
 * The `user` line for redis.conf. It starts from a clean slate (`reset`: no passwords, keys,
 * channels or commands) so nothing is inherited, then adds exactly what the rules say.
 */
export function aclUserLine(user: RedisAclUser): string {
    return [
        "user",
        user.name,
        "reset",
        "on",
        ...user.passwords.map((p) => `#${hashRedisPassword(p)}`),
        ...(user.keyPatterns ?? []).map((p) => `~${p}`),
        ...(user.channelPatterns ?? []).map((p) => `&${p}`),
        ...(user.allowCategories ?? []).map((c) => `+@${c}`),
        ...(user.denyCategories ?? []).map((c) => `-@${c}`),
        ...(user.allowCommands ?? []).map((c) => `+${c}`),
        ...(user.denyCommands ?? []).map((c) => `-${c}`),
    ].join(" ");
}

/**
 * Sentinel's `default` user, off: nobody can authenticate as it (AUTH default ... fails), and a
 * client that has not authenticated still gets NOAUTH, which is what password-free health checks read.
 */
export const DEFAULT_USER_OFF = "user default reset off";

/**
 * A Redis server's `default` user: off as on Sentinel, and yet allowed every command, key and
 * channel. Those permissions are no one's: no client can authenticate as a user that is off, and
 * an unauthenticated one gets NOAUTH before any permission is looked at. But Redis 7.0 replays a
 * MULTI/EXEC from the AOF as the default user and checks its permissions again at EXEC
 * (redis/redis#14541, fixed upstream after 7.0; valkey-io/valkey#3983): with none, every
 * transaction and every script that wrote more than one command was dropped from the data at the
 * next restart, silently.
 */
export const SERVER_DEFAULT_USER_OFF = `${DEFAULT_USER_OFF} +@all ~* &*`;

/** Passwords of every user a hardened Redis has, each list current first (two while a rotation overlaps). */
export interface RedisUserPasswords {
    app: string[];
    admin: string[];
    /** Empty without replicas: then there is no replication user. */
    replication: string[];
    /** Only with Sentinel: the user Sentinels authenticate as. */
    sentinel?: string[];
    /** Only with metrics: the user the exporter authenticates as. */
    metrics?: string[];
    /** Passwords of the caller's extra users, by name. */
    extra?: Record<string, string[]>;
}

/** The ACL users of a hardened Redis: app, admin, replication, sentinel and metrics (when they have passwords), then the caller's extra users. */
export function hardenedUsers(passwords: RedisUserPasswords, extraRules: Readonly<Record<string, RedisAclRules>> = {}): RedisAclUser[] {
    return [
        { name: APP_USER, passwords: passwords.app, ...APP_RULES },
        { name: ADMIN_USER, passwords: passwords.admin, ...ADMIN_RULES },
        ...(passwords.replication.length > 0 ? [{ name: REPLICATION_USER, passwords: passwords.replication, ...REPLICATION_RULES }] : []),
        ...(passwords.sentinel?.length ? [{ name: SENTINEL_USER, passwords: passwords.sentinel, ...SENTINEL_RULES }] : []),
        ...(passwords.metrics?.length ? [{ name: METRICS_USER, passwords: passwords.metrics, ...METRICS_RULES }] : []),
        ...Object.entries(extraRules).map(([name, rules]) => ({ name, passwords: passwords.extra?.[name] ?? [], ...rules })),
    ];
}
