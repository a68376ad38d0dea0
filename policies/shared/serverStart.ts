// The script a Redis server of a Sentinel topology starts (and stops) with, in this file because
// redis-guard must recognise it exactly to know which config Redis runs on, and the components
// build it from here (the pack cannot import the components).
//
// Start: a server's role is what the Sentinels decided last, not what its rendered file says. A
// server that always booted as the file's primary (server 0) came back from any restart after a
// failover as a second primary until Sentinel converted it, and replicas restarted meanwhile could
// sync from it and drop their copy. So before Redis starts, the script asks every Sentinel which
// server is the primary, and runs Redis on a writable copy of the rendered file (which stays
// read-only) that carries the answer as `replicaof`:
// - a quorum of Sentinels names this server: it starts as the primary;
// - a quorum names another: it starts as that server's replica;
// - no quorum answers (every Sentinel down, or partitioned, or not started yet on a first boot):
//   it keeps the role its previous copy recorded (Sentinel makes Redis rewrite its config on every
//   role change, so the copy on the data volume holds the last role it was given), and with no
//   copy at all (a first boot) the rendered role: server 0 the primary, the others its replicas.
//   The Sentinels remember the primary too, so a server that kept a stale role is converted when
//   they are back, and a stale primary takes no write meanwhile (min-replicas-to-write 1: no
//   replica follows it).
//
// Stop (the handover): a primary stopped on purpose (a roll, a rotation, a drain) asks the
// Sentinels to fail over at once, instead of leaving them to notice after down-after-milliseconds.
// The script runs Redis as its child, so the platform's stop signal (Docker's stop, the kubelet's
// SIGTERM) reaches the script first. If a quorum of Sentinels names this server, it stops Redis
// first: Redis 7's shutdown holds writes and waits (shutdown-timeout) until every replica has its
// replication offset, so no replica is behind and nothing reaches a replica after the promotion.
// That matters: a single byte the old primary sends after the promotion (the PING it sends its
// replicas every 10 s, even with writes paused) puts the replicas that got it ahead of the promoted
// one, and they must then resynchronise in full (seen in a roll here: 5 s without a replica, so
// min-replicas-to-write refused every write). Then it asks a Sentinel to fail over, and waits
// (bounded) until a quorum names another server.
//
// Both ask the Sentinels as the replication user, whose password every server of the topology
// already holds (masterauth): it travels on redis-cli's stdin (`--askpass`), never in argv or the
// environment. POSIX sh and awk: busybox's (Alpine) and Debian's both run it.

import { SERVER_PROGRAMS, type ServerFamily } from "./programs";
import { ABSOLUTE_PATH, ANNOUNCE_HOST, MASTER_NAME } from "./syntax";

/** What a server's start script is built from. */
export interface ServerStartOptions {
    /** The rendered redis.conf, read-only. */
    rendered: string;
    /** A writable directory that outlives the container (the data volume): Redis runs on `<dataDir>/redis.conf`. */
    dataDir: string;
    /** The name the Sentinels monitor the primary under. */
    masterName: string;
    /** Sentinels that must name the same server for the script to believe them. */
    quorum: number;
    /** The name this server announces (`replica-announce-ip`), as the Sentinels name it; may spell `${HOSTNAME}`, `${POD_NAMESPACE}`. */
    self: string;
    /** Port of every Redis server. */
    port: number;
    /** The primary of a first boot (server 0), by the name it announces. */
    firstPrimary: string;
    /** Every Sentinel, as the servers reach them. */
    sentinels: Array<{ host: string; port: number }>;
    /** The user the script asks the Sentinels as (the replication user); its password is the rendered file's `masterauth`. */
    user: string;
    /** Whose server and client it runs: Redis's (`redis-server`, `redis-cli`) or Valkey's. */
    family: ServerFamily;
    /** redis-cli's TLS files, for the Sentinels; undefined for plaintext. */
    tls?: { caFile: string; certFile?: string; keyFile?: string };
}

/** The first line of a start script: the options it was built from, so the pack can rebuild it and compare. */
const HEADER = "# hardened-redis server start ";

/** Seconds any one redis-cli call may take: a Sentinel that does not answer must not hold a start or a stop. */
const CALL_SECONDS = 2;
/** Rounds of asking the Sentinels at start before falling back to the recorded role (a second apart). */
const START_ROUNDS = 3;
/** Seconds a handover waits at most, from its start, until a quorum names another server. */
const FAILOVER_SECONDS = 20;
/**
 * How long a handover takes at most, in seconds, besides Redis's own shutdown: its wait, plus three
 * rounds of calls to Sentinels that do not answer (asking before, asking for the failover, asking
 * once the wait is over; seven Sentinels at most, each call bounded). A container's stop grace
 * must cover it and the shutdown.
 */
export const HANDOVER_SECONDS = FAILOVER_SECONDS + 3 * 7 * CALL_SECONDS;

function check(o: ServerStartOptions): void {
    const plain =
        Object.hasOwn(SERVER_PROGRAMS, o.family) &&
        ABSOLUTE_PATH.test(o.rendered) &&
        ABSOLUTE_PATH.test(o.dataDir) &&
        MASTER_NAME.test(o.masterName) &&
        Number.isInteger(o.quorum) &&
        o.quorum >= 1 &&
        o.quorum <= o.sentinels.length &&
        ANNOUNCE_HOST.test(o.self) &&
        ANNOUNCE_HOST.test(o.firstPrimary) &&
        [o.port, ...o.sentinels.map((s) => s.port)].every((p) => Number.isInteger(p) && p > 0 && p < 65_536) &&
        o.sentinels.length > 0 &&
        o.sentinels.every((s) => ANNOUNCE_HOST.test(s.host)) &&
        /^[A-Za-z0-9_.-]{1,64}$/.test(o.user) &&
        (o.tls === undefined || [o.tls.caFile, o.tls.certFile, o.tls.keyFile].every((f) => f === undefined || ABSOLUTE_PATH.test(f))) &&
        (o.tls?.certFile === undefined) === (o.tls?.keyFile === undefined);
    if (!plain) throw new Error(`serverStartScript: plain paths, names, hosts and ports only, not ${JSON.stringify(o)}`);
}

/** The shell functions the script uses: `cli` (redis-cli as the user), `named` (the primary a quorum names, or nothing). */
function functions(o: ServerStartOptions): string[] {
    const tls = o.tls
        ? [`--tls --cacert ${o.tls.caFile}`, ...(o.tls.certFile ? [`--cert ${o.tls.certFile} --key ${o.tls.keyFile}`] : [])]
        : [];
    // The Sentinels are quoted: a pod's name expands to one word.
    const sentinels = o.sentinels.map((s) => `"${s.host} ${s.port}"`).join(" ");
    return [
        // cli <host> <port> <command...>: the password is the rendered file's masterauth, on stdin.
        `cli() { h=$1; p=$2; shift 2; awk '$1 == "masterauth" { print $2 }' ${o.rendered} | timeout ${CALL_SECONDS} ${SERVER_PROGRAMS[o.family].cli} ${[...tls, ""].join(" ")}-h "$h" -p "$p" --user ${o.user} --askpass --raw "$@" 2>/dev/null; }`,
        // One "host port" line per Sentinel that answers; printed when at least a quorum of them agree.
        `named() { for s in ${sentinels}; do set -- $s; echo $(cli "$1" "$2" SENTINEL GET-MASTER-ADDR-BY-NAME ${o.masterName}); done | grep -E '^[^ ]+ [0-9]+$' | sort | uniq -c | sort -rn | awk -v q=${o.quorum} 'NR == 1 && $1 >= q { print $2 " " $3 }'; }`,
        `self="${o.self} ${o.port}"`,
    ];
}

/**
 * The stop path, as a shell function `stop` for the TERM trap: Redis is stopped in any case; when a
 * quorum of Sentinels named this server the primary, once Redis has exited (its shutdown waited for
 * the replicas), a Sentinel is asked to fail over, and the function returns once a quorum names
 * another server. Every wait is bounded.
 */
function stopFunction(o: ServerStartOptions): string[] {
    return [
        "stop() {",
        '  handing=no; [ "$(named)" = "$self" ] && handing=yes',
        "  begun=$(date +%s)",
        `  [ $handing = no ] || echo "hardened-redis: handing ${o.masterName} over: stopping Redis (it holds writes until every replica has them), then a failover"`,
        // Until Redis has exited: `wait` returns early when another signal comes in, and a reaped child fails `kill -0`.
        "  kill -TERM $pid; while kill -0 $pid 2> /dev/null; do wait $pid; exited=$?; done",
        "  [ $handing = yes ] || return 0",
        `  for s in ${o.sentinels.map((s) => `"${s.host} ${s.port}"`).join(" ")}; do set -- $s; [ "$(cli "$1" "$2" SENTINEL FAILOVER ${o.masterName})" = OK ] && break; done`,
        `  until p=$(named); [ -n "$p" ] && [ "$p" != "$self" ]; do [ $(($(date +%s) - begun)) -lt ${FAILOVER_SECONDS} ] || break; sleep 0.2; done`,
        '  echo "hardened-redis: the Sentinels name ${p:-no primary} now"',
        "}",
    ];
}

/**
 * The `sh -c` script a server of a Sentinel topology starts with (see the top of this file). Every
 * value must be plain (absolute paths, DNS names, integers); anything else throws, as it would need
 * quoting.
 */
export function serverStartScript(o: ServerStartOptions): string {
    check(o);
    const copy = `${o.dataDir}/redis.conf`;
    const start = `${SERVER_PROGRAMS[o.family].server} ${copy} --replica-announce-ip "${o.self}"`;
    const role = [
        'primary=""',
        `for round in ${Array.from({ length: START_ROUNDS }, (_, i) => i + 1).join(" ")}; do primary=$(named); [ -n "$primary" ] && break; [ $round = ${START_ROUNDS} ] || sleep 1; done`,
        `if [ -n "$primary" ]; then why="named by a quorum of Sentinels"`,
        `elif [ -f ${copy} ]; then primary=$(awk '$1 == "replicaof" { r = $2 " " $3 } END { print r }' ${copy}); primary=\${primary:-$self}; why="no quorum of Sentinels answered: the role it last had"`,
        `else primary="${o.firstPrimary} ${o.port}"; why="no quorum of Sentinels answered and no role recorded: a first boot"; fi`,
        `if [ "$primary" = "$self" ]; then echo "hardened-redis: starting as the primary ($why)"; else echo "hardened-redis: starting as a replica of $primary ($why)"; fi`,
        // On disk before it replaces the copy, and the rename too: a crash must not leave an empty copy.
        `{ cat ${o.rendered}; [ "$primary" = "$self" ] || echo "replicaof $primary"; } > ${copy}.next && sync && mv ${copy}.next ${copy} && sync || exit 1`,
    ];
    const run = [
        ...stopFunction(o),
        // Redis as a child, so that a stop reaches this shell first (see stop()).
        `${start} &`,
        "pid=$!",
        "trap stop TERM INT",
        // Until Redis has exited, by itself or through stop(); its status is the container's (a wait
        // the trap interrupted returns the signal's, so stop() keeps Redis's own).
        "while kill -0 $pid 2> /dev/null; do wait $pid; status=$?; done",
        "exit ${exited:-$status}",
    ];
    return [`${HEADER}${JSON.stringify(o)}`, "umask 077", ...functions(o), ...role, ...run].join("\n");
}

/**
 * The config a script built by {@link serverStartScript} starts Redis on, and the rendered file
 * it copies; undefined for any other script (one that differs in a single character).
 */
export function serverStartFiles(script: string): { config: string; rendered: string } | undefined {
    if (!script.startsWith(HEADER)) return undefined;
    const header = script.slice(HEADER.length, script.indexOf("\n") < 0 ? undefined : script.indexOf("\n"));
    try {
        const options = JSON.parse(header) as ServerStartOptions;
        return serverStartScript(options) === script ? { config: `${options.dataDir}/redis.conf`, rendered: options.rendered } : undefined;
    } catch {
        return undefined;
    }
}
