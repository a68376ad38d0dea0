// The one script hardened-redis starts a Sentinel with, in this file because redis-guard must
// recognise it exactly to know which config the Sentinel runs on, and the components build it
// from here (the pack cannot import the components; the components can import this).
//
// Sentinel records what it learns (the current primary, the epochs, its id, the other Sentinels and
// the replicas) in its copy of the config, and that must survive a restart: Sentinels that start
// over from the rendered file believe the first primary still is one, and when they all restart
// together (a node drain, a config change) they agree on it and split the data between two
// primaries. So the script rebuilds the copy from the rendered file, whose settings and passwords
// are always current, plus the learnt lines of the previous copy, as far as they still fit the
// topology the rendered file describes in its `# hardened-redis server|sentinel <host> <port>`
// lines: the primary it followed, if still a server at that port; the Sentinels and replicas it
// knew, if still in the topology (Sentinel never forgets a peer by itself, and a Sentinel scaled
// away would count as a voter forever). POSIX sh and awk: busybox's (Alpine) and Debian's both run it.

import { familyOfServerProgram, SERVER_PROGRAMS, type ServerFamily } from "./programs";
import { ABSOLUTE_PATH, ANNOUNCE_HOST, MASTER_NAME } from "./syntax";

/** What Sentinel writes into its copy as it learns, per monitored primary and for itself: no setting, no user, no address it listens on. */
const LEARNT_PER_PRIMARY = ["known-replica", "known-sentinel", "config-epoch", "leader-epoch"];
const LEARNT_GLOBAL = ["current-epoch", "myid"];

/** The comment lines of a rendered sentinel.conf that list the topology, as `# hardened-redis <role> <host> <port>`. */
export const TOPOLOGY_LINE = "# hardened-redis";

const oneOf = (words: string[]) => words.map((w) => `$2 == "${w}"`).join(" || ");
/**
 * Reads the previous copy (first file), then prints the rendered file (second) with the followed
 * primary, then the learnt lines that still fit the rendered topology. The topology lines come
 * before the rendered `sentinel monitor` line.
 */
const MERGE = [
    `FILENAME == ARGV[1] {`,
    `if ($1 == "sentinel" && $2 == "monitor" && $3 == m) { ph = $4; pp = $5 }`,
    `else if ($1 == "sentinel" && (${oneOf(LEARNT_GLOBAL)} || ($3 == m && (${oneOf(LEARNT_PER_PRIMARY)})))) learnt[n++] = $0;`,
    `next }`,
    `$1 == "#" && $2 == "hardened-redis" { known[$3 " " $4 " " $5] = 1 }`,
    `$1 == "sentinel" && $2 == "monitor" && $3 == m && (("server " ph " " pp) in known) { $4 = ph; $5 = pp }`,
    `{ print }`,
    `END { for (i = 0; i < n; i++) { split(learnt[i], w, " ");`,
    `if (w[2] == "known-sentinel" && !(("sentinel " w[4] " " w[5]) in known)) continue;`,
    `if (w[2] == "known-replica" && !(("server " w[4] " " w[5]) in known)) continue;`,
    `print learnt[i] } }`,
].join(" ");

/**
 * The `sh -c` script: Sentinel runs on `<dataDir>/sentinel.conf`, rebuilt from `renderedFile` and
 * what the previous copy learnt, announcing `announceHost` when given (a pod's own name, which one
 * rendered file for every pod cannot hold). Paths must be absolute and plain, the name 1 to 64
 * letters, digits, '_' or '-', the host a DNS name; anything else throws, as it would need quoting.
 */
export function sentinelStartScript(
    family: ServerFamily,
    renderedFile: string,
    dataDir: string,
    masterName: string,
    announceHost?: string,
): string {
    const plain =
        Object.hasOwn(SERVER_PROGRAMS, family) &&
        ABSOLUTE_PATH.test(renderedFile) &&
        ABSOLUTE_PATH.test(dataDir) &&
        MASTER_NAME.test(masterName) &&
        (announceHost === undefined || ANNOUNCE_HOST.test(announceHost));
    if (!plain) {
        throw new Error(
            `sentinelStartScript: a known server family, plain absolute paths, master name and host only, not ${JSON.stringify([family, renderedFile, dataDir, masterName, announceHost])}`,
        );
    }
    // Quoted: the variables expand to one word, so no value can add options of its own.
    const announce = announceHost === undefined ? "" : ` --sentinel announce-ip "${announceHost}"`;
    const copy = `${dataDir}/sentinel.conf`;
    return [
        // The copy holds the password Sentinels authenticate with; Sentinel refuses a read-only file.
        "umask 077",
        `[ -e ${copy} ] || : > ${copy}`,
        `awk -v m=${masterName} '${MERGE}' ${copy} ${renderedFile} > ${copy}.next`,
        // On disk before it replaces the copy, and the rename too: a crash must not leave an empty copy.
        "sync",
        `mv ${copy}.next ${copy}`,
        "sync",
        `exec ${SERVER_PROGRAMS[family].server} ${copy} --sentinel${announce}`,
    ].join(" && ");
}

/**
 * The config a script built by {@link sentinelStartScript} starts Sentinel on, and the rendered file
 * it is rebuilt from (every line of it that sets anything); undefined for any other script.
 */
export function sentinelStartFiles(script: string): { config: string; rendered: string } | undefined {
    const m =
        /^umask 077 && \[ -e (\S+)\/sentinel\.conf \] .* awk -v m=(\S+) '.*' \S+ (\S+) > .* exec (\S+) \S+ --sentinel(?: --sentinel announce-ip "(\S+)")?$/.exec(
            script,
        );
    if (!m) return undefined;
    const [, dataDir, masterName, rendered, program, announceHost] = m;
    const family = familyOfServerProgram(program);
    if (family === undefined) return undefined;
    try {
        return sentinelStartScript(family, rendered, dataDir, masterName, announceHost) === script
            ? { config: `${dataDir}/sentinel.conf`, rendered }
            : undefined;
    } catch {
        return undefined;
    }
}
