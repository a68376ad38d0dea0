import { describe, expect, it } from "vitest";
import { EXPORTER_IMAGE } from "../../../redis/metrics/exporter";
import { RedisConfigError } from "../../../redis/redisConfigError";
import { isLabelKey } from "../../../platforms/common/labels";
import { dockerMetricsArgs, kubernetesMetricsArgs, planMetrics } from "../../../platforms/common/metricsArgs";

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
