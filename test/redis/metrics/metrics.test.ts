import { describe, expect, it } from "vitest";
import {
    dockerMetricsArgs,
    EXPORTER_IMAGE,
    exporterAddress,
    exporterArgs,
    exporterPasswordFile,
    isLabelKey,
    kubernetesMetricsArgs,
    planMetrics,
} from "../../../redis/metrics/exporter";
import { RedisConfigError } from "../../../redis/redisConfigError";

describe("the exporter's argv", () => {
    it("names the metrics user and a password file, never a password, and skips CONFIG", () => {
        const argv = exporterArgs({ address: exporterAddress("cache", 6379, false), port: 9121 });
        expect(argv).toEqual([
            "-redis.addr=redis://cache:6379",
            "-redis.user=metrics",
            "-redis.password-file=/run/secrets/redis-exporter/passwords.json",
            "-config-command=-",
            "-web.listen-address=:9121",
        ]);
        expect(argv.some((a) => a.startsWith("-redis.password="))).toBe(false);
    });

    it("trusts the CA over TLS, and presents a client identity only with mutual TLS", () => {
        const tls = exporterArgs({ address: exporterAddress("cache", 6380, true), port: 9200, tls: { clientCertificate: false } });
        expect(tls).toContain("-redis.addr=rediss://cache:6380");
        expect(tls).toContain("-tls-ca-cert-file=/run/secrets/redis-exporter/ca.crt");
        expect(tls.some((a) => a.startsWith("-tls-client-"))).toBe(false);
        const mutual = exporterArgs({ address: "rediss://cache:6380", port: 9200, tls: { clientCertificate: true } });
        expect(mutual).toEqual(
            expect.arrayContaining([
                "-tls-client-cert-file=/run/secrets/redis-exporter/tls.crt",
                "-tls-client-key-file=/run/secrets/redis-exporter/tls.key",
            ]),
        );
    });

    it("maps every address to the one password, as redis_exporter looks it up", () => {
        expect(JSON.parse(exporterPasswordFile(["redis://a:6379", "redis://b:6379"], "pw"))).toEqual({
            "redis://a:6379": "pw",
            "redis://b:6379": "pw",
        });
    });
});

describe("metrics settings", () => {
    const image = (ref: string) => dockerMetricsArgs.safeParse({ enabled: true, image: ref }).success;

    it("take only a pinned exporter image", () => {
        expect(image(EXPORTER_IMAGE)).toBe(true);
        expect(image("registry.example.com:5000/mirror/redis_exporter:v1.63.0-alpine")).toBe(true);
        expect(image(`oliver006/redis_exporter@sha256:${"0".repeat(64)}`)).toBe(true);
        expect(image(`oliver006/redis_exporter:latest@sha256:${"0".repeat(64)}`)).toBe(true);
        for (const unpinned of [
            "oliver006/redis_exporter",
            "oliver006/redis_exporter:latest",
            "oliver006/redis_exporter:alpine",
            "x:LATEST-1",
        ])
            expect(image(unpinned), unpinned).toBe(false);
    });

    it("recognise Kubernetes label keys", () => {
        for (const key of ["app", "kubernetes.io/metadata.name", "a.b-c_d", "example.com/x", "A1"]) expect(isLabelKey(key), key).toBe(true);
        for (const key of ["", "bad key", "-a", "a-", "Example.com/x", "/x", "x/", `${"a".repeat(64)}`, "a/b/c"])
            expect(isLabelKey(key), key).toBe(false);
    });

    it("refuse a label value Kubernetes refuses", () => {
        const labels = (value: string) => kubernetesMetricsArgs.safeParse({ enabled: true, scrapePodLabels: { app: value } }).success;
        expect(labels("prometheus")).toBe(true);
        expect(labels("")).toBe(true);
        expect(labels("has space")).toBe(false);
        expect(labels("-x")).toBe(false);
        expect(labels("a".repeat(64))).toBe(false);
    });

    it("plan nothing when off, and refuse what would be lost or collide", () => {
        const off = dockerMetricsArgs.parse(undefined);
        expect(planMetrics(off, undefined, 6379)).toBeUndefined();
        expect(() => planMetrics(dockerMetricsArgs.parse({ port: 9200 }), { port: 9200 }, 6379)).toThrow(RedisConfigError);
        const on = dockerMetricsArgs.parse({ enabled: true, port: 6379 });
        expect(() => planMetrics(on, { enabled: true, port: 6379 }, 6379)).toThrow(/"metrics.port": got 6379/);
        expect(planMetrics(dockerMetricsArgs.parse({ enabled: true }), { enabled: true }, 6379)).toEqual({
            image: EXPORTER_IMAGE,
            port: 9121,
        });
    });
});
