"""Hardened Redis from Python: the same components as from TypeScript, through the generated SDK."""
import pulumi
import pulumi_hardened_redis as hardened_redis

# Three servers with Sentinel failover on Docker, TLS on every hop, and a read-only user for reports.
cache = hardened_redis.DockerRedis(
    "cache",
    replicas=3,
    memory_limit_mb=512,
    sentinel=hardened_redis.RedisSentinelArgsArgs(enabled=True, down_after_milliseconds=5000),
    tls=hardened_redis.DockerRedisTlsArgsArgs(enabled=True),
    extra_users=[hardened_redis.RedisExtraUserArgs(name="reports", allow_categories=["read"], key_patterns=["report:*"])],
    # A redis_exporter per server, on the internal network, as the metrics user.
    metrics=hardened_redis.DockerRedisMetricsArgsArgs(enabled=True),
)

# On Kubernetes: clients in namespaces labelled team=web may connect, if their pods carry the client label.
sessions = hardened_redis.KubernetesRedis(
    "sessions",
    replicas=3,
    storage_size="2Gi",
    client_namespace_labels={"team": "web"},
    sentinel=hardened_redis.RedisSentinelArgsArgs(enabled=True),
)

# Secret outputs: hand them to the applications as files, never as plain config.
pulumi.export("connection_string", cache.connection_string)
pulumi.export("sentinel_addresses", cache.sentinel_addresses)
pulumi.export("metrics_endpoints", cache.metrics_endpoints)
pulumi.export("sessions_connection_string", sessions.connection_string)
pulumi.export("sessions_client_label", sessions.client_label)
