// Sentinel for both components: the arguments, their checks, and the settings they resolve to.
// Planning only: pure functions, no Pulumi.
import { z } from "zod";
import { RedisConfigError } from "../redisConfigError";
import { integer } from "../config/fields";

/** Automatic failover: Sentinels watch the primary and promote a replica when it is gone. */
export interface RedisSentinelArgs {
    /** Run Sentinels and hand out a Sentinel connection string (`redis+sentinel://`). Needs `replicas` of 2 or more. Default false. */
    enabled?: boolean;
    /** Number of Sentinels: odd, 3 to 7, so a majority can always be told apart. Default 3. */
    sentinels?: number;
    /** Sentinels that must agree the primary is down: a majority at least, at most `sentinels`. Default a majority. */
    quorum?: number;
    /** How long the primary may not answer before a Sentinel considers it down, in ms (1000 to 600000). Default 5000. */
    downAfterMilliseconds?: number;
    /** How long a failover may take before another Sentinel retries it, in ms (10000 to 3600000). Default 60000. */
    failoverTimeoutMilliseconds?: number;
    /**
     * How far behind a replica may fall, in seconds (3 to 60), and still count for writes: the primary refuses writes with none that
     * does, so a primary cut off from its replicas stops taking writes it would lose after this long. Default 10.
     */
    maxReplicaLagSeconds?: number;
}

/** zod fields of {@link RedisSentinelArgs}. */
export const sentinelArgsShape = {
    enabled: z.boolean({ error: "true or false" }).default(false),
    sentinels: integer(3, 7, "an odd integer from 3 to 7")
        .refine((n) => n % 2 === 1, { error: "an odd integer from 3 to 7" })
        .default(3),
    quorum: integer(1, 7, "an integer from a majority of sentinels to sentinels").optional(),
    downAfterMilliseconds: integer(1_000, 600_000, "an integer number of milliseconds from 1000 to 600000").default(5_000),
    failoverTimeoutMilliseconds: integer(10_000, 3_600_000, "an integer number of milliseconds from 10000 to 3600000").default(60_000),
    // At least 3: replicas acknowledge once a second and lag counts whole seconds, so 1 or 2 would refuse writes on a healthy primary.
    maxReplicaLagSeconds: integer(3, 60, "an integer number of seconds from 3 to 60").default(10),
};

export const sentinelArgs = z
    .strictObject(sentinelArgsShape, { error: "an object of the documented sentinel settings" })
    .default({ enabled: false, sentinels: 3, downAfterMilliseconds: 5_000, failoverTimeoutMilliseconds: 60_000, maxReplicaLagSeconds: 10 });

/** The Sentinel settings a component runs with. */
export interface SentinelPlan {
    sentinels: number;
    quorum: number;
    downAfterMilliseconds: number;
    failoverTimeoutMilliseconds: number;
    /** min-replicas-max-lag of every server (with min-replicas-to-write 1). */
    maxReplicaLagSeconds: number;
    /** What clients ask the Sentinels for. */
    masterName: string;
}

/**
 * The Sentinel plan of a component, or undefined without Sentinel. Throws {@link RedisConfigError}
 * for settings that would make a topology that cannot fail over, or fail over without a majority.
 */
export function planSentinel(
    name: string,
    settings: z.output<typeof sentinelArgs>,
    replicas: number,
    given: unknown,
): SentinelPlan | undefined {
    if (!settings.enabled) {
        const set = Object.entries((given ?? {}) as Record<string, unknown>).filter(([k, v]) => k !== "enabled" && v !== undefined);
        if (set.length > 0) throw new RedisConfigError(`sentinel.${set[0][0]}`, "nothing unless sentinel.enabled is true", "a value");
        return undefined;
    }
    if (replicas < 2) {
        throw new RedisConfigError("replicas", "2 or more with sentinel.enabled (a replica to promote)", JSON.stringify(replicas));
    }
    const majority = Math.floor(settings.sentinels / 2) + 1;
    const quorum = settings.quorum ?? majority;
    if (quorum < majority || quorum > settings.sentinels) {
        throw new RedisConfigError(
            "sentinel.quorum",
            `an integer from ${majority} (a majority of ${settings.sentinels} sentinels) to ${settings.sentinels}`,
            JSON.stringify(quorum),
        );
    }
    if (settings.failoverTimeoutMilliseconds < 2 * settings.downAfterMilliseconds) {
        throw new RedisConfigError(
            "sentinel.failoverTimeoutMilliseconds",
            `at least twice sentinel.downAfterMilliseconds (${2 * settings.downAfterMilliseconds})`,
            JSON.stringify(settings.failoverTimeoutMilliseconds),
        );
    }
    return {
        sentinels: settings.sentinels,
        quorum,
        downAfterMilliseconds: settings.downAfterMilliseconds,
        failoverTimeoutMilliseconds: settings.failoverTimeoutMilliseconds,
        maxReplicaLagSeconds: settings.maxReplicaLagSeconds,
        masterName: name,
    };
}
