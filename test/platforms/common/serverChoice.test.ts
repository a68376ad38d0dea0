// The `server` setting: which images each server takes, and that every program a component starts
// (servers, Sentinels, probes, start scripts) is the chosen server's, on both platforms.
import { beforeAll, describe, expect, it } from "vitest";
import { chosenServer } from "../../../platforms/common/serverArgs";
import { RedisConfigError } from "../../../redis/redisConfigError";
import type { RedisAclUser } from "../../../redis/acl/users";
import { allRegistered, installMocks, resourcesOf, unwrapSecrets } from "../../../harness/mocks/pulumiMocks";

describe("chosenServer", () => {
    it.each([
        [{ server: "redis-7" }, "redis-7", "redis:7-alpine"],
        [{ server: "redis-8" }, "redis-8", "redis:8-alpine"],
        [{ server: "valkey-8" }, "valkey-8", "valkey/valkey:8-alpine"],
        [{ server: "redis-7", image: "registry.example.com:5000/mirror/redis:7.4.1-bookworm" }, "redis-7", undefined],
        [{ server: "redis-8", image: "bitnami/redis:8.0" }, "redis-8", undefined],
        [{ server: "valkey-8", image: "bitnami/valkey:8.1" }, "valkey-8", undefined],
        [{ server: "valkey-8", image: `valkey/valkey@sha256:${"a".repeat(64)}` }, "valkey-8", undefined],
        // A repository named for neither family (a private mirror) is taken at its tag's word.
        [{ server: "valkey-8", image: "cache-images/kv:8" }, "valkey-8", undefined],
    ])("takes %j", (settings, server, image) => {
        const chosen = chosenServer(settings);
        expect(chosen.server.name).toBe(server);
        expect(chosen.image).toBe(image ?? settings.image);
    });

    it.each([
        [
            "a Valkey image for Redis",
            { server: "redis-8", image: "valkey/valkey:8-alpine" },
            /an image named valkey needs server "valkey-8"/,
        ],
        [
            "a Redis image for Valkey",
            { server: "valkey-8", image: "redis:8-alpine" },
            /an image named redis needs server "redis-7" or "redis-8"/,
        ],
        [
            "a Redis 8 tag for Redis 7",
            { server: "redis-7", image: "redis:8.0.2" },
            /a Redis 7 image reference for server "redis-7": a tag starting with "7"/,
        ],
        ["a Redis 7 tag for Redis 8", { server: "redis-8", image: "redis:7-alpine" }, /a Redis 8 image reference for server "redis-8"/],
        ["a tag that only starts with the digit", { server: "redis-7", image: "redis:70" }, /a tag starting with "7"/],
        ["latest", { server: "valkey-8", image: "valkey/valkey:latest" }, /a Valkey 8 image reference/],
        [
            "no tag and no digest",
            { server: "valkey-8", image: "valkey/valkey" },
            /and\/or an @sha256 digest, e\.g\. valkey\/valkey:8-alpine/,
        ],
        ["a malformed reference", { server: "redis-7", image: "Redis:7" }, /a Redis 7 image reference/],
    ])("refuses %s, naming the setting, what it got and what is allowed", (_what, settings, allowed) => {
        const attempt = () => chosenServer(settings);
        expect(attempt).toThrow(RedisConfigError);
        expect(attempt).toThrow(`Invalid Redis setting "image": got ${JSON.stringify(settings.image)}; allowed: `);
        expect(attempt).toThrow(allowed);
    });
});

describe("names only the chosen server knows", () => {
    let api: typeof import("../../../index");
    beforeAll(async () => {
        await installMocks();
        api = await import("../../../index");
    });

    let accepted = 0;
    const READER = { name: "reader", allowCategories: ["all"], denyCategories: ["write", "dangerous"], keyPatterns: ["*"] };

    // Each name exists on some servers only (from their command tables, generated from the binaries).
    it.each([
        [
            "redis-7",
            { extraUsers: [{ name: "ttl", allowCommands: ["hgetdel"] }] },
            "extraUsers.0.allowCommands.0",
            "command names Redis 7 knows",
        ],
        [
            "valkey-8",
            { extraUsers: [{ name: "ttl", denyCommands: ["get", "hexpire"] }] },
            "extraUsers.0.denyCommands.1",
            "command names Valkey 8 knows",
        ],
        [
            "redis-8",
            { extraUsers: [{ name: "log", allowCommands: ["commandlog|get"] }] },
            "extraUsers.0.allowCommands.0",
            "command names Redis 8 knows",
        ],
        // A "read-only" user by subtraction: Redis 8's vector sets are in no category, so -@write leaves VADD granted.
        [
            "redis-8",
            { extraUsers: [READER] },
            "extraUsers.0.denyCategories.0",
            "on Redis 8 some commands are in no ACL category (vadd, vcard, vdim, vemb, vgetattr, vinfo, vismember, vlinks, vrandmember, vrem, vsetattr, vsim in the release tested",
        ],
        // Naming today's vector-set commands is not enough: a later 8.x may add more that no rule can name yet.
        [
            "redis-8",
            { extraUsers: [{ ...READER, denyCommands: ["vadd", "vrem", "vsetattr"] }] },
            "extraUsers.0.denyCategories.0",
            "list the categories the user needs in allowCategories instead",
        ],
        ["redis-7", { disabledCommands: ["FLUSHALL", "WAITAOF"] }, "disabledCommands.1", "distinct command names Redis 7 knows"],
        ["redis-8", { disabledCommands: ["COMMANDLOG"] }, "disabledCommands.0", "distinct command names Redis 8 knows"],
    ])("on %s, refuses %j at construction on both platforms", (server, args, setting, allowed) => {
        for (const make of [
            () => new api.DockerRedis("names", { server, ...args }),
            () => new api.KubernetesRedis("names", { server, ...args }),
        ]) {
            expect(make).toThrow(api.RedisConfigError);
            expect(make).toThrow(`Invalid Redis setting "${setting}"`);
            expect(make).toThrow(allowed);
        }
    });

    it.each([
        ["redis-8", { extraUsers: [{ name: "ttl", allowCommands: ["hgetdel", "hexpire"] }], disabledCommands: ["WAITAOF"] }],
        ["valkey-8", { extraUsers: [{ name: "log", allowCommands: ["commandlog|get"] }], disabledCommands: ["COMMANDLOG"] }],
        // Subtraction from all is exact where every command has a category, and on Redis 8 once the rest are named.
        ["redis-7", { extraUsers: [READER] }],
        ["valkey-8", { extraUsers: [READER] }],
        ["redis-8", { extraUsers: [{ ...READER, allowCategories: ["read", "connection"], denyCategories: ["dangerous"] }] }],
        // -@all clears every command, categorised or not: what follows is exact.
        ["redis-8", { extraUsers: [{ ...READER, denyCategories: ["all"], allowCommands: ["get", "vsim"] }] }],
    ])("on %s, takes its own names (%#)", (server, args) => {
        expect(() => new api.DockerRedis(`own${server.replace("-", "")}${accepted++}`, { server, ...args })).not.toThrow();
    });

    /** The files rendered for `server` with the components' users, changed by `users`. */
    const renderFor = (server: string, users: (hardened: RedisAclUser[]) => RedisAclUser[]) =>
        api.renderRedisConfig({
            server,
            users: users(
                api.hardenedUsers({ app: ["Correct-Horse-Battery-Staple-42"], admin: ["Admin-Horse-Battery-Staple-42"], replication: [] }),
            ),
            configCommandName: "cfg_0123456789abcdef",
        });

    it("refuses them in the renderer too, for the server the files are for", () => {
        const render = (server: string) =>
            renderFor(server, (users) => [
                ...users,
                { name: "ttl", passwords: ["Ttl-Horse-Battery-Staple-42"], allowCommands: ["hgetdel"] },
            ]);
        expect(() => render("redis-7")).toThrow(
            /"users.2.allowCommands.0": got a value that is not shown \(secret\); allowed: command names Redis 7 knows/,
        );
        expect(render("redis-8")["redis.conf"]).toMatch(/^user ttl .*\+hgetdel/m);
    });

    it("lets only the app's own rules subtract from all on Redis 8, whatever the user is called", () => {
        const render = (app: Partial<RedisAclUser>) =>
            renderFor("redis-8", (users) => users.map((u) => (u.name === "app" ? { ...u, ...app } : u)));
        expect(render({})["redis.conf"]).toMatch(/^user app .*\+@all -@dangerous/m);
        expect(() => render({ denyCategories: ["write", "dangerous"] })).toThrow(/"users.0.denyCategories.0".*no categories taken away/);
    });
});

describe("the programs each component starts", () => {
    beforeAll(async () => {
        await installMocks();
        const { DockerRedis, KubernetesRedis } = await import("../../../index");
        const ha = { replicas: 3, sentinel: { enabled: true }, tls: { enabled: true } };
        for (const server of ["redis-7", "redis-8", "valkey-8"]) {
            const suffix = server.replace("-", "");
            new DockerRedis(`d${suffix}`, { server, ...ha, metrics: { enabled: true } });
            new DockerRedis(`s${suffix}`, { server });
            new KubernetesRedis(`k${suffix}`, { server, ...ha, metrics: { enabled: true, scrapePodLabels: { app: "prometheus" } } });
            new KubernetesRedis(`r${suffix}`, { server, replicas: 2 });
        }
        await allRegistered();
    });

    /** Every word of every command, healthcheck and probe the component declares. */
    function words(name: string): string[] {
        const json = JSON.stringify(resourcesOf(name).map((r) => unwrapSecrets(r.inputs)));
        return json.match(/[a-z]+-(server|cli|sentinel)\b/g) ?? [];
    }

    it.each([
        ["redis-7", "redis", "redis:7-alpine"],
        ["redis-8", "redis", "redis:8-alpine"],
        ["valkey-8", "valkey", "valkey/valkey:8-alpine"],
    ])(
        "%s: only its family's server and client, and its image, on Docker and Kubernetes, standalone, replicated and with Sentinel",
        (server, family, image) => {
            const suffix = server.replace("-", "");
            for (const name of [`d${suffix}`, `s${suffix}`, `k${suffix}`, `r${suffix}`]) {
                const programs = new Set(words(name).filter((w) => /^(redis|valkey)-(server|cli)$/.test(w)));
                expect([...programs].sort(), name).toEqual(
                    name.startsWith("s") ? [`${family}-cli`, `${family}-server`] : [`${family}-cli`, `${family}-server`],
                );
                const images = JSON.stringify(resourcesOf(name).map((r) => unwrapSecrets(r.inputs)));
                expect(images, name).toContain(`"${image}"`);
            }
        },
    );
});
