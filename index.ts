// Public API of hardened-redis. Only declarations live here: `pulumi package add`
// loads this module to discover the components, so it must create no resources.
export { DockerRedis, type DockerRedisArgs } from "./platforms/docker/dockerRedis";
export { KubernetesRedis, type KubernetesRedisArgs } from "./platforms/kubernetes/kubernetesRedis";
export type { RedisServerArgs } from "./platforms/common/serverArgs";
export type { RedisTlsArgs, DockerRedisTlsArgs, KubernetesRedisTlsArgs } from "./platforms/common/tlsArgs";
export { renderRedisConfig } from "./redis/config/render";
export {
    resolveRedisConfig,
    parseMemorySize,
    EVICTION_POLICIES,
    APPENDFSYNC_MODES,
    DEFAULT_DISABLED_COMMANDS,
    type RedisConfigSettings,
    type RedisSavePoint,
    type ResolvedRedisConfig,
} from "./redis/config/settings";
export { TLS_AUTH_CLIENTS } from "./redis/tls/tlsLines";
export { RedisConfigError } from "./redis/redisConfigError";
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
} from "./redis/acl/users";
export { redisConnectionString } from "./platforms/common/credentials";
