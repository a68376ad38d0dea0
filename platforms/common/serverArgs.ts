import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { channelsReach, SENTINEL_HELLO_CHANNEL } from "../../policies/shared/acl";
import { CONFIG_DIR, DATA_DIR } from "../../redis/container";
import { RedisConfigError } from "../../redis/redisConfigError";
import { commandTable } from "../../redis/acl/commandTables";
import { aclRulesShape, extraUserName, ruleRefusedOn, type RedisAclRules } from "../../redis/acl/users";
import { SERVER_PROGRAMS, type ServerFamily } from "../../policies/shared/programs";
import { IMAGE_REFERENCE, imageTagAndDigest } from "../../policies/shared/syntax";
import { serverNamed, SERVERS, type RedisServerKind } from "../../redis/servers";
import { integer } from "../../redis/config/fields";
import type { RedisSavePoint } from "../../redis/config/settings";
import {
    checkRedisSettings,
    COMPONENT_SETTINGS,
    serverName,
    type ComponentSetting,
    type ResolvedRedisTuning,
} from "../../redis/config/settings";

/** What `image` may be for `server`, and which server an image of another family needs. */
function imageAllowed(server: RedisServerKind): string {
    const others = SERVERS.filter((s) => s.family !== server.family);
    const families = [...new Set(others.map((s) => s.family))].map(
        (family) =>
            `an image named ${family} needs server ${others
                .filter((s) => s.family === family)
                .map((s) => `"${s.name}"`)
                .join(" or ")}`,
    );
    return `a ${server.title} image reference for server "${server.name}": a tag starting with "${server.major}" and/or an @sha256 digest, e.g. ${server.defaultImage} (${families.join("; ")})`;
}

/** The family an image's repository names (the last part of its name: redis, bitnami/valkey), if it names one. */
function familyNamed(image: string): ServerFamily | undefined {
    const repository = image.split("@")[0].split("/").pop()!.split(":")[0];
    return (Object.keys(SERVER_PROGRAMS) as ServerFamily[]).find((family) => repository.includes(family));
}

/**
 * The server a component runs and its image, from its checked `server` and `image`: the server's
 * official image unless told otherwise; an image must name a tag of the server's major version or a
 * digest, never an implicit or explicit `latest` (the rendered files use directives Redis 6
 * refuses), and an image named for the other family (a Valkey image with a Redis server) is refused.
 * The extra users' rules may name only what that server knows, and must not reach more than they
 * say (ruleRefusedOn); the renderer checks the same, this says so at construction.
 */
export function chosenServer(settings: { server: string; image?: string; extraUsers?: RedisAclRules[] }): {
    server: RedisServerKind;
    image: string;
} {
    const server = serverNamed(settings.server);
    const image = settings.image ?? server.defaultImage;
    const { tag, digest } = imageTagAndDigest(image);
    const fits =
        IMAGE_REFERENCE.test(image) &&
        (tag === undefined ? digest !== undefined : new RegExp(`^${server.major}($|[.-])`).test(tag)) &&
        (familyNamed(image) ?? server.family) === server.family;
    if (!fits) throw new RedisConfigError("image", imageAllowed(server), JSON.stringify(image));
    for (const [i, user] of (settings.extraUsers ?? []).entries()) {
        const refused = ruleRefusedOn(server.title, commandTable(server.name), user);
        if (refused) {
            const [field, index] = refused.path;
            throw new RedisConfigError(`extraUsers.${i}.${field}.${index}`, refused.message, JSON.stringify(user[field]?.[index]));
        }
    }
    return { server, image };
}

const MEMORY_LIMIT_ALLOWED = "an integer from 32 to 1048576 (MiB)";
export const memoryLimitMb = integer(32, 1_048_576, MEMORY_LIMIT_ALLOWED).default(256);

const CPU_ALLOWED = 'a positive CPU quantity such as "100m", "0.5" or "2"';
const cpuQuantity = z.string({ error: CPU_ALLOWED }).regex(/^(?=.*[1-9])\d+(\.\d+)?m?$/, { error: CPU_ALLOWED });

/** Cores in a CPU quantity ("100m" is 0.1). */
function cores(quantity: string): number {
    return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

/** CPU for the container, as both platforms express it. */
export interface ContainerCpu {
    /** Kubernetes request and limit, as given. */
    request: string;
    limit?: string;
    /** Docker's equivalents, derived as the kubelet derives cgroup settings: 1024 shares per core of the request (at least 2). */
    dockerShares: number;
    /** Docker `cpus` (a hard cap in cores) from the limit. */
    dockerCpus?: string;
}

/** Checks the CPU request and limit (the limit, when set, at least the request) and derives Docker's settings. */
export function containerCpu(settings: { cpuRequest: string; cpuLimit?: string }): ContainerCpu {
    const request = cores(settings.cpuRequest);
    if (settings.cpuLimit !== undefined && cores(settings.cpuLimit) < request) {
        throw new RedisConfigError(
            "cpuLimit",
            `a CPU quantity of at least cpuRequest (${settings.cpuRequest})`,
            JSON.stringify(settings.cpuLimit),
        );
    }
    return {
        request: settings.cpuRequest,
        limit: settings.cpuLimit,
        dockerShares: Math.max(2, Math.round(request * 1024)),
        dockerCpus: settings.cpuLimit === undefined ? undefined : String(cores(settings.cpuLimit)),
    };
}

/**
 * The arguments a component hands to the rendered config as they are: the settings of the contract
 * (redis/config/settings.ts componentSettingShape), each of which RedisServerArgs must declare (a
 * setting it lacks fails this Pick). The contract drives both the args schema and the copy, so a
 * setting cannot be accepted and then dropped.
 */
type ForwardedArgs = Pick<RedisServerArgs, ComponentSetting>;

const HELLO_ALLOWED = `channel patterns that leave out ${SENTINEL_HELLO_CHANNEL} (whoever may PUBLISH there moves every Sentinel to a server of their choosing), or sentinelHelloChannel: true`;

/** An extra user's rules; its channel patterns may reach the Sentinels' hello channel only when it says so. */
const extraUser = z
    .strictObject({ name: extraUserName, ...aclRulesShape, sentinelHelloChannel: z.boolean({ error: "true or false" }).default(false) })
    .superRefine((user, ctx) => {
        if (!user.sentinelHelloChannel && channelsReach(user.channelPatterns ?? [], SENTINEL_HELLO_CHANNEL)) {
            ctx.addIssue({ code: "custom", path: ["channelPatterns"], message: HELLO_ALLOWED, input: user.channelPatterns });
        }
    })
    .transform(({ sentinelHelloChannel: _, ...user }) => user);

/**
 * zod fields for {@link RedisServerArgs}, to spread into each component's strict schema. The
 * forwarded Redis settings are checked by sizeRedisForContainer, against the rendered config's
 * own schema; inputs that may be unknown until deployment are not checked here.
 */
export const redisServerArgsShape = {
    server: serverName,
    // Checked with the server by chosenServer.
    image: z.string({ error: "an image reference, e.g. redis:7-alpine" }).optional(),
    memoryLimitMb,
    cpuRequest: cpuQuantity.default("100m"),
    cpuLimit: cpuQuantity.optional(),
    ...(Object.fromEntries(COMPONENT_SETTINGS.map((key) => [key, z.unknown().optional()])) as Record<
        ComponentSetting,
        z.ZodOptional<z.ZodUnknown>
    >),
    credentialGeneration: integer(0, 1_000_000, "an integer from 0 to 1000000").default(0),
    retirePreviousCredentials: z.boolean({ error: "true or false" }).default(false),
    extraUsers: z
        .array(extraUser, { error: "a list of { name, ...rules } users" })
        .max(16, { error: "at most 16 extra users" })
        .refine((users) => new Set(users.map((u) => u.name)).size === users.length, { error: "users with distinct names" })
        .default([]),
    credentialKeepers: z.unknown().optional(),
};

/** Share of the container limit given to `maxmemory` when the caller does not choose. */
const DEFAULT_MAXMEMORY_SHARE = 0.75;
/**
 * The most `maxmemory` may take. It counts data only: client buffers, fragmentation and
 * the pages an AOF-rewrite fork copies under write load are charged to the same cgroup.
 */
const MAX_MAXMEMORY_SHARE = 0.8;

/** Arguments every hardened Redis component takes: the image, its memory, Redis's settings and credential rotation. */
export interface RedisServerArgs {
    /**
     * The server: `redis-7` (Redis 7, the default), `redis-8` (Redis 8) or `valkey-8` (Valkey 8). See the README's table of servers:
     * licences, support and which data files each reads.
     */
    server?: string;
    /**
     * The server's image: a tag starting with its major version (`7`, `8`) and/or a digest, never `latest`; an image named for the
     * other family (a Valkey image for `redis-8`) is refused. Default the official `redis:7-alpine`, `redis:8-alpine` or
     * `valkey/valkey:8-alpine`; pin with `redis:7-alpine@sha256:<digest>`.
     */
    image?: string;
    /** Container memory limit in MiB (32 to 1048576). Default 256. */
    memoryLimitMb?: number;
    /**
     * CPU request as a Kubernetes quantity (`100m`, `0.5`, `2`). Default `100m`. On Docker it sets the CPU shares (1024 per core), Redis's
     * weight when the host's CPUs are contended.
     */
    cpuRequest?: string;
    /**
     * CPU limit as a Kubernetes quantity, at least `cpuRequest`. Default none: throttling a single-threaded server only adds latency. On
     * Docker it sets `cpus`.
     */
    cpuLimit?: string;
    /** Redis `maxmemory` in bytes or `192mb` style; at most 80% of the memory limit. Default 75% of `memoryLimitMb`. */
    maxmemory?: string;
    /**
     * Eviction policy when `maxmemory` is reached (noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu,
     * volatile-random, volatile-ttl). Default `allkeys-lfu`.
     */
    maxmemoryPolicy?: string;
    /** Append-only file persistence. Default true. */
    appendonly?: boolean;
    /** AOF fsync policy: `always`, `everysec` or `no`. Default `everysec`. */
    appendfsync?: string;
    /** RDB snapshot rules in addition to the AOF. Default none. */
    savePoints?: RedisSavePoint[];
    /** Commands to disable entirely. Default FLUSHALL, FLUSHDB, DEBUG, KEYS. */
    disabledCommands?: string[];
    /** Port Redis listens on (1024 to 65535). Default 6379. */
    port?: number;
    /**
     * Rotation generation of every password (0, 1, 2, ...). Raising it by one adds a new password per user next to the current one
     * (outputs carry the new one; clients holding the old one keep working); the old one is dropped by `retirePreviousCredentials` or by the
     * next rotation. Default 0.
     */
    credentialGeneration?: number;
    /** Stop accepting the previous generation's passwords, once every client uses the current ones. Default false. */
    retirePreviousCredentials?: boolean;
    /**
     * Arbitrary values; changing any of them regenerates every password and the CONFIG name at once, with no overlap (for a leaked
     * credential). For a rotation without an outage, raise `credentialGeneration` instead.
     */
    credentialKeepers?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
    /** Further ACL users, each with its own generated password and secret connection string (`extraConnectionStrings`). */
    extraUsers?: RedisExtraUser[];
}

/** An ACL user beyond the built-in `app`, `admin` and `replication` users, with its rules. */
export interface RedisExtraUser extends RedisAclRules {
    /** User name: 1 to 64 letters, digits, `_`, `.` or `-`; not `default`, `app`, `admin` or `replication`. */
    name: string;
    /**
     * DANGEROUS. Let `channelPatterns` reach `__sentinel__:hello` (a pattern such as `*` does). Sentinels do not
     * authenticate the hellos published there: one forged hello makes every Sentinel switch the primary to a server
     * of the publisher's choosing, and every client then sends it its password. Default false: such patterns are
     * refused. Only for a user that really is a Sentinel of yours.
     */
    sentinelHelloChannel?: boolean;
}

/**
 * Validates the Redis settings of a containerised Redis and fills in `maxmemory` from the
 * container's memory limit: Redis does not read the cgroup limit, and above it the kernel
 * OOM-kills Redis instead of Redis evicting. Returns the settings resolved (every default
 * applied, sizes in bytes), ready for renderRedisConfig with the credentials added.
 */
export function sizeRedisForContainer(args: RedisServerArgs, limitMb: number, server: RedisServerKind): ResolvedRedisTuning {
    const limitBytes = limitMb * 1024 * 1024;
    const forwarded: ForwardedArgs = Object.fromEntries(
        COMPONENT_SETTINGS.filter((key) => args[key] !== undefined).map((key) => [key, args[key]]),
    );
    const resolved = checkRedisSettings({
        ...forwarded,
        maxmemory: args.maxmemory ?? Math.floor(limitBytes * DEFAULT_MAXMEMORY_SHARE),
        server: server.name,
        configDir: CONFIG_DIR,
        dataDir: DATA_DIR,
    });
    if (resolved.port < 1024) {
        // Redis runs as uid 999 with every capability dropped: it cannot bind a privileged port.
        throw new RedisConfigError("port", "an integer from 1024 to 65535 (Redis runs without privileges)", JSON.stringify(resolved.port));
    }
    if (resolved.maxmemory === 0 || resolved.maxmemory > limitBytes * MAX_MAXMEMORY_SHARE) {
        throw new RedisConfigError(
            "maxmemory",
            `more than 0 and at most 80% of memoryLimitMb (${Math.floor(limitBytes * MAX_MAXMEMORY_SHARE)} bytes)`,
            JSON.stringify(args.maxmemory ?? resolved.maxmemory),
        );
    }
    return resolved;
}
