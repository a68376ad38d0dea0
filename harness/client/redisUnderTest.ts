import { startLocalRedis, type RedisUnderTest } from "../local/localRedis";

/**
 * The Redis the client suite runs against: started from the components' own rendered
 * configuration (renderRedisConfig, generated credentials) and handed over as the same
 * connection string the components output. The interface stays `{ connectionString, stop() }`
 * so a Redis deployed on a real Docker engine can stand in for it unchanged.
 */
export function startRedisUnderTest(): Promise<RedisUnderTest> {
    return startLocalRedis();
}

export type { RedisUnderTest };
