import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { sentinelCommand } from "../../../redis/sentinel/sentinelConfig";
import { serverStartFiles } from "../../../policies/shared/serverStart";
import {
    allRegistered,
    installMocks,
    plainStrings,
    resourcesOf,
    unwrapSecrets,
    valueOf,
    type RegisteredResource,
} from "../../../harness/mocks/pulumiMocks";

let api: typeof import("../../../index");
beforeAll(async () => {
    await installMocks();
    api = await import("../../../index");
});

const CONTAINER = "docker:index/container:Container";
type Inputs = Record<string, unknown>;

interface Deployed {
    redis: InstanceType<typeof api.DockerRedis>;
    resources: RegisteredResource[];
    container(name: string): Inputs;
    files: Map<string, string>;
}

async function deploy(name: string, args: import("../../../index").DockerRedisArgs): Promise<Deployed> {
    const redis = new api.DockerRedis(name, args);
    await Promise.all([valueOf(redis.connectionString), valueOf(redis.containerName), valueOf(redis.sentinelAddresses)]);
    // Sentinels register once the servers they depend on have.
    await allRegistered();
    const resources = resourcesOf(name);
    const container = (resource: string) => {
        const found = resources.find((r) => r.type === CONTAINER && r.name === resource);
        if (!found) throw new Error(`no container ${resource}`);
        return found.inputs;
    };
    const uploads = unwrapSecrets(container(`${name}-config`).uploads) as Array<{ file: string; content: string }>;
    return { redis, resources, container, files: new Map(uploads.map((u) => [u.file.split("/").pop() ?? "", u.content])) };
}

describe("DockerRedis with replicas and Sentinel", () => {
    let d: Deployed;
    beforeAll(async () => {
        d = await deploy("ha", { replicas: 3, sentinel: { enabled: true } });
    });

    it("declares three servers and three Sentinels, each joining a network holder that carries its alias", () => {
        const containers = d.resources.filter((r) => r.type === CONTAINER).map((r) => r.name);
        expect(containers.sort()).toEqual(
            [
                "ha",
                "ha-1",
                "ha-2",
                "ha-config",
                "ha-network",
                "ha-1-network",
                "ha-2-network",
                "ha-sentinel-0",
                "ha-sentinel-1",
                "ha-sentinel-2",
                "ha-sentinel-0-network",
                "ha-sentinel-1-network",
                "ha-sentinel-2-network",
            ].sort(),
        );
        const aliases = ["ha-0", "ha-1", "ha-2", "ha-sentinel-0", "ha-sentinel-1", "ha-sentinel-2"];
        const holders = [
            "ha-network",
            "ha-1-network",
            "ha-2-network",
            "ha-sentinel-0-network",
            "ha-sentinel-1-network",
            "ha-sentinel-2-network",
        ];
        holders.forEach((holder, i) => {
            const inputs = d.container(holder);
            expect(inputs.networksAdvanced).toEqual([{ name: expect.any(String), aliases: [aliases[i]] }]);
            expect(inputs).toMatchObject({
                readOnly: true,
                user: "999:1000",
                capabilities: { drops: ["ALL"] },
                command: ["sleep", "2147483647"],
            });
            expect(inputs.ports).toBeUndefined();
        });
        for (const service of ["ha", "ha-1", "ha-2", "ha-sentinel-0", "ha-sentinel-1", "ha-sentinel-2"]) {
            const inputs = d.container(service);
            expect(inputs.networksAdvanced).toBeUndefined();
            expect(inputs.networkMode).toMatch(/^container:ha(-[a-z0-9-]+)?-network-[0-9a-f]{8}$/);
            expect(inputs).toMatchObject({
                readOnly: true,
                user: "999:1000",
                capabilities: { drops: ["ALL"] },
                securityOpts: ["no-new-privileges:true"],
            });
            expect(inputs.ports).toBeUndefined();
        }
    });

    it("starts each server in the role the Sentinels name (server 0 the primary of a first boot), each announcing its alias", () => {
        for (const [resource, alias] of [
            ["ha", "ha-0"],
            ["ha-2", "ha-2"],
        ]) {
            const [sh, c, script] = d.container(resource).command as string[];
            expect([sh, c]).toEqual(["sh", "-c"]);
            expect(serverStartFiles(script)).toEqual({ config: "/data/redis.conf", rendered: "/usr/local/etc/redis/redis.conf" });
            // Redis as the script's child: a stop reaches the script first, which hands over.
            expect(script).toContain(`redis-server /data/redis.conf --replica-announce-ip "${alias}" &`);
            expect(script).toContain('primary="ha-0 6379"');
        }
        // A primary cut off from its replicas stops taking writes.
        expect(d.files.get("redis.conf")).toMatch(/^min-replicas-to-write 1$/m);
        expect(d.files.get("redis.conf")).toMatch(/^min-replicas-max-lag 10$/m);
        expect(d.files.get("redis.conf")).toMatch(/^user sentinel reset on #[0-9a-f]{64} &__sentinel__:hello \+ping \+info \+role /m);
    });

    it("renders one sentinel.conf per Sentinel: hostnames, auth both ways, the renamed CONFIG, a majority quorum", () => {
        const conf = d.files.get("sentinel-1.conf") ?? "";
        expect(conf).toMatch(/^sentinel monitor ha ha-0 6379 2$/m);
        expect(conf).toMatch(/^sentinel announce-ip ha-sentinel-1$/m);
        expect(conf).toMatch(/^sentinel resolve-hostnames yes$/m);
        expect(conf).toMatch(/^sentinel announce-hostnames yes$/m);
        expect(conf).toMatch(/^sentinel auth-user ha sentinel$/m);
        expect(conf).toMatch(/^sentinel down-after-milliseconds ha 5000$/m);
        expect(conf).toMatch(/^sentinel failover-timeout ha 60000$/m);
        expect(conf).toMatch(/^sentinel rename-command ha CONFIG \w{16,}$/m);
        expect(conf).toMatch(/^user default reset off$/m);
        expect(conf).toMatch(/^user app reset on #[0-9a-f]{64} -@all .*\+sentinel\|get-master-addr-by-name/m);
        // On its volume's copy, rebuilt from the rendered file at each start, keeping what it learnt (tested on real Sentinels).
        expect(d.container("ha-sentinel-1").command).toEqual(
            sentinelCommand("redis", { renderedFile: "/usr/local/etc/redis/sentinel-1.conf", dataDir: "/data", masterName: "ha" }),
        );
    });

    it("hands out a Sentinel connection string and the Sentinels' addresses, the credentials secret", async () => {
        const url = await valueOf(d.redis.connectionString);
        expect(url).toMatch(/^redis\+sentinel:\/\/app:[^@]+@ha-sentinel-0:26379,ha-sentinel-1:26379,ha-sentinel-2:26379\/ha\/0$/);
        expect(await pulumi.isSecret(d.redis.connectionString)).toBe(true);
        expect(await valueOf(d.redis.adminConnectionString)).toMatch(/^redis\+sentinel:\/\/admin:/);
        expect(await valueOf(d.redis.masterName)).toBe("ha");
        expect(await valueOf(d.redis.sentinelAddresses)).toEqual(["ha-sentinel-0:26379", "ha-sentinel-1:26379", "ha-sentinel-2:26379"]);
        expect(await valueOf(d.redis.host)).toBe("ha-0");
    });

    it("keeps the Sentinel password out of every non-secret input", () => {
        const conf = d.files.get("sentinel-0.conf") ?? "";
        const password = /^sentinel auth-pass ha (\S+)$/m.exec(conf)?.[1] ?? "";
        expect(password.length).toBeGreaterThanOrEqual(32);
        for (const r of d.resources)
            expect(
                plainStrings(r.inputs).some(({ text }) => text.includes(password)),
                r.name,
            ).toBe(false);
    });
});

describe("DockerRedis with read replicas and no Sentinel", () => {
    it("runs the replicas of server 0 and points the connection string at it", async () => {
        const d = await deploy("reads", { replicas: 2 });
        expect(d.resources.filter((r) => r.name.includes("sentinel"))).toEqual([]);
        expect(d.files.get("redis.conf")).not.toMatch(/min-replicas-to-write/);
        expect(new URL(await valueOf(d.redis.connectionString)).host).toBe("reads-0:6379");
        expect(await valueOf(d.redis.masterName)).toBeUndefined();
    });
});

describe("DockerRedis refuses a Sentinel topology that could not fail over safely", () => {
    const cases: Array<[string, import("../../../index").DockerRedisArgs, RegExp]> = [
        [
            "an even number of Sentinels",
            { replicas: 2, sentinel: { enabled: true, sentinels: 4 } },
            /"sentinel.sentinels": got 4; allowed: an odd integer from 3 to 7/,
        ],
        [
            "a quorum above the Sentinels",
            { replicas: 2, sentinel: { enabled: true, quorum: 4 } },
            /"sentinel.quorum": got 4; allowed: an integer from 2 \(a majority of 3 sentinels\) to 3/,
        ],
        [
            "a quorum below a majority",
            { replicas: 2, sentinel: { enabled: true, sentinels: 5, quorum: 2 } },
            /"sentinel.quorum": got 2; allowed: an integer from 3/,
        ],
        ["Sentinel without a replica", { sentinel: { enabled: true } }, /"replicas": got 1; allowed: 2 or more with sentinel.enabled/],
        [
            "a down-after below a second",
            { replicas: 2, sentinel: { enabled: true, downAfterMilliseconds: 50 } },
            /"sentinel.downAfterMilliseconds": got 50; allowed: an integer number of milliseconds from 1000 to 600000/,
        ],
        [
            "a failover timeout under twice the down-after",
            { replicas: 2, sentinel: { enabled: true, downAfterMilliseconds: 30_000, failoverTimeoutMilliseconds: 40_000 } },
            /"sentinel.failoverTimeoutMilliseconds": got 40000; allowed: at least twice sentinel.downAfterMilliseconds \(60000\)/,
        ],
        [
            "Sentinel settings without Sentinel",
            { replicas: 2, sentinel: { sentinels: 5 } },
            /"sentinel.sentinels": got a value; allowed: nothing unless sentinel.enabled is true/,
        ],
        ["too many replicas", { replicas: 17 }, /"replicas": got 17; allowed: an integer from 1 to 16/],
    ];
    for (const [label, args, error] of cases) {
        it(label, () => {
            expect(() => new api.DockerRedis(`bad-${label.length}`, args)).toThrow(error);
        });
    }
});

describe("DockerRedis with Sentinel and TLS", () => {
    it("offers the Sentinels' clients and peers exactly the TLS the servers do: one set of lines, ciphers included", async () => {
        const d = await deploy("secure-ha", { replicas: 2, sentinel: { enabled: true }, tls: { enabled: true } });
        const tls = (conf: string | undefined) => (conf ?? "").split("\n").filter((line) => /^(tls-(?!port)|port )/.test(line));
        expect(tls(d.files.get("redis.conf"))).toContain("tls-prefer-server-ciphers yes");
        expect(tls(d.files.get("redis.conf")).some((line) => line.startsWith("tls-ciphers ECDHE-"))).toBe(true);
        expect(tls(d.files.get("sentinel-0.conf"))).toEqual(tls(d.files.get("redis.conf")));
    });
});
