// Public API of hardened-redis. Only declarations live here: `pulumi package add`
// loads this module to discover the components, so it must create no resources.
export { DockerRedis, type DockerRedisArgs } from "./components/dockerRedis";
export { KubernetesRedis, type KubernetesRedisArgs } from "./components/kubernetesRedis";
export type { RedisServerArgs } from "./components/containerSettings";
export type { RedisTlsArgs, DockerRedisTlsArgs, KubernetesRedisTlsArgs } from "./components/redisTls";
export {
    renderRedisConfig,
    resolveRedisConfig,
    parseMemorySize,
    EVICTION_POLICIES,
    APPENDFSYNC_MODES,
    DEFAULT_DISABLED_COMMANDS,
    type RedisConfigSettings,
    type RedisSavePoint,
    type ResolvedRedisConfig,
} from "./components/redisConfig";
export { TLS_AUTH_CLIENTS } from "./components/tlsLines";
export { RedisConfigError } from "./components/redisConfigError";
export {
    hashRedisPassword,
    hardenedUsers,
    APP_USER,
    ADMIN_USER,
    REPLICATION_USER,
    APP_RULES,
    ADMIN_RULES,
    REPLICATION_RULES,
    type RedisAclRules,
    type RedisAclUser,
    type RedisUserPasswords,
} from "./components/redisUsers";
export { redisConnectionString } from "./components/credentials";
