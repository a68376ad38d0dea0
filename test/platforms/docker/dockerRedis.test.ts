import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import {
    deploymentErrors,
    existingNetworks,
    installMocks,
    isSecretValue,
    plainStrings,
    registeredUrns,
    registrationOptions,
    resourcesOf,
    single,
    unwrapSecrets,
    valueOf,
    type RegisteredResource,
} from "../../../harness/mocks/pulumiMocks";

// Mocks first: the component module must load against the mocked runtime.
let api: typeof import("../../../index");
beforeAll(async () => {
    await installMocks();
    api = await import("../../../index");
});

const CONTAINER = "docker:index/container:Container";

interface Deployed {
    redis: InstanceType<typeof api.DockerRedis>;
    resources: RegisteredResource[];
    container: Record<string, unknown>;
    /** The never-started container that receives the config upload into the config volume. */
    writer: Record<string, unknown>;
    /** The app user's current password. */
    password: string;
    adminPassword: string;
    configCommandName: string;
    redisConf: string;
}

/** Constructs a DockerRedis, waits until every child is registered and returns what was declared. */
async function deploy(name: string, args?: import("../../../index").DockerRedisArgs): Promise<Deployed> {
    const redis = new api.DockerRedis(name, args);
    const [password, configCommandName, adminConnectionString] = await Promise.all([
        valueOf(redis.password),
        valueOf(redis.configCommandName),
        valueOf(redis.adminConnectionString),
        valueOf(redis.containerName),
        valueOf(redis.volumeName),
        valueOf(redis.networkName),
    ]);
    const resources = resourcesOf(name);
    const container = single(
        resources.filter((r) => r.name === name),
        CONTAINER,
    ).inputs;
    const writer = single(
        resources.filter((r) => r.name === `${name}-config`),
        CONTAINER,
    ).inputs;
    const uploads = unwrapSecrets(writer.uploads) as Array<{ file: string; content: string }>;
    const redisConf = uploads.find((u) => u.file.endsWith("/redis.conf"))?.content ?? "";
    const adminPassword = decodeURIComponent(new URL(adminConnectionString).password);
    return { redis, resources, container, writer, password, adminPassword, configCommandName, redisConf };
}

describe("DockerRedis with no arguments", () => {
    let d: Deployed;
    beforeAll(async () => {
        d = await deploy("cache");
    });

    it("declares exactly the hardened set of resources, all children of the component", () => {
        expect(d.resources.map((r) => r.type).sort()).toEqual(
            [
                "docker:index/container:Container",
                "docker:index/container:Container",
                "docker:index/network:Network",
                "docker:index/remoteImage:RemoteImage",
                "docker:index/volume:Volume",
                "docker:index/volume:Volume",
                "random:index/randomPassword:RandomPassword",
                "random:index/randomPassword:RandomPassword",
                "hardened-redis:index:DockerRedis",
                "random:index/randomString:RandomString",
            ].sort(),
        );
        const children = registeredUrns().filter((urn) => /::cache(-[a-z0-9-]+)?$/.test(urn) && !urn.endsWith("DockerRedis::cache"));
        expect(children).toHaveLength(9);
        for (const urn of children) expect(urn).toContain("hardened-redis:index:DockerRedis$");
    });

    it("creates an internal network and attaches the container to it alone, with a stable alias", () => {
        const network = single(d.resources, "docker:index/network:Network");
        expect(network.inputs.internal).toBe(true);
        expect(d.container.networksAdvanced).toEqual([{ name: expect.any(String), aliases: ["cache"] }]);
        expect(d.container.networkMode).toBeUndefined();
    });

    it("publishes no port", () => {
        expect(d.container.ports).toBeUndefined();
        expect(d.container.publishAllPorts).toBeUndefined();
    });

    it("runs as 999:1000 with no capabilities, no-new-privileges and a read-only root", () => {
        expect(d.container.user).toBe("999:1000");
        expect(d.container.capabilities).toEqual({ drops: ["ALL"] });
        expect(d.container.securityOpts).toEqual(["no-new-privileges:true"]);
        expect(d.container.readOnly).toBe(true);
        expect(d.container.privileged).toBeUndefined();
        expect(d.container.tmpfs).toEqual({ "/tmp": expect.stringContaining("noexec") });
    });

    it("bounds CPU priority as a 100m request would, and raises the open-file limit to what maxclients needs (CIS 5.12, 5.19)", () => {
        // 1024 shares per core; Docker's default of 1024 is what CIS 5.12 flags.
        expect(d.container.cpuShares).toBe(102);
        expect(d.container.cpus).toBeUndefined();
        expect(d.container.ulimits).toEqual([{ name: "nofile", soft: 10_032, hard: 10_032 }]);
    });

    it("mounts the data volume at /data and the config volume at the config dir, no host paths", () => {
        const volumes = d.container.volumes as Array<Record<string, unknown>>;
        const volumeNames = d.resources.filter((r) => r.type === "docker:index/volume:Volume").map((r) => r.name);
        expect(volumes).toHaveLength(2);
        expect(volumes.map((v) => v.containerPath).sort()).toEqual(["/data", "/usr/local/etc/redis"]);
        expect(volumes.find((v) => v.containerPath === "/usr/local/etc/redis")?.readOnly).toBe(true);
        expect(volumes.find((v) => v.containerPath === "/data")?.readOnly).toBeUndefined();
        expect(volumes.every((v) => v.hostPath === undefined && typeof v.volumeName === "string")).toBe(true);
        expect(volumeNames.sort()).toEqual(["cache-config", "cache-data"]);
    });

    it("limits memory to 256 MiB without swap and derives maxmemory as 75% of it", () => {
        expect(d.container.memory).toBe(256);
        expect(d.container.memorySwap).toBe(256);
        expect(d.redisConf).toMatch(/^maxmemory 201326592$/m);
        expect(d.redisConf).toMatch(/^maxmemory-policy allkeys-lfu$/m);
        expect(d.redisConf).toMatch(/^appendonly yes$/m);
        expect(d.redisConf).toMatch(/^appendfsync everysec$/m);
    });

    it("starts redis-server on the uploaded config, pulled from redis:7-alpine", () => {
        expect(d.container.command).toEqual(["redis-server", "/usr/local/etc/redis/redis.conf"]);
        const image = single(d.resources, "docker:index/remoteImage:RemoteImage");
        expect(image.inputs.name).toBe("redis:7-alpine");
        expect(d.container.image).toMatch(/^sha256:/);
        // Docker refuses uploads into a read-only root filesystem: a never-started container
        // receives the config into the shared config volume instead.
        expect(d.container.uploads).toBeUndefined();
        expect(isSecretValue(d.writer.uploads)).toBe(true);
        const uploads = unwrapSecrets(d.writer.uploads) as unknown[];
        expect(uploads).toEqual([{ file: "/usr/local/etc/redis/redis.conf", content: d.redisConf, permissions: "0444" }]);
        expect(d.writer).toMatchObject({ start: false, networkMode: "none", image: d.container.image });
        expect(d.writer.volumes).toEqual([{ volumeName: expect.any(String), containerPath: "/usr/local/etc/redis" }]);
        // Redis starts only after the config is in place, and a new config replaces it.
        const writerUrn = registeredUrns().find((u) => u.endsWith("docker:index/container:Container::cache-config"));
        expect(registrationOptions.get("docker:index/container:Container::cache")?.dependencies).toContain(writerUrn);
        // The hash covers every uploaded file, by name.
        const hash = createHash("sha256")
            .update(JSON.stringify([["redis.conf", d.redisConf]]))
            .digest("hex");
        expect(d.container.labels).toContainEqual({ label: "hardened-redis.config-sha256", value: hash });
    });

    it("checks health without the password, restarts, rotates logs and waits for healthy", () => {
        const healthcheck = d.container.healthcheck as { tests: string[] };
        expect(healthcheck.tests[0]).toBe("CMD-SHELL");
        expect(healthcheck.tests[1]).toMatch(/redis-cli -p 6379 ping .*PONG\|NOAUTH/);
        expect(healthcheck.tests.join(" ")).not.toMatch(/\s-a\s|--pass|--user|\bAUTH\b|REDISCLI_AUTH/);
        expect(d.container.restart).toBe("unless-stopped");
        expect(d.container.logDriver).toBe("json-file");
        expect(d.container.logOpts).toEqual({ "max-size": "10m", "max-file": "3" });
        expect(d.container.wait).toBe(true);
        expect(d.container.envs).toBeUndefined();
    });

    it("renders the config with least-privilege users and the generated credentials, never a plaintext password", () => {
        expect(d.redisConf).toMatch(/^user default reset off \+@all ~\* &\*$/m);
        expect(d.redisConf).toContain(
            `user app reset on #${api.hashRedisPassword(d.password)} ~* &[^_]* &_[^_]* &_ &__redis__:invalidate &__keyspace@*__:* &__keyevent@*__:* +@all -@dangerous +info -script|debug -function|load -function|delete -function|flush -function|restore`,
        );
        expect(d.redisConf).toContain(`user admin reset on #${api.hashRedisPassword(d.adminPassword)} ~* &* +@all`);
        // One server, no replicas: no replication user to attack.
        expect(d.redisConf).not.toMatch(/^user replication/m);
        expect(d.redisConf).toMatch(new RegExp(`^rename-command CONFIG ${d.configCommandName}$`, "m"));
        expect(d.redisConf).not.toContain(d.password);
        expect(d.redisConf).not.toContain(d.adminPassword);
        expect(d.redisConf).not.toMatch(/^requirepass/m);
    });

    it("keeps the passwords, their hashes and the CONFIG name out of every non-secret input", () => {
        const needles = [d.password, d.adminPassword, api.hashRedisPassword(d.password), d.configCommandName];
        const leaks = d.resources.flatMap((r) =>
            plainStrings(r.inputs)
                .filter(({ text }) => needles.some((needle) => text.includes(needle)))
                .map(({ path }) => `${r.type} ${r.name}: ${path}`),
        );
        expect(leaks).toEqual([]);
        // They do reach the config volume, inside the secret upload.
        expect(JSON.stringify(unwrapSecrets(d.writer.uploads))).toContain(d.configCommandName);
    });

    it("keeps every generated credential encrypted in state", () => {
        // RandomString's result is plaintext in state unless the registration says otherwise.
        expect(registrationOptions.get("random:index/randomString:RandomString::cache-config-command")?.additionalSecretOutputs).toContain(
            "result",
        );
        for (const user of ["app", "admin"]) {
            const options = registrationOptions.get(`random:index/randomPassword:RandomPassword::cache-${user}-password-0`);
            expect(options?.additionalSecretOutputs).toContain("result");
        }
    });

    it("keeps the data volume when the stack is destroyed, and never runs two servers on it", () => {
        expect(registrationOptions.get("docker:index/volume:Volume::cache-data")?.retainOnDelete).toBe(true);
        expect(registrationOptions.get("docker:index/volume:Volume::cache-config")?.retainOnDelete).toBe(false);
        expect(registrationOptions.get("docker:index/container:Container::cache")?.deleteBeforeReplace).toBe(true);
    });

    it("exports secret credentials and well-formed connection strings for the app and admin users", async () => {
        const secrets = [d.redis.password, d.redis.configCommandName, d.redis.connectionString, d.redis.adminConnectionString];
        for (const output of [...secrets, d.redis.extraConnectionStrings as pulumi.Output<unknown>]) {
            expect(await pulumi.isSecret(output)).toBe(true);
        }
        expect(await valueOf(d.redis.extraConnectionStrings)).toEqual({});
        const admin = new URL(await valueOf(d.redis.adminConnectionString));
        expect(admin.username).toBe("admin");
        expect(decodeURIComponent(admin.password)).toBe(d.adminPassword);
        expect(d.adminPassword).not.toBe(d.password);
        for (const output of [d.redis.host, d.redis.networkName, d.redis.volumeName, d.redis.containerName]) {
            expect(await pulumi.isSecret(output as pulumi.Output<unknown>)).toBe(false);
        }
        const url = new URL(await valueOf(d.redis.connectionString));
        expect(url.protocol).toBe("redis:");
        expect(url.username).toBe("app");
        expect(decodeURIComponent(url.password)).toBe(d.password);
        expect(url.password).not.toMatch(/[@:/?#%](?![0-9A-F]{2})/);
        expect(url.hostname).toBe(await valueOf(d.redis.host));
        expect(url.port).toBe("6379");
        expect(url.pathname).toBe("/0");
        expect(await valueOf(d.redis.port)).toBe(6379);
    });
});

describe("DockerRedis with arguments", () => {
    it("applies overrides to the container and the rendered config", async () => {
        const digest = `redis:7.2-alpine@sha256:${"a".repeat(64)}`;
        const d = await deploy("sessions", {
            image: digest,
            memoryLimitMb: 512,
            maxmemoryPolicy: "volatile-lru",
            appendonly: false,
            savePoints: [{ seconds: 900, changes: 1 }],
            disabledCommands: ["KEYS", "FLUSHALL"],
            port: 6380,
            alias: "sessions-redis",
            restartPolicy: "always",
            logMaxSize: "50m",
            logMaxFiles: 5,
            cpuRequest: "2",
            cpuLimit: "2500m",
        });
        expect(single(d.resources, "docker:index/remoteImage:RemoteImage").inputs.name).toBe(digest);
        expect(d.container.cpuShares).toBe(2048);
        expect(d.container.cpus).toBe("2.5");
        expect(d.container.memory).toBe(512);
        expect(d.redisConf).toMatch(/^maxmemory 402653184$/m);
        expect(d.redisConf).toMatch(/^maxmemory-policy volatile-lru$/m);
        expect(d.redisConf).not.toMatch(/^lfu-/m);
        expect(d.redisConf).toMatch(/^appendonly no$/m);
        expect(d.redisConf).toMatch(/^save 900 1$/m);
        expect(d.redisConf).toMatch(/^port 6380$/m);
        expect(d.redisConf.match(/^rename-command (\w+) ""$/gm)).toEqual(['rename-command KEYS ""', 'rename-command FLUSHALL ""']);
        expect(d.container.networksAdvanced).toEqual([{ name: expect.any(String), aliases: ["sessions-redis"] }]);
        expect((d.container.healthcheck as { tests: string[] }).tests[1]).toContain("-p 6380");
        expect(d.container.restart).toBe("always");
        expect(d.container.logOpts).toEqual({ "max-size": "50m", "max-file": "5" });
        expect(await valueOf(d.redis.connectionString)).toMatch(/@sessions-redis:6380\/0$/);
    });

    it("takes an explicit maxmemory below the limit", async () => {
        const d = await deploy("explicitmem", { memoryLimitMb: 256, maxmemory: "200mb" });
        expect(d.redisConf).toMatch(/^maxmemory 209715200$/m);
    });

    it("joins an existing internal network instead of creating one", async () => {
        existingNetworks.set("shared-internal", { internal: true });
        const d = await deploy("joined", { networkName: "shared-internal", alias: "joined-redis" });
        expect(d.resources.filter((r) => r.type === "docker:index/network:Network")).toEqual([]);
        expect(d.container.networksAdvanced).toEqual([{ name: "shared-internal", aliases: ["joined-redis"] }]);
        expect(await valueOf(d.redis.networkName)).toBe("shared-internal");
    });

    it("refuses an existing network that is not internal", async () => {
        existingNetworks.set("bridge-public", { internal: false });
        const redis = new api.DockerRedis("public", { networkName: "bridge-public", alias: "public-redis" });
        const refusal = /"networkName": got "bridge-public"; allowed: the name of an existing Docker network created with internal: true/;
        await expect(valueOf(redis.networkName)).rejects.toThrow(refusal);
        // The container consuming that network fails to register, which fails the deployment.
        await vi.waitFor(() => expect(deploymentErrors.map((e) => e.message)).toContainEqual(expect.stringMatching(refusal)));
    });

    it("passes credential keepers to every generator, so changing them regenerates everything at once", async () => {
        const d = await deploy("rekeyed", { credentialKeepers: { leak: "2026-11" } });
        const generators = d.resources.filter((r) => r.type.startsWith("random:"));
        expect(generators).toHaveLength(3);
        for (const g of generators)
            expect(g.inputs.keepers).toEqual(
                // The renamed CONFIG keeps its name across generations (one name, no overlap: see credentials.ts).
                g.type === "random:index/randomString:RandomString" ? { leak: "2026-11" } : { leak: "2026-11", generation: "0" },
            );
        for (const g of generators.filter((r) => r.type === "random:index/randomPassword:RandomPassword")) {
            expect(g.inputs).toMatchObject({ length: 32, special: true });
            expect(String(g.inputs.overrideSpecial)).not.toMatch(/["'\\\s]/);
        }
    });

    it("overlaps two generations of every password during a rotation, and drops the old one when told", async () => {
        const generationsOf = (d: Deployed) =>
            d.resources
                .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
                .map((r) => `${r.name}=${(r.inputs.keepers as Record<string, string>).generation}`)
                .sort();
        const rotating = await deploy("rotating", { credentialGeneration: 3 });
        expect(generationsOf(rotating)).toEqual([
            "rotating-admin-password-0=2",
            "rotating-admin-password-1=3",
            "rotating-app-password-0=2",
            "rotating-app-password-1=3",
        ]);
        // Both passwords open the app user; the outputs carry the new one (slot 1 holds generation 3).
        expect(rotating.redisConf).toMatch(/^user app reset on #[0-9a-f]{64} #[0-9a-f]{64} ~\*/m);
        expect(rotating.resources.find((r) => r.name === "rotating-app-password-1")?.state.result).toBe(rotating.password);
        const retired = await deploy("retired", { credentialGeneration: 3, retirePreviousCredentials: true });
        expect(generationsOf(retired)).toEqual(["retired-admin-password-1=3", "retired-app-password-1=3"]);
        expect(retired.redisConf).toMatch(/^user app reset on #[0-9a-f]{64} ~\*/m);
    });

    it("declares extra users with their own rules, passwords and secret connection strings", async () => {
        const d = await deploy("reporting", {
            extraUsers: [{ name: "reports", allowCategories: ["read"], allowCommands: ["ping"], keyPatterns: ["report:*"] }],
        });
        const urls = await valueOf(d.redis.extraConnectionStrings);
        expect(Object.keys(urls)).toEqual(["reports"]);
        const url = new URL(urls.reports);
        expect(url.username).toBe("reports");
        const password = decodeURIComponent(url.password);
        expect(d.redisConf).toContain(`user reports reset on #${api.hashRedisPassword(password)} ~report:* +@read +ping`);
        expect(d.redisConf).not.toContain(password);
    });

    it("gives an extra user the Sentinels' hello channel only when it says so, and renders nothing of the opt-in itself", async () => {
        const d = await deploy("watcher", {
            extraUsers: [{ name: "watcher", allowCommands: ["subscribe"], channelPatterns: ["*"], sentinelHelloChannel: true }],
        });
        expect(d.redisConf).toMatch(/^user watcher reset on #[0-9a-f]{64} &\* \+subscribe$/m);
    });
});

describe("DockerRedis rejects bad arguments at construction", () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        [
            "an unknown argument",
            { memoryLimit: 256 },
            /"memoryLimit": got an unknown setting; allowed: known settings: server, image, memoryLimitMb/,
        ],
        ["a memory limit below 32 MiB", { memoryLimitMb: 16 }, /"memoryLimitMb": got 16; allowed: an integer from 32 to 1048576/],
        [
            "maxmemory above 80% of the limit",
            { memoryLimitMb: 256, maxmemory: "210mb" },
            /"maxmemory": got "210mb"; allowed: more than 0 and at most 80% of memoryLimitMb \(214748364 bytes\)/,
        ],
        ["a Redis 6 image", { image: "redis:6-alpine" }, /"image": got "redis:6-alpine"; allowed: a Redis 7 image reference/],
        [
            "a shared network without an alias",
            { networkName: "shared-internal" },
            /"alias": got nothing \(the component name "bad-\w+" is used by default\); allowed: a DNS label unique on the shared network/,
        ],
        [
            "an extra user with an unknown category",
            { extraUsers: [{ name: "reports", allowCategories: ["reads"] }] },
            /"extraUsers.0.allowCategories.0": got "reads"; allowed: ACL categories a server knows, without "@": /,
        ],
        [
            "an extra user with an unknown command",
            { extraUsers: [{ name: "reports", allowCommands: ["get", "fetch"] }] },
            /"extraUsers.0.allowCommands.1": got "fetch"; allowed: command names a server knows/,
        ],
        [
            "an extra user rule with whitespace",
            { extraUsers: [{ name: "reports", keyPatterns: ["report:* nopass"] }] },
            /"extraUsers.0.keyPatterns.0": got "report:\* nopass"; allowed: glob patterns .* without whitespace/,
        ],
        [
            "an extra user whose channel patterns reach the Sentinels' hello channel",
            { extraUsers: [{ name: "reports", channelPatterns: ["reports:*", "?_sentinel*"] }] },
            /"extraUsers.0.channelPatterns": got \["reports:\*","\?_sentinel\*"\]; allowed: channel patterns that leave out __sentinel__:hello .*, or sentinelHelloChannel: true/,
        ],
        [
            "an extra user rule with a newline",
            { extraUsers: [{ name: "reports", channelPatterns: ["news\nuser x on nopass +@all"] }] },
            /"extraUsers.0.channelPatterns.0": .*allowed: glob patterns .* without whitespace/,
        ],
        [
            "nopass on an extra user",
            { extraUsers: [{ name: "reports", nopass: true }] },
            /"extraUsers.0.nopass": got an unknown setting; allowed: only the documented fields/,
        ],
        [
            "an extra user named default",
            { extraUsers: [{ name: "default" }] },
            /"extraUsers.0.name": got "default"; allowed: a user name .* not default, app, admin, replication, sentinel or metrics/,
        ],
        [
            "an extra user named like a built-in one",
            { extraUsers: [{ name: "admin", allowCategories: ["all"] }] },
            /"extraUsers.0.name": got "admin"; allowed: a user name/,
        ],
        [
            "two extra users with one name",
            { extraUsers: [{ name: "reports" }, { name: "reports" }] },
            /"extraUsers": got .*; allowed: users with distinct names/,
        ],
        [
            "a CPU limit below the request",
            { cpuRequest: "1", cpuLimit: "500m" },
            /"cpuLimit": got "500m"; allowed: a CPU quantity of at least cpuRequest \(1\)/,
        ],
        ["a CPU request in bytes", { cpuRequest: "1Gi" }, /"cpuRequest": got "1Gi"; allowed: a positive CPU quantity/],
        ["a negative credential generation", { credentialGeneration: -1 }, /"credentialGeneration": got -1; allowed: an integer from 0/],
        [
            "disabling PING, which the healthcheck needs",
            { disabledCommands: ["PING"] },
            /"disabledCommands.0": got "PING"; allowed: .*except AUTH, HELLO, PING/,
        ],
        [
            "an unparsable maxmemory",
            { maxmemory: "lots" },
            /"maxmemory": got "lots"; allowed: a whole number of bytes, or a size such as "256mb"/,
        ],
        ["maxmemory 0 with eviction", { maxmemory: "0" }, /"maxmemory": got 0|"maxmemory": got "0"/],
        [
            "an unknown eviction policy",
            { maxmemoryPolicy: "lru" },
            /"maxmemoryPolicy": got "lru"; allowed: noeviction, allkeys-lru, allkeys-lfu/,
        ],
        ["an unknown fsync mode", { appendfsync: "sometimes" }, /"appendfsync": got "sometimes"; allowed: always, everysec, no/],
        [
            "an untagged image",
            { image: "redis" },
            /"image": got "redis"; allowed: a Redis 7 image reference for server "redis-7": a tag starting with "7" and\/or an @sha256 digest, e.g. redis:7-alpine \(an image named valkey needs server "valkey-8"\)/,
        ],
        ["a latest image", { image: "redis:latest" }, /"image": got "redis:latest"/],
        ["a bad alias", { alias: "Bad_Alias" }, /"alias": got "Bad_Alias"; allowed: a DNS label/],
        [
            "an unknown command to disable",
            { disabledCommands: ["NOPE"] },
            /"disabledCommands.0": got "NOPE"; allowed: distinct command names a server knows/,
        ],
        ["a privileged port", { port: 80 }, /"port": got 80; allowed: an integer from 1024 to 65535/],
        ["a port out of range", { port: 70000 }, /"port": got 70000; allowed: an integer from 1 to 65535/],
        [
            "an unknown restart policy",
            { restartPolicy: "sometimes" },
            /"restartPolicy": got "sometimes"; allowed: no, on-failure, always, unless-stopped/,
        ],
        ["a bad save point", { savePoints: [{ seconds: 0, changes: 1 }] }, /"savePoints.0.seconds": got 0/],
    ];
    it("a component name that is not a DNS label, when no alias is given", () => {
        expect(() => new api.DockerRedis("My_Cache")).toThrow(
            /"alias": got nothing \(the component name "My_Cache" is used by default\); allowed: a DNS label/,
        );
    });

    it.each(cases)("%s", (_label, args, message) => {
        let error: unknown;
        try {
            new api.DockerRedis(`bad-${Math.random().toString(36).slice(2)}`, args);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(api.RedisConfigError);
        expect((error as Error).message).toMatch(message);
    });
});
