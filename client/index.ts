// hardened-redis/client: ioredis helpers for the patterns Redis needs in containers.
export {
    connect,
    dedicatedConnection,
    closeSharedClients,
    recommendedPoolSize,
    connectionTelemetry,
    jitteredBackoff,
    CLIENT_DEFAULTS,
    type ConnectOptions,
} from "./connection/connect";
export { RedisTlsError, type RedisTlsFailure } from "./connection/tlsErrors";
export { parseSentinelUrl, RedisSentinelError, type RedisSentinelFailure, type SentinelUrl } from "./connection/sentinel";
export { pipelineBatches, pipelineInBatches, type Command, type CommandResult } from "./patterns/pipeline";
export { defineScripts, type ScriptDefinition, type ScriptRunner } from "./patterns/scripts";
export {
    acquireLock,
    withLock,
    LockLostError,
    LockTimeoutError,
    type AcquireOptions,
    type Lock,
    type WithLockOptions,
} from "./patterns/lock";
export { cacheAside, CacheLoadError, type CacheAsideOptions } from "./patterns/cacheAside";
export { localCache, type LocalCache, type LocalCacheOptions, type LocalCacheStats } from "./patterns/localCache";
export { scanKeys, type ScanOptions } from "./patterns/scan";
export { shardedKey, shardKeys, incrSharded, sumSharded } from "./patterns/shard";
export { memoryReport, purgeMemory, parseInfo, type MemoryReport, type PurgeOptions, type PurgeResult } from "./patterns/memory";
export type { ConnectionTelemetry } from "./connection/telemetry";
