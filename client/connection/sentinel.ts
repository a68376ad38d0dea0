// Sentinel connection strings, and what a Sentinel client needs besides what ioredis does itself.
//
// The components' Sentinel topology outputs
//   redis+sentinel://<user>:<url-encoded password>@<sentinel>:<port>,<sentinel>:<port>,…/<masterName>/<db>
// (`rediss+sentinel://` with TLS): where to ask for the primary, and one credential that works on
// the Sentinels and on the Redis servers alike. connect() turns it into ioredis's own Sentinel
// options, so an application goes from one server to a replicated one by changing the string only.
import { SENTINEL_PORT } from "../../policies/shared/ports";
import { lookup } from "node:dns/promises";
import { isIP, type Socket } from "node:net";
import Redis, { type RedisOptions } from "ioredis";
import { jitteredBackoff } from "./backoff";
import type { Failure } from "./tlsErrors";

/** What a Sentinel connection string says. */
export interface SentinelUrl {
    /** `rediss+sentinel://`: TLS to the Sentinels and to the Redis servers. */
    tls: boolean;
    /** The ACL user, on the Sentinels and on the servers (absent: the `default` user). */
    username?: string;
    /** Its password, decoded (absent: none sent). */
    password?: string;
    /** Where the Sentinels listen, in the string's order (port 26379 when none is given). */
    sentinels: { host: string; port: number }[];
    /** The name the Sentinels monitor the primary under. */
    masterName: string;
    /** The database to SELECT (0 when the string has none). */
    db: number;
}

const SENTINEL_SCHEMES: Readonly<Record<string, boolean>> = { "redis+sentinel": false, "rediss+sentinel": true };
/** Every scheme connect() takes; anything else is a typo that ioredis would read as a host. */
export const SCHEMES = ["redis", "rediss", "redis+sentinel", "rediss+sentinel"] as const;
const FORMAT = "redis+sentinel://<user>:<password>@<host>:<port>,<host>:<port>,…/<masterName>/<db>";

/** The scheme of a URL-shaped string, lowercased; undefined for anything else (e.g. a socket path). */
export function schemeOf(connectionString: string): string | undefined {
    return /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(connectionString)?.[1].toLowerCase();
}

/** Whether connect() reads this string as a Sentinel connection string. */
export function isSentinelUrl(connectionString: string): boolean {
    const scheme = schemeOf(connectionString);
    return scheme !== undefined && scheme in SENTINEL_SCHEMES;
}

// Every message names the part at fault and never the string itself: its userinfo is a password.
function invalid(problem: string): Error {
    return new Error(`connect: invalid Sentinel connection string: ${problem} (expected ${FORMAT}; rediss+sentinel:// for TLS)`);
}

function decoded(text: string, what: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        // The text itself is not echoed: it may be (part of) the password.
        throw invalid(`the ${what} is not URL-encoded correctly (a "%" not followed by two hex digits); encode it with encodeURIComponent`);
    }
}

function sentinelAddress(entry: string): { host: string; port: number } {
    // "[v6]:port", "[v6]", "host:port" or "host".
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+))(?::(.*))?$/.exec(entry);
    if (!m) throw invalid(`"${entry}" is not a Sentinel host[:port]`);
    const host = m[1] ?? m[2];
    if (m[3] === undefined) return { host, port: SENTINEL_PORT };
    const port = /^\d{1,5}$/.test(m[3]) ? Number(m[3]) : NaN;
    if (!(port >= 1 && port <= 65535)) throw invalid(`the port of Sentinel ${host} is "${m[3]}", not a number from 1 to 65535`);
    return { host, port };
}

/**
 * Parses a Sentinel connection string (`redis+sentinel://` or `rediss+sentinel://`, as the
 * components output it) into its parts, percent-decoding the user, the password and the master
 * name. Throws an Error naming what is wrong (the scheme, no Sentinel host, a bad port, no master
 * name, a db that is not an integer) without ever echoing the password.
 */
export function parseSentinelUrl(connectionString: string): SentinelUrl {
    const scheme = schemeOf(connectionString);
    if (scheme === undefined || !(scheme in SENTINEL_SCHEMES)) {
        throw invalid(scheme === undefined ? "it does not start with a scheme" : `the scheme is "${scheme}://"`);
    }
    const rest = connectionString.slice(scheme.length + 3);
    // The userinfo runs to the last "@": a password that was not URL-encoded may hold "/", "?", "#"
    // or "@" itself, and must neither cut the string short nor end up in a host shown in an error.
    const at = rest.lastIndexOf("@");
    const userinfo = at === -1 ? undefined : rest.slice(0, at);
    const afterUserinfo = rest.slice(at + 1);
    const slash = afterUserinfo.indexOf("/");
    const hostList = slash === -1 ? afterUserinfo : afterUserinfo.slice(0, slash);
    const path = slash === -1 ? "" : afterUserinfo.slice(slash + 1);

    let username: string | undefined;
    let password: string | undefined;
    if (userinfo !== undefined) {
        const colon = userinfo.indexOf(":");
        const user = decoded(colon === -1 ? userinfo : userinfo.slice(0, colon), "user name");
        const secret = colon === -1 ? "" : decoded(userinfo.slice(colon + 1), "password");
        username = user === "" ? undefined : user;
        password = secret === "" ? undefined : secret;
    }

    if (hostList === "") throw invalid("it names no Sentinel host");
    const sentinels = hostList.split(",").map((entry) => {
        if (entry === "") throw invalid("its Sentinel host list has an empty entry");
        return sentinelAddress(entry);
    });

    if (/[?#]/.test(path)) throw invalid("it has a query or fragment; pass options to connect() instead");
    const segments = path.split("/");
    if (segments.length > 2 && !(segments.length === 3 && segments[2] === "")) {
        throw invalid("its path has more than /<masterName>/<db>");
    }
    const masterName = decoded(segments[0], "master name");
    if (masterName === "") throw invalid("it names no master (the path must start with /<masterName>)");
    if (/[\s\0]/.test(masterName)) throw invalid("the master name contains whitespace");
    const dbText = segments[1] ?? "";
    const db = dbText === "" ? 0 : /^\d+$/.test(dbText) ? Number(dbText) : NaN;
    if (!Number.isSafeInteger(db)) throw invalid(`the db is "${dbText}", not a non-negative integer`);

    return {
        tls: SENTINEL_SCHEMES[scheme],
        ...(username === undefined ? {} : { username }),
        ...(password === undefined ? {} : { password }),
        sentinels,
        masterName,
        db,
    };
}

/**
 * Sentinel-only defaults connect() adds, each overridable:
 * - `sentinelCommandTimeout`: ioredis sets none, so a Sentinel that accepts the connection and then
 *   never answers (a frozen process, a half-dead node) would hold every connection attempt forever
 *   instead of letting the next Sentinel answer. Sentinels answer in milliseconds.
 */
export const SENTINEL_DEFAULTS: Readonly<RedisOptions> = {
    sentinelCommandTimeout: 2_000,
};

/** The channel every Sentinel announces a promotion on: `<master> <old ip> <old port> <new ip> <new port>`. */
const SWITCH_MASTER = "+switch-master";

/**
 * Watches the Sentinels for a promotion of `options.name` and reports the new primary's address.
 *
 * Why not ioredis's own `failoverDetector`: on a promotion it calls the connector's disconnect(),
 * which, when it lands while a reconnect is asking a Sentinel where the primary is (a likely moment
 * during a failover, the more so on a slow link), makes that attempt fail with "Connection is
 * closed." and ends the client for good (status "end", no more reconnects): seen with ioredis 5.11
 * and 6.0 against Sentinels behind 150 ms of latency. It also reacts to any master's promotion.
 * This watch only reports; the client drops its socket, and ioredis reconnects as after any lost
 * connection.
 *
 * One subscriber per Sentinel in `options.sentinels`: each one announces a promotion, so any that is
 * up suffices. Each reconnects on its own (jittered, up to every 5 s) and resubscribes.
 * What they send a Sentinel: HELLO/AUTH (or AUTH), SUBSCRIBE; what the components' app user may.
 */
export function watchFailovers(options: RedisOptions, onSwitch: (host: string, port: number) => void): { close(): void } {
    const protocol = (options as { protocol?: number }).protocol;
    const subscribers = (options.sentinels ?? []).map((sentinel) => {
        const subscriber = new Redis({
            host: sentinel.host ?? "127.0.0.1",
            port: sentinel.port ?? SENTINEL_PORT,
            family: sentinel.family ?? options.family,
            username: options.sentinelUsername,
            password: options.sentinelPassword,
            tls: options.sentinelTLS,
            connectTimeout: options.connectTimeout,
            // The Sentinels' users may not run INFO, which the ready check sends.
            enableReadyCheck: false,
            // CLIENT SETINFO is not theirs either (Redis 7.2+ Sentinels would log each refusal).
            disableClientInfo: true,
            // A Sentinel down at start must not lose the SUBSCRIBE queued for it.
            maxRetriesPerRequest: null,
            retryStrategy: (attempt) => jitteredBackoff(attempt, 100, 5_000),
            // ioredis 6 speaks RESP3 to Sentinels unless told otherwise, as to the servers (ioredis 5 has no such option).
            ...(protocol === undefined ? {} : { protocol }),
        } as RedisOptions & { replyMapping?: "legacy" });
        // A Sentinel that is down is the others' business; the client reports its own failures.
        subscriber.on("error", () => {});
        subscriber.on("message", (channel: string, message: string) => {
            if (channel !== SWITCH_MASTER) return;
            const [name, , , host, port] = message.split(" ");
            if (name === options.name && host && Number(port) > 0) onSwitch(host, Number(port));
        });
        subscriber.subscribe(SWITCH_MASTER).catch(() => {});
        return subscriber;
    });
    return { close: () => subscribers.forEach((s) => s.disconnect()) };
}

/**
 * Whether `socket` is connected to `host:port` (a name is resolved). False for a socket that has
 * not connected yet: it may be on its way to the old primary.
 */
export async function connectedTo(socket: Socket, host: string, port: number): Promise<boolean> {
    if (socket.remoteAddress === undefined || socket.remotePort !== port) return false;
    const remote = socket.remoteAddress.replace(/^::ffff:/, "");
    if (isIP(host)) return remote === host;
    try {
        return (await lookup(host, { all: true })).some((a) => a.address === remote);
    } catch {
        return false;
    }
}

/**
 * Why a Sentinel client cannot find its primary:
 * - `unknown-master`: every Sentinel asked answered that it monitors no primary of that name. The
 *   client stops reconnecting: the connection string names another topology, or a typo.
 * - `no-sentinel-answered`: no Sentinel said where the primary is (unreachable, wrong password,
 *   …); the message has each one's reason. The client keeps asking.
 */
export type RedisSentinelFailure = "unknown-master" | "no-sentinel-answered";

/** A Sentinel client's failure to find its primary, with each Sentinel's answer; commands reject with it. */
export class RedisSentinelError extends Error {
    constructor(
        message: string,
        readonly reason: RedisSentinelFailure,
    ) {
        super(message);
        this.name = "RedisSentinelError";
    }
}

/** What one Sentinel said when asked where the primary is. */
export interface SentinelAnswer {
    host: string;
    port: number;
    /** The Sentinel's error reply (`ERR No such master with that name`, `WRONGPASS …`), or ioredis's connection error. */
    reason: string;
}

/**
 * Reads ioredis's "sentinelError" event (the same wording in ioredis 5 and 6), emitted once per
 * Sentinel that did not name a primary in a round of asking them all.
 */
export function sentinelAnswer(error: Error): SentinelAnswer | undefined {
    const m =
        /^(?:failed to connect to sentinel (.+):(\d+) because|connected to sentinel (.+):(\d+) successfully, but got an invalid reply:) ([\s\S]*)$/.exec(
            error.message,
        );
    return m ? { host: m[1] ?? m[3], port: Number(m[2] ?? m[4]), reason: m[5] } : undefined;
}

/** Redis 7's Sentinel answers an unknown name with this error; older ones with a null reply. */
export function isUnknownMaster(answer: SentinelAnswer): boolean {
    return /No such master with that name/i.test(answer.reason) || answer.reason === "null";
}

/** A Sentinel's own error reply (`ERR …`, `WRONGPASS …`, `NOPERM …`), as opposed to a failed connection. */
export function isErrorReply(answer: SentinelAnswer): boolean {
    return /^[A-Z][A-Z_]+\s/.test(answer.reason);
}

function listAnswers(answers: readonly SentinelAnswer[]): string {
    return answers.map((a) => `${a.host}:${a.port}: ${a.reason}`).join("; ");
}

/** Every Sentinel asked knows no primary of this name: retrying cannot fix it. */
export function unknownMaster(masterName: string, answers: readonly SentinelAnswer[]): Failure {
    const asked = [...new Set(answers.map((a) => `${a.host}:${a.port}`))].join(", ");
    const message =
        `No Sentinel knows a primary named "${masterName}" (asked ${asked}: ${answers[0].reason}): ` +
        "check the master name in the connection string (the path's first segment) against the Sentinels' " +
        "(the components output the whole string as connectionString). The client does not reconnect; create a new one once this is fixed.";
    return { final: true, error: () => new RedisSentinelError(message, "unknown-master") };
}

/** No Sentinel named the primary this round; the client asks again. */
export function noSentinelAnswered(masterName: string, answers: readonly SentinelAnswer[]): Failure {
    const message =
        `No Sentinel said where the primary "${masterName}" is` +
        (answers.length > 0 ? ` (${listAnswers(answers)})` : "") +
        ". The client keeps asking them.";
    return { final: false, error: () => new RedisSentinelError(message, "no-sentinel-answered") };
}
