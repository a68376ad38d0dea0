import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { DockerRedisArgs } from "../../../platforms/docker/dockerArgs";
import {
    dockerDnsNames,
    dockerPrimary,
    exporterAddresses,
    exporterPresentsCertificate,
    metricsEndpoints,
    needsNetworkHolders,
    planDockerRedis,
    planExporter,
    planNetworkHolder,
    planSentinelContainer,
    planServer,
    planWriter,
    sentinelFile,
    serverResourceName,
    type DockerRedisPlan,
} from "../../../platforms/docker/dockerPlan";
import { RedisConfigError } from "../../../redis/redisConfigError";
import { sentinelCommand } from "../../../redis/sentinel/sentinelConfig";
import { HANDOVER_SECONDS, serverStartScript } from "../../../policies/shared/serverStart";

// The planning functions are pure: the component wires them to Pulumi outputs (the image's ID, the
// network's and volumes' names), which these tests stand in for with plain strings, so the planned
// containers are plain values too.
type Plain = pulumi.Unwrap<docker.ContainerArgs>;
const plain = (args: docker.ContainerArgs) => args as unknown as Plain;
/** What no container of the component may set: privileges, published ports, the host's namespaces, an environment. */
const ABSENT = ["privileged", "ports", "envs", "pidMode", "ipcMode", "devices"] as const;

const CONFIG_DIR = "/usr/local/etc/redis";
const SECRETS_DIR = "/run/secrets/redis-exporter";
const WIRING = { image: "sha256:redis-image", networkName: "cache-net", configVolume: "cache-config", configSha256: "config-hash" };
const EXPORTER_WIRING = { image: "sha256:exporter", networkName: "cache-net", secretsVolume: "cache-metrics", filesSha256: "files-hash" };
const holderMode = (host: string) => `container:${host}-network`;
const MUTUAL = { enabled: true, requireClientCertificates: true };
const PEMS = { caCertificate: "ca", certificate: "cert", privateKey: "key" };

const TOPOLOGIES: Record<string, DockerRedisArgs> = {
    "1 server": {},
    "2 servers": { replicas: 2, restartPolicy: "on-failure", logMaxSize: "5m", logMaxFiles: 7 },
    "3 servers + Sentinel": { replicas: 3, sentinel: { enabled: true }, memoryLimitMb: 512 },
    "1 server with TLS": { tls: { enabled: true } },
    "3 servers + Sentinel with mutual TLS": { replicas: 3, sentinel: { enabled: true }, tls: MUTUAL, restartPolicy: "always" },
    "2 servers with metrics and a scrape network": { replicas: 2, metrics: { enabled: true, scrapeNetworkName: "prometheus" } },
    "1 server with metrics and TLS": { metrics: { enabled: true, port: 9200 }, tls: { enabled: true } },
    "3 servers + 5 Sentinels with metrics and mutual TLS": {
        replicas: 3,
        port: 6380,
        sentinel: { enabled: true, sentinels: 5 },
        metrics: { enabled: true, scrapeNetworkName: "prometheus" },
        tls: MUTUAL,
    },
};

/** What a topology's arguments say, as the expectations need it. */
function expected(args: DockerRedisArgs) {
    const replicas = args.replicas ?? 1;
    const sentinels = args.sentinel?.enabled ? (args.sentinel.sentinels ?? 3) : 0;
    return {
        replicas,
        sentinels,
        port: args.port ?? 6379,
        tls: args.tls?.enabled === true,
        mutual: args.tls?.requireClientCertificates === true,
        metricsPort: args.metrics?.enabled ? (args.metrics.port ?? 9121) : undefined,
        holders: replicas > 1 ? replicas + sentinels : 0,
    };
}

/** Every container the component would make for `p`, planned as the component plans them. */
function planAll(p: DockerRedisPlan) {
    const holders = needsNetworkHolders(p);
    const dataVolume = (i: number) => `${serverResourceName(p, i)}-data`;
    const writer = (role: string, image: string, volume: string, dir: string) =>
        plain(planWriter(p, role, { image, volume, dir, uploads: [] }));
    return {
        servers: p.servers.map((host, i) =>
            plain(planServer(p, i, { ...WIRING, dataVolume: dataVolume(i), networkMode: holders ? holderMode(host) : undefined })),
        ),
        holders: holders ? [...p.servers, ...p.sentinels].map((host) => plain(planNetworkHolder(p, host, WIRING))) : [],
        sentinels: p.sentinels.map((host, i) =>
            plain(planSentinelContainer(p, i, { ...WIRING, sentinelVolume: `cache-sentinel-${i}`, networkMode: holderMode(host) })),
        ),
        exporters: p.metrics ? p.servers.map((_, i) => plain(planExporter(p, i, EXPORTER_WIRING))) : [],
        writers: [
            writer("config-writer", WIRING.image, WIRING.configVolume, CONFIG_DIR),
            ...(p.metrics ? [writer("metrics-writer", EXPORTER_WIRING.image, EXPORTER_WIRING.secretsVolume, SECRETS_DIR)] : []),
        ],
    };
}

const topologies = () =>
    Object.entries(TOPOLOGIES).map(([what, args]) => {
        const p = planDockerRedis("cache", args);
        return { what, args, p, want: expected(args), planned: planAll(p) };
    });

describe("the containers' lockdown, for every topology", () => {
    it("locks every running container down the same way: its user, read-only, no capability or privilege, bounded memory and logs", () => {
        for (const { what, args, want, planned } of topologies()) {
            const as = (kind: string, user: string) => (c: Plain, i: number) => [`${kind} ${i}`, c, user] as const;
            const running = [
                ...planned.servers.map(as("server", "999:1000")),
                ...planned.holders.map(as("holder", "999:1000")),
                ...planned.sentinels.map(as("Sentinel", "999:1000")),
                ...planned.exporters.map(as("exporter", "59000:0")),
            ];
            const exporters = want.metricsPort === undefined ? 0 : want.replicas;
            expect(running.length, what).toBe(want.replicas + want.holders + want.sentinels + exporters);
            for (const [which, c, user] of running) {
                const where = `${which} of ${what}`;
                expect(c.user, where).toBe(user);
                expect(c.readOnly, where).toBe(true);
                expect(c.capabilities, where).toEqual({ drops: ["ALL"] });
                expect(c.securityOpts, where).toEqual(["no-new-privileges:true"]);
                expect(c.restart, where).toBe(args.restartPolicy ?? "unless-stopped");
                expect(c.mustRun, where).toBe(true);
                expect(c.logDriver, where).toBe("json-file");
                expect(c.logOpts, where).toEqual({ "max-size": args.logMaxSize ?? "10m", "max-file": String(args.logMaxFiles ?? 3) });
                expect(c.memory, where).toBeGreaterThan(0);
                // Equal limits leave the container no swap to grow into.
                expect(c.memorySwap, where).toBe(c.memory);
                for (const key of ABSENT) expect(c[key], `${key} of ${where}`).toBeUndefined();
                expect(c.networkMode, where).not.toBe("host");
            }
        }
    });

    it("keeps Redis, Sentinels and holders off every network but the internal one; only exporters join the scrape network", () => {
        for (const { what, args, p, planned } of topologies()) {
            for (const c of [...planned.servers, ...planned.holders, ...planned.sentinels]) {
                for (const network of c.networksAdvanced ?? []) expect(network.name, what).toBe(WIRING.networkName);
            }
            const scrape = args.metrics?.scrapeNetworkName;
            for (const [i, c] of planned.exporters.entries()) {
                const alias = `${p.servers[i]}-metrics`;
                expect(c.networksAdvanced, what).toEqual([
                    { name: WIRING.networkName, aliases: [alias] },
                    ...(scrape === undefined ? [] : [{ name: scrape, aliases: [alias] }]),
                ]);
            }
        }
    });
});

describe("the servers", () => {
    it("names one server by the alias, and each of several by alias-<n>, with the Sentinels after them", () => {
        expect(planDockerRedis("Sessions", {}).servers).toEqual(["sessions"]);
        const p = planDockerRedis("cache", { alias: "store", replicas: 3, sentinel: { enabled: true } });
        expect(p.servers).toEqual(["store-0", "store-1", "store-2"]);
        expect(p.sentinels).toEqual(["store-sentinel-0", "store-sentinel-1", "store-sentinel-2"]);
        expect(dockerDnsNames(p)).toEqual([...p.servers, ...p.sentinels]);
        expect(dockerPrimary(p)).toEqual({ host: "store-0", port: 6379 });
        expect(dockerPrimary(planDockerRedis("cache", {}))).toBeUndefined();
        // Server 0 keeps a single server's resource names, so adding replicas keeps its data volume.
        expect([0, 1, 2].map((i) => serverResourceName(p, i))).toEqual(["cache", "cache-1", "cache-2"]);
    });

    it("starts server 0 from redis.conf and the others from replica.conf, with Sentinel in the role the Sentinels name; several announce their alias and join their holder", () => {
        for (const { what, args, p, want, planned } of topologies()) {
            expect(needsNetworkHolders(p), what).toBe(want.replicas > 1);
            expect(planned.servers.length, what).toBe(want.replicas);
            for (const [i, c] of planned.servers.entries()) {
                const where = `server ${i} of ${what}`;
                const start = ["redis-server", `${CONFIG_DIR}/${i === 0 ? "redis.conf" : "replica.conf"}`];
                expect(c.memory, where).toBe(args.memoryLimitMb ?? 256);
                expect(c.volumes, where).toEqual([
                    { volumeName: `${serverResourceName(p, i)}-data`, containerPath: "/data" },
                    { volumeName: WIRING.configVolume, containerPath: CONFIG_DIR, readOnly: true },
                ]);
                // A new config changes this label, and so replaces the container.
                expect(c.labels, where).toContainEqual({ label: "hardened-redis.config-sha256", value: WIRING.configSha256 });
                if (want.replicas === 1) {
                    expect(c.command, where).toEqual(start);
                    expect(c.networkMode, where).toBeUndefined();
                    expect(c.networksAdvanced, where).toEqual([{ name: WIRING.networkName, aliases: ["cache"] }]);
                } else if (p.sentinel) {
                    // Its role from the Sentinels, handing over when stopped (the script is run on real Sentinels in serverStart.server.test.ts).
                    const script = serverStartScript({
                        rendered: `${CONFIG_DIR}/redis.conf`,
                        dataDir: "/data",
                        masterName: "cache",
                        quorum: p.sentinel.quorum,
                        self: `cache-${i}`,
                        port: p.tuning.port,
                        firstPrimary: "cache-0",
                        sentinels: p.sentinels.map((host) => ({ host, port: 26379 })),
                        user: "replication",
                        family: "redis",
                        tls: p.tls && {
                            caFile: `${CONFIG_DIR}/ca.crt`,
                            ...(p.tls.authClients === "yes" && { certFile: `${CONFIG_DIR}/tls.crt`, keyFile: `${CONFIG_DIR}/tls.key` }),
                        },
                    });
                    expect(c.command, where).toEqual(["sh", "-c", script]);
                    expect(c.stopTimeout, where).toBe(30 + HANDOVER_SECONDS);
                    expect(c.networkMode, where).toBe(holderMode(`cache-${i}`));
                } else {
                    expect(c.command, where).toEqual([...start, "--replica-announce-ip", `cache-${i}`]);
                    expect(c.stopTimeout, where).toBe(30);
                    expect(c.networkMode, where).toBe(holderMode(`cache-${i}`));
                    expect(c.networksAdvanced, where).toBeUndefined();
                }
            }
        }
    });

    it("gives every server and Sentinel of a topology one holder carrying its alias, and a single server none", () => {
        for (const { what, p, want, planned } of topologies()) {
            expect(planned.holders.length, what).toBe(want.holders);
            if (want.replicas === 1) continue;
            expect(
                planned.holders.map((h) => h.networksAdvanced),
                what,
            ).toEqual(dockerDnsNames(p).map((host) => [{ name: WIRING.networkName, aliases: [host] }]));
            for (const h of planned.holders) {
                expect(h.command, what).toEqual(["sleep", "2147483647"]);
                expect(h.volumes, what).toBeUndefined();
                expect(h.healthcheck, what).toBeUndefined();
            }
        }
    });
});

describe("the Sentinels", () => {
    it("start each from its own rendered file, on a writable volume of their own, with the config read-only", () => {
        for (const { what, want, planned } of topologies()) {
            expect(planned.sentinels.length, what).toBe(want.sentinels);
            for (const [i, c] of planned.sentinels.entries()) {
                const where = `Sentinel ${i} of ${what}`;
                expect(sentinelFile(i)).toBe(`sentinel-${i}.conf`);
                expect(c.command, where).toEqual(
                    sentinelCommand("redis", { renderedFile: `${CONFIG_DIR}/sentinel-${i}.conf`, dataDir: "/data", masterName: "cache" }),
                );
                expect(c.volumes, where).toEqual([
                    { volumeName: `cache-sentinel-${i}`, containerPath: "/data" },
                    { volumeName: WIRING.configVolume, containerPath: CONFIG_DIR, readOnly: true },
                ]);
                expect(c.networkMode, where).toBe(holderMode(`cache-sentinel-${i}`));
                expect(c.healthcheck?.tests?.[1], where).toContain("-p 26379 ping");
                expect(c.labels, where).toContainEqual({ label: "hardened-redis.config-sha256", value: WIRING.configSha256 });
            }
        }
    });

    it("refuses to plan a Sentinel container without Sentinel", () => {
        const p = planDockerRedis("cache", { replicas: 2 });
        expect(() => planSentinelContainer(p, 0, { ...WIRING, sentinelVolume: "v", networkMode: "container:x" })).toThrow(
            /no Sentinel planned/,
        );
    });
});

describe("the health checks", () => {
    it("never carry a password, speak TLS with TLS and present a certificate only with mutual TLS", () => {
        for (const { what, want, planned } of topologies()) {
            const checked: Array<[Plain, number]> = [
                ...planned.servers.map((c): [Plain, number] => [c, want.port]),
                ...planned.sentinels.map((c): [Plain, number] => [c, 26379]),
            ];
            for (const [c, port] of checked) {
                const [kind, command] = c.healthcheck?.tests ?? [];
                expect(kind, what).toBe("CMD-SHELL");
                expect(command, what).not.toMatch(/--askpass|--user|--pass|(^|\s)-a\s/);
                const tls = want.tls ? ` --tls --cacert ${CONFIG_DIR}/ca.crt` : "";
                const cert = want.mutual ? ` --cert ${CONFIG_DIR}/tls.crt --key ${CONFIG_DIR}/tls.key` : "";
                expect(command, what).toContain(`redis-cli${tls}${cert} -p ${port} ping`);
                // NOAUTH proves the server is up without the password.
                expect(command, what).toContain("'^(PONG|NOAUTH)'");
            }
        }
    });
});

describe("the exporters", () => {
    it("run the exporter as the metrics user with a password file, TLS flags only with TLS, a client certificate only with mutual TLS", () => {
        for (const { what, p, want, planned } of topologies()) {
            expect(exporterPresentsCertificate(p), what).toBe(want.mutual);
            if (want.metricsPort === undefined) {
                expect(planned.exporters, what).toEqual([]);
                expect(() => planExporter(p, 0, EXPORTER_WIRING), what).toThrow(/no metrics planned/);
                continue;
            }
            const scheme = want.tls ? "rediss" : "redis";
            expect(exporterAddresses(p), what).toEqual(p.servers.map((host) => `${scheme}://${host}:${want.port}`));
            for (const [i, c] of planned.exporters.entries()) {
                const where = `exporter ${i} of ${what}`;
                expect(c.image, where).toBe(EXPORTER_WIRING.image);
                expect(c.entrypoints, where).toEqual(["/redis_exporter"]);
                expect(c.command, where).toEqual([
                    `-redis.addr=${scheme}://${p.servers[i]}:${want.port}`,
                    "-redis.user=metrics",
                    `-redis.password-file=${SECRETS_DIR}/passwords.json`,
                    "-config-command=-",
                    `-web.listen-address=:${want.metricsPort}`,
                    ...(want.tls ? [`-tls-ca-cert-file=${SECRETS_DIR}/ca.crt`] : []),
                    ...(want.mutual ? [`-tls-client-cert-file=${SECRETS_DIR}/tls.crt`, `-tls-client-key-file=${SECRETS_DIR}/tls.key`] : []),
                ]);
                // Their own volume, read-only: never the config volume with the servers' ACL and key.
                expect(c.volumes, where).toEqual([
                    { volumeName: EXPORTER_WIRING.secretsVolume, containerPath: SECRETS_DIR, readOnly: true },
                ]);
                expect(c.labels, where).toContainEqual({ label: "hardened-redis.metrics-sha256", value: EXPORTER_WIRING.filesSha256 });
            }
        }
    });

    it("lists each server's endpoint, <alias>-metrics on the metrics port, in server order; none without metrics", () => {
        for (const { what, p, want } of topologies()) {
            const endpoints = p.servers.map((host) => `http://${host}-metrics:${want.metricsPort}/metrics`);
            expect(metricsEndpoints(p), what).toEqual(want.metricsPort === undefined ? [] : endpoints);
        }
        expect(metricsEndpoints(planDockerRedis("cache", { replicas: 3, metrics: { enabled: true } }))).toEqual([
            "http://cache-0-metrics:9121/metrics",
            "http://cache-1-metrics:9121/metrics",
            "http://cache-2-metrics:9121/metrics",
        ]);
    });
});

describe("the writers", () => {
    it("are never started and have no network, writing only to their own volume", () => {
        for (const { what, want, planned } of topologies()) {
            expect(planned.writers.length, what).toBe(want.metricsPort === undefined ? 1 : 2);
            for (const w of planned.writers) {
                expect(w.start, what).toBe(false);
                expect(w.mustRun, what).toBe(false);
                expect(w.networkMode, what).toBe("none");
                expect(w.volumes?.length, what).toBe(1);
                expect(w.networksAdvanced, what).toBeUndefined();
            }
            expect(planned.writers[0].volumes, what).toEqual([{ volumeName: WIRING.configVolume, containerPath: CONFIG_DIR }]);
            if (want.metricsPort !== undefined) {
                expect(planned.writers[1].volumes, what).toEqual([
                    { volumeName: EXPORTER_WIRING.secretsVolume, containerPath: SECRETS_DIR },
                ]);
            }
        }
    });
});

describe("planDockerRedis", () => {
    it("plans TLS with generated certificates unless all three PEMs are given, and metrics over TLS on your own PEMs", () => {
        expect(planDockerRedis("cache", {}).tls).toBeUndefined();
        expect(planDockerRedis("cache", { tls: MUTUAL }).tls).toMatchObject({ authClients: "yes", generated: true });
        const own = planDockerRedis("cache", { tls: { enabled: true, ...PEMS }, metrics: { enabled: true } });
        expect(own.tls).toMatchObject({ authClients: "optional", generated: false });
        expect(exporterPresentsCertificate(own)).toBe(false);
        expect(planDockerRedis("cache", { networkName: "shared", alias: "store" }).servers).toEqual(["store"]);
    });

    // [what, args, the setting named, the message, the component's name if not "cache"]
    const refused: Array<[string, DockerRedisArgs, string, RegExp, string?]> = [
        ["an alias that is not a DNS label", { alias: "Bad_Alias" }, "alias", /got "Bad_Alias"; allowed: a DNS label/],
        ["a name that is not a DNS label, without alias", {}, "alias", /"My_Cache" is used by default\); allowed: a DNS label/, "My_Cache"],
        [
            "networkName without alias",
            { networkName: "shared" },
            "alias",
            /a DNS label unique on the shared network \(required with networkName\)/,
        ],
        [
            "a certificate alone",
            { tls: { enabled: true, certificate: "cert" } },
            "tls.caCertificate",
            /got nothing; allowed: a PEM, given together/,
        ],
        [
            "a CA and certificate without the key",
            { tls: { enabled: true, caCertificate: "ca", certificate: "cert" } },
            "tls.privateKey",
            /a PEM, given together/,
        ],
        ["a PEM without tls.enabled", { tls: { caCertificate: "ca" } }, "tls.caCertificate", /nothing unless tls.enabled is true/],
        [
            "metrics with mutual TLS on your own PEMs",
            { tls: { ...MUTUAL, ...PEMS }, metrics: { enabled: true } },
            "metrics.enabled",
            /got true; allowed: false with tls.requireClientCertificates on certificates of your own/,
        ],
        ["sentinel with 1 replica", { sentinel: { enabled: true } }, "replicas", /got 1; allowed: 2 or more with sentinel.enabled/],
        ["the metrics port on the Redis port", { metrics: { enabled: true, port: 6379 } }, "metrics.port", /other than the Redis port/],
        [
            "a scrape network without metrics",
            { metrics: { scrapeNetworkName: "prom" } },
            "metrics.scrapeNetworkName",
            /unless metrics.enabled/,
        ],
    ];
    it.each(refused)("refuses %s", (_what, args, setting, message, name = "cache") => {
        let error: unknown;
        try {
            planDockerRedis(name, args);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(RedisConfigError);
        expect((error as RedisConfigError).setting).toBe(setting);
        expect((error as Error).message).toMatch(message);
    });
});
