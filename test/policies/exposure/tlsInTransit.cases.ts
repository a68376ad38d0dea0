import { tlsInTransit } from "../../../policies/exposure/tlsInTransit";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import {
    editConf,
    internalNetwork,
    nginxContainer,
    PRIMARY_OR_REPLICA,
    redisContainer,
    redisSecret,
    redisStatefulSet,
    replicaConf,
    tlsConf,
} from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker, k8sWith } from "../caseFixtures";

export const tlsInTransitCase: PolicyCase = {
    policy: tlsInTransit,
    // Each finding on its own, on Docker and Kubernetes, is in rules/tlsInTransit.test.ts.
    violating: [
        ["no TLS (the hardened container with TLS off)", hardenedDocker()],
        ["a plaintext port next to TLS", [internalNetwork, redisContainer({}, editConf(tlsConf, { port: null }))]],
        ["TLS 1.1 allowed", k8sWith(redisSecret(editConf(tlsConf, { "tls-protocols": '"TLSv1.1 TLSv1.2"' })))],
        [
            "a replica without tls-replication",
            k8sWith(
                redisStatefulSet({}, { command: PRIMARY_OR_REPLICA }, { replicas: 2 }),
                redisSecret(editConf(tlsConf, { "tls-replication": null }), { "replica.conf": replicaConf }),
            ),
        ],
    ],
    compliant: [
        ["TLS only on Docker", [internalNetwork, redisContainer({}, tlsConf)]],
        [
            "TLS only, the config given as --include",
            [internalNetwork, redisContainer({ command: ["redis-server", "--include", "/usr/local/etc/redis/redis.conf"] }, tlsConf)],
        ],
        [
            "TLS only on Kubernetes, replicas included",
            k8sWith(
                redisStatefulSet({}, { command: PRIMARY_OR_REPLICA }, { replicas: 2 }),
                redisSecret(tlsConf, { "replica.conf": replicaConf }),
            ),
        ],
        ["nginx without TLS", [nginxContainer]],
    ],
    unknown: [
        [
            "config content unknown at preview",
            [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })],
        ],
        ["an unknown command", [redisContainer({ command: UNKNOWN })]],
        [
            "a Secret whose data is unknown",
            k8sWith({ ...redisSecret(), props: { metadata: { name: "cache-config-1234", namespace: "redis" }, stringData: UNKNOWN } }),
        ],
    ],
};
