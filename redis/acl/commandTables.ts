// What each server knows: its top-level commands, their subcommands and its ACL categories,
// generated from the real binaries (redis/acl/commands/, one file a server) and checked against
// them on every test run (test/redis/acl/commandTables.server.test.ts). Rules, disabled commands
// and the renamed CONFIG are checked against the chosen server's table; the syntax of a setting
// against every server's at once. A later minor version only adds, so a name in a table exists in
// every image of that major version from the one generated on.
import { REDIS_7 } from "./commands/redis-7";
import { REDIS_8 } from "./commands/redis-8";
import { VALKEY_8 } from "./commands/valkey-8";

/** A server's table as generated. */
export interface CommandTableData {
    /** The `server` setting it belongs to. */
    server: string;
    /** The binary and version it was generated from. */
    from: string;
    /** Top-level commands (`COMMAND LIST`), lowercase: what rename-command and ACL rules can name. */
    commands: readonly string[];
    /** Subcommands as ACL rules name them (`client|setname`), from `COMMAND INFO`. */
    subcommands: readonly string[];
    /** ACL categories (`ACL CAT`), without the `@`. */
    categories: readonly string[];
    /**
     * Commands and subcommands in no ACL category (`COMMAND INFO`): Redis 8's vector sets. `+@all`
     * reaches them and no `-@category` but `-@all` takes them away.
     */
    uncategorised: readonly string[];
}

export interface CommandTable {
    commands: ReadonlySet<string>;
    subcommands: ReadonlySet<string>;
    /** With `all`, which ACL CAT does not list but every rule may name. */
    categories: ReadonlySet<string>;
    /** See {@link CommandTableData.uncategorised}. */
    uncategorised: ReadonlySet<string>;
}

const table = (data: CommandTableData): CommandTable => ({
    commands: new Set(data.commands),
    subcommands: new Set(data.subcommands),
    categories: new Set([...data.categories, "all"]),
    uncategorised: new Set(data.uncategorised),
});

/** Every server's table, by `server` setting. */
export const COMMAND_TABLES: ReadonlyMap<string, CommandTable> = new Map(
    [REDIS_7, REDIS_8, VALKEY_8].map((data) => [data.server, table(data)]),
);

/** The table of server `name`. */
export function commandTable(name: string): CommandTable {
    const found = COMMAND_TABLES.get(name);
    if (!found) throw new Error(`no command table for server ${name}`);
    return found;
}

/** What some server knows: a name outside it is no command at all, whichever server runs. */
export const ANY_SERVER: Omit<CommandTable, "uncategorised"> = {
    commands: new Set([...COMMAND_TABLES.values()].flatMap((t) => [...t.commands])),
    subcommands: new Set([...COMMAND_TABLES.values()].flatMap((t) => [...t.subcommands])),
    categories: new Set([...COMMAND_TABLES.values()].flatMap((t) => [...t.categories])),
};
