// Prometheus alerting rules for a hardened Redis, on redis_exporter's metric names: the same groups
// go into a PrometheusRule (Kubernetes, with the Prometheus Operator) and into a plain rules file
// (examples/prometheus/). Planning only: a pure function, no Pulumi.

import { FRAGMENTATION_RATIO_LIMIT, FRAGMENTED_BYTES_WORTH_ACTING } from "./fragmentation";

/** One alerting rule, as Prometheus's rule files and the PrometheusRule CRD spell it. */
export interface AlertRule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: "warning" | "critical" };
    annotations: { summary: string; description: string };
}

export interface AlertRuleGroup {
    name: string;
    rules: AlertRule[];
}

export interface AlertRuleOptions {
    /** The Prometheus job that scrapes the exporter (the `up` series of an exporter that is down). Default `redis`. */
    job?: string;
    /** Whether the deployment has replicas: adds the replication rules. */
    replicas?: boolean;
    /** Share of `maxmemory` in use that warns. Default 0.8. */
    memoryUsedAbove?: number;
    /** `mem_fragmentation_ratio` that warns (with at least 32 MiB behind it, as purgeMemory asks). Default 1.5. */
    fragmentationAbove?: number;
    /** Replica lag, in seconds, that warns. Default 10. */
    replicaLagAbove?: number;
}

/** The alerting rules: memory, fragmentation, evictions, rejected connections, persistence errors, replication, the exporter itself. */
export function redisAlertRules(options: AlertRuleOptions = {}): AlertRuleGroup[] {
    const {
        job = "redis",
        replicas = false,
        memoryUsedAbove = 0.8,
        fragmentationAbove = FRAGMENTATION_RATIO_LIMIT,
        replicaLagAbove = 10,
    } = options;
    const percent = Math.round(memoryUsedAbove * 100);
    const rules: AlertRule[] = [
        {
            alert: "RedisExporterDown",
            expr: `up{job="${job}"} == 0`,
            for: "2m",
            labels: { severity: "critical" },
            annotations: {
                summary: "Redis metrics are not being scraped",
                description: "Prometheus cannot scrape the redis_exporter of {{ $labels.instance }}: every other Redis alert is blind.",
            },
        },
        {
            alert: "RedisDown",
            expr: "redis_up == 0",
            for: "1m",
            labels: { severity: "critical" },
            annotations: {
                summary: "Redis is down",
                description: "The exporter of {{ $labels.instance }} cannot reach Redis (or authenticate as the metrics user).",
            },
        },
        {
            alert: "RedisMemoryHigh",
            // The ratio on the left: `and` keeps the left side's value, which the description shows.
            expr: `redis_memory_used_bytes / redis_memory_max_bytes > ${memoryUsedAbove} and redis_memory_max_bytes > 0`,
            for: "5m",
            labels: { severity: "warning" },
            annotations: {
                summary: `Redis uses more than ${percent}% of maxmemory`,
                description:
                    "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of maxmemory; at 100% it evicts keys (or, with noeviction, refuses writes).",
            },
        },
        {
            alert: "RedisMemoryFragmented",
            expr: `redis_mem_fragmentation_ratio > ${fragmentationAbove} and (redis_memory_used_rss_bytes - redis_memory_used_bytes) > ${FRAGMENTED_BYTES_WORTH_ACTING}`,
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: `Redis memory fragmentation above ${fragmentationAbove}`,
                description:
                    "{{ $labels.instance }} holds {{ $value }} times the memory its data needs; after bulk deletes try purgeMemory (MEMORY PURGE) or active defragmentation.",
            },
        },
        {
            alert: "RedisEvictingKeys",
            expr: "increase(redis_evicted_keys_total[5m]) > 0",
            labels: { severity: "warning" },
            annotations: {
                summary: "Redis is evicting keys",
                description:
                    "{{ $labels.instance }} evicted {{ $value }} keys in 5 minutes because maxmemory was reached: expected of a cache, data loss for a store.",
            },
        },
        {
            alert: "RedisRejectingConnections",
            expr: "increase(redis_rejected_connections_total[5m]) > 0",
            labels: { severity: "critical" },
            annotations: {
                summary: "Redis is rejecting connections",
                description:
                    "{{ $labels.instance }} refused {{ $value }} connections in 5 minutes (maxclients reached): clients are opening connections instead of reusing them.",
            },
        },
        {
            alert: "RedisPersistenceFailing",
            expr: "redis_aof_last_write_status == 0 or redis_rdb_last_bgsave_status == 0",
            labels: { severity: "critical" },
            annotations: {
                summary: "Redis cannot write its AOF or RDB",
                description:
                    "{{ $labels.instance }}'s last AOF write or RDB save failed (a full or read-only volume): writes since are not durable.",
            },
        },
    ];
    if (replicas)
        rules.push(
            {
                alert: "RedisReplicationBroken",
                expr: "redis_master_link_up == 0",
                for: "1m",
                labels: { severity: "critical" },
                annotations: {
                    summary: "A Redis replica lost its primary",
                    description:
                        "The replica {{ $labels.instance }} is not connected to its primary: its data is getting stale, and a failover to it would lose writes.",
                },
            },
            {
                alert: "RedisReplicaLagging",
                expr: `redis_connected_slave_lag_seconds > ${replicaLagAbove}`,
                for: "2m",
                labels: { severity: "warning" },
                annotations: {
                    summary: `A Redis replica lags more than ${replicaLagAbove}s`,
                    description: "The primary {{ $labels.instance }} last heard from the replica {{ $labels.slave_ip }} {{ $value }}s ago.",
                },
            },
        );
    return [{ name: "hardened-redis", rules }];
}
