// What Pulumi Cloud shows beside a policy result: the control it enforces, topics to filter by,
// and where the fix is explained. One framework per policy (@pulumi/policy's field takes one);
// the others a policy also serves are named in policies/README.md.
import type { PolicyComplianceFramework } from "@pulumi/policy";

/**
 * CIS Docker Benchmark 1.6.0 controls, numbered as docker-bench-security numbers them since it
 * moved "swarm mode is not enabled" to 5.1 (docker/docker-bench-security#546), as 1.6.0 does.
 */
export const cisDocker = (reference: string, specification: string): PolicyComplianceFramework => ({
    name: "CIS Docker Benchmark",
    version: "1.6.0",
    reference,
    specification,
});

/** CIS Kubernetes Benchmark 1.9.0 controls (the same IDs and titles in 1.8.0; read from kube-bench's cfg/cis-1.9). */
export const cisKubernetes = (reference: string, specification: string): PolicyComplianceFramework => ({
    name: "CIS Kubernetes Benchmark",
    version: "1.9.0",
    reference,
    specification,
});

/** A section of Redis's own security guidance (redis.io, "Redis security" and "ACL"). */
export const redisSecurity = (reference: string, specification: string): PolicyComplianceFramework => ({
    name: "Redis security",
    version: "redis.io docs, 2026",
    reference,
    specification,
});

/**
 * Where each policy's section of policies/README.md is published. The one place to change when
 * the repository moves: every policy's `url` is this plus `#<policy name>`.
 */
export const POLICY_DOCS = "https://github.com/hardened-redis/hardened-redis/blob/main/policies/README.md";

export const docsUrl = (policyName: string): string => `${POLICY_DOCS}#${policyName}`;
