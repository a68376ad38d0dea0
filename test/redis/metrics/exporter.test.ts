import { describe, expect, it } from "vitest";
import { exporterAddress, exporterArgs, exporterPasswordFile } from "../../../redis/metrics/exporter";

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
