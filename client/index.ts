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
} from "./connect";
export { RedisTlsError, type RedisTlsFailure } from "./tlsErrors";
export { parseSentinelUrl, RedisSentinelError, type RedisSentinelFailure, type SentinelUrl } from "./sentinel";
export { pipelineBatches, pipelineInBatches, type Command, type CommandResult } from "./pipeline";
export { defineScripts, type ScriptDefinition, type ScriptRunner } from "./scripts";
export { acquireLock, withLock, LockLostError, LockTimeoutError, type AcquireOptions, type Lock, type WithLockOptions } from "./lock";
export { cacheAside, CacheLoadError, type CacheAsideOptions } from "./cacheAside";
export { localCache, type LocalCache, type LocalCacheOptions, type LocalCacheStats } from "./localCache";
export { scanKeys, type ScanOptions } from "./scan";
export { shardedKey, shardKeys, incrSharded, sumSharded } from "./shard";
export { memoryReport, purgeMemory, parseInfo, type MemoryReport, type PurgeOptions, type PurgeResult } from "./memory";
export type { ConnectionTelemetry } from "./telemetry";
