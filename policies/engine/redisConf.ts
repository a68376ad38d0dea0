// Reading the settings Redis starts with, as redis-server reads them: the config file (with its
// includes) first, then `--flag value` arguments.
import { UNKNOWN, type Known } from "./known";
import { logsInWithoutPassword } from "./acl";

/** Redis settings as `redis-server` would read them: config file first, then `--flag value` arguments. */
export interface RedisSettings {
    /** Each directive (lowercased) with the arguments of its last occurrence. */
    directives: Map<string, string[]>;
    /** `rename-command` pairs, lowercased original to new name. */
    renamed: Map<string, string>;
    /** `user` directives (from the `aclfile` when it could be read), as argument lists. */
    users: string[][];
    /** Whether `users` came from the `aclfile` it names. */
    aclFileRead?: boolean;
}

function parseLine(line: string): string[] {
    // redis.conf quoting: "…" and '…'; enough for the directives checked here.
    const words: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
    for (let m = re.exec(line); m !== null; m = re.exec(line)) words.push(m[1] ?? m[2] ?? m[3]);
    return words;
}

/** Reads settings from a config file's text and the arguments after it. */
export function redisSettings(configText: string | undefined, args: string[]): RedisSettings {
    const settings: RedisSettings = { directives: new Map(), renamed: new Map(), users: [] };
    const apply = (words: string[]) => {
        if (words.length === 0) return;
        const key = words[0].toLowerCase();
        const rest = words.slice(1);
        if (key === "rename-command" && rest.length >= 2) settings.renamed.set(rest[0].toLowerCase(), rest[1]);
        else if (key === "user") settings.users.push(rest);
        else settings.directives.set(key, rest);
    };
    for (const line of (configText ?? "").split("\n")) {
        if (!line.trim().startsWith("#")) apply(parseLine(line));
    }
    // `redis-server [config] --key value … --key2 value …`
    let current: string[] = [];
    for (const arg of args) {
        if (arg.startsWith("--")) {
            apply(current);
            current = [arg.slice(2)];
        } else if (current.length > 0) current.push(arg);
    }
    apply(current);
    return settings;
}

/** How deep redis-server would follow `include` before we give up (it has no limit of its own). */
const MAX_INCLUDE_DEPTH = 8;

/**
 * A config file's text with each `include` replaced by the file it names, where it stands, as
 * redis-server reads it (a later line overrides an earlier one). UNKNOWN when the file or any file
 * it includes cannot be read here, or an include is a glob.
 */
export function withIncludes(path: string, readFile: (path: string) => Known<string | undefined>, depth = 0): Known<string | undefined> {
    const text = readFile(path);
    if (text === undefined || text === UNKNOWN) return text;
    const lines: string[] = [];
    for (const line of text.split("\n")) {
        const words = line.trim().startsWith("#") ? [] : parseLine(line);
        if (words.length !== 2 || words[0].toLowerCase() !== "include") {
            lines.push(line);
            continue;
        }
        // Redis fails to start without the file; a glob may match files we cannot list.
        if (depth >= MAX_INCLUDE_DEPTH || /[*?[]/.test(words[1])) return UNKNOWN;
        const included = withIncludes(words[1], readFile, depth + 1);
        if (included === undefined || included === UNKNOWN) return UNKNOWN;
        lines.push(included);
    }
    return lines.join("\n");
}

/**
 * The config text a redis-server argv starts from: the config file it names, then each file an
 * `--include` argument names (redis-server --include f), each with its includes in place.
 * Undefined when it names none, UNKNOWN when one cannot be read here.
 */
export function startupConfig(args: string[], readFile: (path: string) => Known<string | undefined>): Known<string | undefined> {
    const files = [
        configPath(args),
        ...args.flatMap((a, i) => (a.toLowerCase() === "--include" && args[i + 1] !== undefined ? [args[i + 1]] : [])),
    ].filter((f): f is string => f !== undefined);
    if (files.length === 0) return undefined;
    const ARGV = "\0argv";
    return withIncludes(ARGV, (p) => (p === ARGV ? files.map((f) => `include ${f}`).join("\n") : readFile(p)));
}

/** The config file path in a redis-server argv, if one is given. */
export function configPath(args: string[]): string | undefined {
    return args[0] !== undefined && !args[0].startsWith("-") ? args[0] : undefined;
}

export function directive(settings: RedisSettings, key: string): string | undefined {
    return settings.directives.get(key)?.join(" ");
}

/** A yes/no or enumerated directive's value as Redis compares it: case-insensitively (`protected-mode NO` is no). */
export function choice(settings: RedisSettings, key: string): string | undefined {
    return directive(settings, key)?.toLowerCase();
}

/** Whether clients must authenticate: a password or hash for the default user, or an ACL file that says so. */
export function requiresAuth(settings: RedisSettings): boolean {
    if ((directive(settings, "requirepass") ?? "") !== "") return true;
    // An ACL file that cannot be read here is given the benefit of the doubt.
    if (settings.directives.has("aclfile") && !settings.aclFileRead) return true;
    // Without a `default` line, Redis creates the default user with nopass and every command.
    const defaultUser = settings.users.find((u) => u[0] === "default");
    if (!defaultUser) return false;
    return !logsInWithoutPassword(defaultUser.slice(1));
}

/** Effective persistence: Redis' defaults are `appendonly no` and snapshots on. */
export function persistence(settings: RedisSettings): { aof: boolean; rdb: boolean } {
    const save = settings.directives.get("save");
    return {
        aof: choice(settings, "appendonly") === "yes",
        rdb: save === undefined || !(save.length === 0 || (save.length === 1 && save[0] === "")),
    };
}
