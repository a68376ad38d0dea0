// The one render call both platforms make: the same topology decisions (who replicates whom, when a
// primary refuses writes it would lose, where Sentinel keeps its config) whatever runs the files.
import { SENTINEL_PORT } from "../../policies/shared/ports";
import type { RedisAclUser } from "../../redis/acl/users";
import { renderRedisConfig } from "../../redis/config/render";
import type { ResolvedRedisTuning } from "../../redis/config/settings";
import { CONFIG_DIR, SENTINEL_DIR } from "../../redis/container";
import { renderSentinelConfig } from "../../redis/sentinel/sentinelConfig";
import type { SentinelPlan } from "../../redis/sentinel/topology";

/** A server or Sentinel by the name it announces, with its port. */
export interface Address {
    host: string;
    port: number;
}

/** What every server and Sentinel file of a component is rendered from. */
export interface RenderedTopology {
    /** The component's Redis settings, resolved (sizeRedisForContainer). */
    tuning: ResolvedRedisTuning;
    users: RedisAclUser[];
    configCommandName: string;
    /** With TLS, whether clients must present a certificate. */
    tls?: { authClients: string };
    /** The server the others replicate at boot; undefined for a single server. */
    primary?: Address;
    sentinel?: SentinelPlan;
}

/** redis.conf, and replica.conf where servers replicate. */
export function renderServerFiles(t: RenderedTopology): Record<string, string> {
    return renderRedisConfig({
        ...t.tuning,
        users: t.users,
        configCommandName: t.configCommandName,
        tls: t.tls !== undefined,
        tlsAuthClients: t.tls?.authClients,
        replicaOfHost: t.primary?.host,
        replicaOfPort: t.primary?.port,
        // With Sentinel, a primary cut off from every replica stops taking writes it would lose.
        minReplicasToWrite: t.sentinel ? 1 : 0,
        minReplicasMaxLagSeconds: t.sentinel?.maxReplicaLagSeconds,
    });
}

/** One Sentinel's sentinel.conf: every server and Sentinel by the address it announces. */
export function renderSentinelFile(
    t: Omit<RenderedTopology, "tuning"> & { sentinel: SentinelPlan; primary: Address; server: string },
    peers: { servers: Address[]; sentinels: Address[]; announceHost?: string },
): string {
    return renderSentinelConfig({
        masterName: t.sentinel.masterName,
        quorum: t.sentinel.quorum,
        downAfterMilliseconds: t.sentinel.downAfterMilliseconds,
        failoverTimeoutMilliseconds: t.sentinel.failoverTimeoutMilliseconds,
        primaryHost: t.primary.host,
        redisPort: t.primary.port,
        port: SENTINEL_PORT,
        ...peers,
        users: t.users,
        configCommandName: t.configCommandName,
        dataDir: SENTINEL_DIR,
        configDir: CONFIG_DIR,
        tls: t.tls !== undefined,
        tlsAuthClients: t.tls?.authClients,
        server: t.server,
    });
}
