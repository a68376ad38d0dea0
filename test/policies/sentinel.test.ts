// How redis-guard tells what a container runs (a Redis server, a Sentinel, or no Redis at all,
// e.g. a network holder that only sleeps), follows the config a Sentinel starts from through the
// copy hardened-redis makes of it, and judges a Sentinel as a Sentinel: auth, ACL and TLS apply,
// data settings do not.
import type { StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { appendfsyncAlways } from "../../policies/operations/appendfsyncAlways";
import { cacheNoEviction } from "../../policies/operations/cacheNoEviction";
import { defaultUserFullAccess } from "../../policies/credentials/defaultUserFullAccess";
import { dockerContainerHardening } from "../../policies/container/dockerContainerHardening";
import { dockerInternalNetworkOnly } from "../../policies/exposure/dockerInternalNetworkOnly";
import { dockerNoPublishedPorts } from "../../policies/exposure/dockerNoPublishedPorts";
import { dangerousCommands, isSentinelUser } from "../../policies/engine/acl";
import { sentinelCommand } from "../../redis/sentinel/sentinelConfig";
import { copiedFiles, checkedWorkloads } from "../../policies/engine/workloads";
import { memoryLimit } from "../../policies/container/memoryLimit";
import { nonAdminUserDangerousCommands } from "../../policies/credentials/nonAdminUserDangerousCommands";
import { persistence } from "../../policies/operations/persistence";
import { requireAuthAndHardening } from "../../policies/credentials/requireAuthAndHardening";
import { policies } from "../../policies/rules";
import { tlsInTransit } from "../../policies/exposure/tlsInTransit";
import { analyzeStack, evaluate, UNKNOWN, urnOf, type TestResource } from "../../harness/policy/inProcess";
import {
    editConf,
    internalNetwork,
    plainRedisContainer,
    redisContainer,
    redisStatefulSet,
    SECRET,
    SENTINEL_COMMAND,
    sentinelConf,
    sentinelTopology,
    watchedConf,
} from "../../harness/policy/fixtures";

/** Reports each Redis workload the stack policies judge: its name, role, whether its config is known, and its arguments. */
const probe: StackValidationPolicy = {
    name: "probe",
    description: "Lists the Redis workloads redis-guard's stack policies judge.",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        for (const w of checkedWorkloads(args)) {
            report([w.resource.name, w.sentinel ? "sentinel" : "server", w.fileKnown ? "known" : "unknown", ...w.args].join(" "));
        }
    },
};

async function workloads(resources: TestResource[]): Promise<string[]> {
    const outcome = await analyzeStack(probe, resources);
    expect(outcome.skippedForUnknown).toBeUndefined();
    return outcome.violations;
}

/** A redis:7-alpine container with this command (and these other props). */
const running = (command: unknown, props: Record<string, unknown> = {}) => plainRedisContainer({ command, ...props });

describe("what a container runs", () => {
    const noRedis: Array<[string, TestResource[]]> = [
        ["sleep, as a network holder", [running(["sleep", "2147483647"])]],
        ["sleep by its path", [running(["/bin/sleep", "infinity"])]],
        ["tail -f /dev/null", [running(["tail", "-f", "/dev/null"])]],
        ["a one-shot redis-cli", [running(["redis-cli", "-h", "cache", "ping"])]],
        ["sleep as the entrypoint, its argument as the command", [running(["2147483647"], { entrypoints: ["sleep"] })]],
        [
            "sleep with hardened-redis's labels and port 6379",
            [redisContainer({ command: ["sleep", "2147483647"], ports: [{ internal: 6379 }] })],
        ],
        ["the holder of a Sentinel topology", sentinelTopology().filter((r) => r.name !== "cache-sentinel-0")],
        [
            "redis_exporter from its own image, with hardened-redis's labels",
            [
                redisContainer({
                    image: "oliver006/redis_exporter:v1.63.0",
                    entrypoints: ["/redis_exporter"],
                    command: ["-redis.addr=redis://cache:6379", "-redis.user=metrics"],
                }),
            ],
        ],
    ];
    it.each(noRedis)("finds no Redis in %s", async (_label, resources) => {
        expect(await workloads(resources)).toEqual([]);
    });

    const servers: Array<[string, TestResource[], string]> = [
        ["no command: the image's redis-server", [plainRedisContainer()], "plain-redis server known"],
        ["an empty command", [running([])], "plain-redis server known"],
        ["redis-server", [running(["redis-server", "--port", "6380"])], "plain-redis server known --port 6380"],
        ["redis-server after sleep in a script", [running(["sh", "-c", "sleep 5 && exec redis-server"])], "plain-redis server known"],
        [
            "a script that spells redis-server out of variables",
            [running(["sh", "-c", 'exec "$0-server"', "redis"])],
            "plain-redis server known",
        ],
        ["a script baked into the image", [running(["/usr/local/bin/start.sh"])], "plain-redis server known"],
        ["a program that starts others (env)", [running(["env", "sleep", "1"])], "plain-redis server known"],
        ["sleep and redis-server in one word", [running(["sleep 1; redis-server"])], "plain-redis server known"],
        [
            "a shell entrypoint running sleep then redis-server",
            [running(["sleep 1; redis-server"], { entrypoints: ["sh", "-c"] })],
            "plain-redis server known",
        ],
        ["the whole command unknown", [running(UNKNOWN)], "plain-redis server unknown"],
        ["sleep with an unknown argument", [running(["sleep", UNKNOWN])], "plain-redis server unknown"],
        ["sleep under an unknown entrypoint", [running(["sleep", "1"], { entrypoints: UNKNOWN })], "plain-redis server unknown"],
        // The official image's entrypoint runs `redis-server "$@"` for these.
        ["flags only (the image's entrypoint adds redis-server)", [running(["--port", "6380"])], "plain-redis server known --port 6380"],
        ["a config file only", [running(["/etc/redis/redis.conf"])], "plain-redis server unknown /etc/redis/redis.conf"],
        [
            "a script that may start a Sentinel or a server (judged as the server)",
            [running(["sh", "-c", "if [ -e /s ]; then exec redis-server /s.conf --sentinel; else exec redis-server --port 6380; fi"])],
            "plain-redis server known --port 6380",
        ],
        [
            "a --sentinel behind a shell comment",
            [running(["sh", "-c", "exec redis-server --port 6380 # --sentinel"])],
            "plain-redis server known --port 6380",
        ],
        ["a flag that only starts like --sentinel", [running(["redis-server", "--sentinel-x"])], "plain-redis server known --sentinel-x"],
        // No Redis image ships an exporter: one run from a Redis image is judged as what the image runs.
        [
            "a program named redis_exporter in a Redis image",
            [running(["--port", "6380"], { entrypoints: ["/usr/local/bin/redis_exporter"] })],
            "plain-redis server known",
        ],
    ];
    it.each(servers)("finds a Redis server in %s", async (_label, resources, expected) => {
        expect(await workloads(resources)).toEqual([expected]);
    });

    const sentinels: Array<[string, TestResource[], string]> = [
        ["redis-server --sentinel", [running(["redis-server", "/s.conf", "--sentinel"])], "plain-redis sentinel unknown /s.conf"],
        ["redis-sentinel", [running(["redis-sentinel", "/s.conf"])], "plain-redis sentinel unknown /s.conf"],
        ["redis-sentinel by its path", [running(["/usr/local/bin/redis-sentinel", "/s.conf"])], "plain-redis sentinel unknown /s.conf"],
        [
            "a config and --sentinel (the image's entrypoint adds redis-server)",
            [running(["/s.conf", "--sentinel"])],
            "plain-redis sentinel unknown /s.conf",
        ],
        ["hardened-redis's Sentinel, through its copy", sentinelTopology(), "cache-sentinel-0 sentinel known /data/sentinel.conf"],
    ];
    it.each(sentinels)("finds a Sentinel in %s", async (_label, resources, expected) => {
        expect(await workloads(resources)).toEqual([expected]);
    });

    it("finds the Redis container of a pod and not its sleeping sidecar", async () => {
        const statefulSet = redisStatefulSet({}, {});
        const spec = (statefulSet.props.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec;
        spec.containers.push({ name: "holder", image: "redis:7-alpine", command: ["sleep", "2147483647"] });
        expect(await workloads([statefulSet])).toEqual(["cache server unknown /usr/local/etc/redis/redis.conf"]);
        spec.containers[1].command = ["redis-server"];
        expect(await workloads([statefulSet])).toHaveLength(2);
    });

    it("keeps judging a sleeping redis-image container's exposure: its network namespace may be Redis's", async () => {
        const [, , holder] = sentinelTopology(undefined, {}, { ports: [{ internal: 26379, external: 26379 }] });
        expect((await evaluate(dockerNoPublishedPorts, [holder])).violations).toHaveLength(1);
        expect(
            (await evaluate(dockerContainerHardening, [{ ...holder, props: { ...holder.props, readOnly: false } }])).violations,
        ).toHaveLength(1);
    });
});

describe("the config a Sentinel starts from", () => {
    const A = "/usr/local/etc/redis/sentinel-0.conf";
    const B = "/data/sentinel.conf";
    const followed: Array<[string, string[]]> = [
        ["hardened-redis's start script (B rebuilt from A and what B learnt)", SENTINEL_COMMAND],
        [
            "umask, cat A > B, exec redis-server B --sentinel",
            ["sh", "-c", `umask 077 && cat ${A} > ${B} && exec redis-server ${B} --sentinel`],
        ],
        [
            "the start script announcing a pod's own name",
            sentinelCommand("redis", {
                renderedFile: A,
                dataDir: "/data",
                masterName: "cache",
                announceHost: "${HOSTNAME}.cache-sentinel.${POD_NAMESPACE}.svc",
            }),
        ],
        ["cp A B, then redis-sentinel B", ["sh", "-c", `cp ${A} ${B} && exec redis-sentinel ${B}`]],
        ["without exec, under /bin/sh", ["/bin/sh", "-c", `cat ${A} > ${B} && redis-server ${B} --sentinel`]],
        ["under bash", ["bash", "-c", `umask 0077 && cat ${A} > ${B} && exec redis-server ${B} --sentinel`]],
    ];
    it.each(followed)("follows %s", (_label, argv) => {
        expect([...copiedFiles(argv)]).toEqual([[B, A]]);
    });

    const notFollowed: Array<[string, string[]]> = [
        ["another step that edits the copy", ["sh", "-c", `cat ${A} > ${B} && sed -i s/off/on/ ${B} && exec redis-server ${B} --sentinel`]],
        ["an append to the copy", ["sh", "-c", `cat ${A} > ${B} && cat /tmp/more >> ${B} && exec redis-server ${B} --sentinel`]],
        ["a copy that may fail (;)", ["sh", "-c", `cat ${A} > ${B}; exec redis-server ${B} --sentinel`]],
        ["a copy in the background (&)", ["sh", "-c", `cat ${A} > ${B} & exec redis-server ${B} --sentinel`]],
        ["a source from a variable", ["sh", "-c", `cat $SRC > ${B} && exec redis-server ${B} --sentinel`]],
        ["a quoted word", ["sh", "-c", `cat "${A}" > ${B} && exec redis-server ${B} --sentinel`]],
        ["a relative path", ["sh", "-c", `cat sentinel-0.conf > ${B} && exec redis-server ${B} --sentinel`]],
        ["cp with options", ["sh", "-c", `cp -f ${A} ${B} && exec redis-server ${B} --sentinel`]],
        ["two copies to one file", ["sh", "-c", `cat ${A} > ${B} && cp /tmp/other ${B} && exec redis-server ${B} --sentinel`]],
        ["a file copied onto itself (cat A > A empties it)", ["sh", "-c", `cat ${B} > ${B} && exec redis-server ${B} --sentinel`]],
        ["a chain of copies", ["sh", "-c", `cat ${A} > /tmp/x && cat /tmp/x > ${B} && exec redis-server ${B} --sentinel`]],
        ["a second line", ["sh", "-c", `cat ${A} > ${B}\necho 'user default on nopass' >> ${B} && exec redis-server ${B} --sentinel`]],
        ["a script that does not end starting Redis", ["sh", "-c", `cat ${A} > ${B} && exec /start.sh ${B}`]],
        ["extra shell arguments", ["sh", "-c", `cat ${A} > ${B} && exec redis-server ${B} --sentinel`, "x"]],
        ["no shell", ["cat", A, ">", B]],
        [
            "the start script carrying over more than learnt state",
            ["sh", "-c", SENTINEL_COMMAND[2].replace('$2 == "myid"', '$2 == "myid" || $1 == "user"')],
        ],
        ["the start script announcing a command substitution", ["sh", "-c", `${SENTINEL_COMMAND[2]} --sentinel announce-ip $(cat /etc/x)`]],
        ["the start script with other arguments after --sentinel", ["sh", "-c", `${SENTINEL_COMMAND[2]} --protected-mode no`]],
        ["the start script followed by another step", ["sh", "-c", SENTINEL_COMMAND[2].replace(" && exec", ` && echo x >> ${B} && exec`)]],
    ];
    it.each(notFollowed)("does not follow %s", (_label, argv) => {
        expect(copiedFiles(argv).size).toBe(0);
    });

    const open = editConf(sentinelConf(), { user: null }).replace(/^sentinel sentinel-user .*$/m, "user default on nopass ~* &* +@all");
    it("judges a Sentinel by the uploaded file it copies", async () => {
        expect((await evaluate(requireAuthAndHardening, sentinelTopology())).violations).toEqual([]);
        const outcome = await evaluate(requireAuthAndHardening, sentinelTopology(open));
        expect(outcome.violations).toEqual([
            "Redis Sentinel accepts clients without a password; set one from a secret (requirepass, or ACL users and user default off).",
        ]);
        expect(outcome.urns).toEqual([urnOf(sentinelTopology()[3])]);
    });

    // The copy cannot be followed, or its source read: what it holds is unknown, and nothing is reported from it.
    const unknown: Array<[string, TestResource[]]> = [
        ["the copy is edited before Sentinel starts", sentinelTopology(open, { command: notFollowed[0][1] })],
        ["the copy may fail", sentinelTopology(open, { command: notFollowed[2][1] })],
        ["the uploaded file is unknown at preview", sentinelTopology(UNKNOWN)],
        ["nothing uploads the source", sentinelTopology(open).filter((r) => r.name !== "cache-config")],
        ["the command is unknown", sentinelTopology(open, { command: UNKNOWN })],
    ];
    it.each(unknown)("neither throws nor reports when %s", async (_label, resources) => {
        for (const policy of [requireAuthAndHardening, defaultUserFullAccess, nonAdminUserDangerousCommands, tlsInTransit]) {
            expect(await evaluate(policy, resources)).toEqual({ violations: [], urns: [] });
        }
    });
});

describe("a Sentinel, judged as a Sentinel", () => {
    it("gets nothing from any policy as hardened-redis renders it with TLS", async () => {
        for (const policy of policies)
            expect([policy.name, (await evaluate(policy, sentinelTopology(sentinelConf(true)))).violations]).toEqual([policy.name, []]);
    });

    it("is not held to data settings: persistence, maxmemory, eviction, appendfsync, CONFIG", async () => {
        // A sentinel.conf has none of them, and its data dir on the container's own filesystem.
        const bare = sentinelTopology(sentinelConf(true), {
            volumes: [{ volumeName: "cache-config", containerPath: "/usr/local/etc/redis" }],
        });
        for (const policy of [persistence, memoryLimit, cacheNoEviction, appendfsyncAlways, requireAuthAndHardening]) {
            expect((await evaluate(policy, bare)).violations).toEqual([]);
        }
        // The same file started as a server is judged as one: the mode comes from the command, not the file.
        const asServer = sentinelTopology(sentinelConf(true), {
            command: [
                "sh",
                "-c",
                "cat /usr/local/etc/redis/sentinel-0.conf > /data/sentinel.conf && exec redis-server /data/sentinel.conf",
            ],
            volumes: [{ volumeName: "cache-config", containerPath: "/usr/local/etc/redis" }],
        });
        expect((await evaluate(requireAuthAndHardening, asServer)).violations.join("\n")).toMatch(/keeps the CONFIG command/);
        expect((await evaluate(memoryLimit, asServer)).violations.join("\n")).toMatch(/no maxmemory/);
        expect((await evaluate(persistence, asServer)).violations.join("\n")).toMatch(/container's own filesystem/);
    });

    it("still needs a container memory limit", async () => {
        expect((await evaluate(memoryLimit, sentinelTopology(sentinelConf(true), { memory: undefined }))).violations).toHaveLength(1);
    });

    const insecure: Array<[string, StackValidationPolicy, string, number?]> = [
        [
            "a default user on with nopass",
            requireAuthAndHardening,
            editConf(sentinelConf(true), { user: null }).replace("# Auth:", "user default on nopass ~* &* +@all\n# Auth:"),
        ],
        ["no default line (Redis creates it with nopass)", requireAuthAndHardening, sentinelConf(true).replace(/^user default .*$/m, "")],
        ["protected-mode no", requireAuthAndHardening, editConf(sentinelConf(true), { "protected-mode": "no" })],
        [
            "requirepass alone (the default user keeps SENTINEL SET)",
            defaultUserFullAccess,
            `${sentinelConf(true).replace(/^user default .*$/m, "")}\nrequirepass ${SECRET}\n`,
        ],
        ["no TLS (nor TLS links)", tlsInTransit, sentinelConf(false), 2],
        ["a plaintext port next to tls-port", tlsInTransit, editConf(sentinelConf(true), { port: "26380" })],
        ["links to Redis and the other Sentinels without TLS", tlsInTransit, editConf(sentinelConf(true), { "tls-replication": null })],
        ["TLS 1.1", tlsInTransit, editConf(sentinelConf(true), { "tls-protocols": '"TLSv1.1 TLSv1.2"' })],
    ];
    it.each(insecure)("reports a Sentinel with %s", async (_label, policy, conf, count = 1) => {
        const outcome = await evaluate(policy, sentinelTopology(conf));
        expect(outcome.violations).toHaveLength(count);
        for (const message of outcome.violations) expect(message).not.toContain(SECRET);
        expect(new Set(outcome.urns)).toEqual(new Set([urnOf(sentinelTopology()[3])]));
    });

    it("tells the Sentinel's own TLS finding apart from a replica's", async () => {
        const outcome = await evaluate(tlsInTransit, sentinelTopology(editConf(sentinelConf(true), { "tls-replication": "no" })));
        expect(outcome.violations).toEqual([
            expect.stringMatching(/^Redis Sentinel connects to the Redis servers and the other Sentinels without TLS/),
        ]);
    });

    it("passes requirepass as auth on a Sentinel", async () => {
        const conf = `${sentinelConf(true).replace(/^user default .*$/m, "")}\nrequirepass ${SECRET}\n`;
        expect((await evaluate(requireAuthAndHardening, sentinelTopology(conf))).violations).toEqual([]);
    });
});

describe("the network a Sentinel or server in a holder's namespace listens on", () => {
    it("is the holder's: internal passes, anything else is reported against the Redis container", async () => {
        expect((await evaluate(dockerInternalNetworkOnly, sentinelTopology())).violations).toEqual([]);
        const external = sentinelTopology().map((r) => (r === internalNetwork ? { ...r, props: { ...r.props, internal: false } } : r));
        const outcome = await evaluate(dockerInternalNetworkOnly, external);
        expect(outcome.violations).toHaveLength(1);
        expect(outcome.urns).toEqual([urnOf(sentinelTopology()[3])]);
        const bridge = sentinelTopology(undefined, {}, { networksAdvanced: undefined });
        expect((await evaluate(dockerInternalNetworkOnly, bridge)).violations).toHaveLength(1);
        const host = sentinelTopology(undefined, {}, { networksAdvanced: undefined, networkMode: "host" });
        expect((await evaluate(dockerInternalNetworkOnly, host)).violations).toEqual([
            expect.stringMatching(/joins the network namespace of a container on the host network/),
        ]);
    });

    it("is followed through the holder's ID and through a chain of holders", async () => {
        const byId = sentinelTopology(
            undefined,
            { networkMode: "container:0123abcd" },
            { id: "0123abcd", networksAdvanced: [{ name: "bridge" }] },
        );
        expect((await evaluate(dockerInternalNetworkOnly, byId)).violations).toHaveLength(1);
        const [network, writer, holder, sentinel] = sentinelTopology(
            undefined,
            {},
            { networkMode: "container:outer", networksAdvanced: undefined },
        );
        const outer: TestResource = {
            ...holder,
            name: "outer",
            props: { ...holder.props, name: "outer", networkMode: undefined, networksAdvanced: [{ name: "bridge" }] },
        };
        expect((await evaluate(dockerInternalNetworkOnly, [network, writer, holder, sentinel, outer])).violations).toHaveLength(1);
    });

    it("cannot be judged for a holder outside the stack, an unknown network mode or a loop", async () => {
        const cases = [
            sentinelTopology().filter((r) => r.name !== "cache-sentinel-0-network"),
            sentinelTopology(undefined, { networkMode: UNKNOWN }),
            sentinelTopology(undefined, {}, { networkMode: "container:cache-sentinel-0-4d5e6f", networksAdvanced: [{ name: "bridge" }] }),
        ];
        for (const resources of cases) expect(await evaluate(dockerInternalNetworkOnly, resources)).toEqual({ violations: [], urns: [] });
    });
});

describe("the user Sentinels authenticate as", () => {
    // Redis's ACL guide's Sentinel user, under a name of our choosing: recognised by its rules.
    const documented =
        "on >pw allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill";
    const serverUser = (rules: string) => [redisContainer({}, `${watchedConf}\nuser watcher ${rules}\n`)];

    it("is recognised by its rules on a server and on a Sentinel, not by its name", () => {
        const rulesOf = (conf: string, name: string) => (conf.match(new RegExp(`^user ${name} (.*)$`, "m")) ?? [])[1].split(" ");
        expect(isSentinelUser(rulesOf(watchedConf, "sentinel"), "server")).toBe(true);
        expect(isSentinelUser(rulesOf(sentinelConf(), "sentinel"), "sentinel")).toBe(true);
        expect(isSentinelUser(documented.split(" "), "server")).toBe(true);
        // A Sentinel's peers need neither REPLICAOF nor CONFIG REWRITE from it.
        expect(isSentinelUser(documented.split(" "), "sentinel")).toBe(false);
        for (const app of [rulesOf(watchedConf, "app"), rulesOf(watchedConf, "admin"), rulesOf(sentinelConf(), "app")]) {
            expect(isSentinelUser(app, "server")).toBe(false);
        }
    });

    const tolerated: Array<[string, TestResource[]]> = [
        ["the servers hardened-redis declares, with their sentinel user", [internalNetwork, redisContainer({}, watchedConf)]],
        ["Redis's documented Sentinel user under another name", serverUser(documented)],
        ["the Sentinel hardened-redis declares (app, admin, sentinel)", sentinelTopology()],
        [
            "a Sentinel app user with the read-only discovery subcommands",
            sentinelTopology(
                `${sentinelConf()}\nuser web on >pw -@all +sentinel|get-master-addr-by-name +sentinel|masters +sentinel|master +sentinel|sentinels +sentinel|replicas\n`,
            ),
        ],
    ];
    it.each(tolerated)("does not count %s", async (_label, resources) => {
        expect((await evaluate(nonAdminUserDangerousCommands, resources)).violations).toEqual([]);
    });

    const reported: Array<[string, TestResource[]]> = [
        ["with key access", serverUser(`${documented} ~*`)],
        ["with allkeys", serverUser(`${documented} allkeys`)],
        ["with a category", serverUser(`${documented} +@read`)],
        ["with +@all", serverUser(`${documented} +@all`)],
        ["with allcommands", serverUser(`${documented} allcommands`)],
        ["with FLUSHALL", serverUser(`${documented} +flushall`)],
        ["with the whole CONFIG command", serverUser(`${documented} +config`)],
        ["with nopass", serverUser(`${documented} nopass`)],
        ["with a selector", serverUser(`${documented} (~* +get)`)],
        [
            "named sentinel but an app user's rules",
            [redisContainer({}, watchedConf.replace(/^user sentinel .*$/m, `user sentinel on >pw ~* +@all`))],
        ],
        ["on a Sentinel, with SENTINEL SET", sentinelTopology(sentinelConf().replace(/^(user sentinel .*)$/m, "$1 +sentinel|set"))],
        [
            "on a Sentinel, with the servers' Sentinel rules (CLIENT KILL)",
            sentinelTopology(`${sentinelConf()}\nuser watcher ${documented}\n`),
        ],
        [
            "on a Sentinel, an app user with every SENTINEL subcommand",
            sentinelTopology(`${sentinelConf()}\nuser web on >pw -@all +sentinel\n`),
        ],
        [
            "on a Sentinel, an app user with SENTINEL FAILOVER",
            sentinelTopology(`${sentinelConf()}\nuser web on >pw -@all +sentinel|get-master-addr-by-name +sentinel|failover\n`),
        ],
        ["on a Sentinel, a user with +@all", sentinelTopology(`${sentinelConf()}\nuser web on >pw +@all\n`)],
        // The servers' handover grants SENTINEL FAILOVER to the replication user alone: by name.
        [
            "on a Sentinel, a replication user with more than the handover",
            sentinelTopology(`${sentinelConf()}\nuser replication on >pw -@all +sentinel|failover +sentinel|set\n`),
        ],
    ];
    it.each(reported)("counts a user %s", async (_label, resources) => {
        expect((await evaluate(nonAdminUserDangerousCommands, resources)).violations).toHaveLength(1);
    });

    it("is never the default user", async () => {
        const serverDefault = [redisContainer({}, watchedConf.replace(/^user default .*$/m, `user default ${documented}`))];
        expect((await evaluate(defaultUserFullAccess, serverDefault)).violations).toHaveLength(1);
        const peerRules = "on >pw -@all +ping +auth +hello +info +role +publish +subscribe +sentinel|is-master-down-by-addr";
        const sentinelDefault = sentinelTopology(sentinelConf().replace(/^user default .*$/m, `user default ${peerRules}`));
        expect((await evaluate(defaultUserFullAccess, sentinelDefault)).violations).toHaveLength(1);
        const discovery = sentinelTopology(
            sentinelConf().replace(/^user default .*$/m, "user default on >pw -@all +ping +sentinel|get-master-addr-by-name"),
        );
        expect((await evaluate(defaultUserFullAccess, discovery)).violations).toEqual([]);
    });

    it("reads a Sentinel's rules against Sentinel's commands", () => {
        expect(dangerousCommands(["-@all", "+sentinel|get-master-addr-by-name"], "sentinel")).toEqual([]);
        expect(dangerousCommands(["+sentinel|set"], "sentinel")).toEqual(["sentinel|set"]);
        expect(dangerousCommands(["+@all", "-@dangerous"], "sentinel")).toEqual([]);
        // On a server there is no SENTINEL command to grant.
        expect(dangerousCommands(["+sentinel|set"], "server")).toEqual([]);
        expect(dangerousCommands(["+@admin"], "sentinel")).toContain("sentinel|failover");
    });
});
