// A Sentinel topology's server start script (policies/shared/serverStart.ts), run by a real sh
// against real Sentinels on loopback (harness/local/localSentinel.ts), on each server (Redis 7,
// Redis 8, Valkey 8): its real client (redis-cli, valkey-cli) and a stand-in server program that
// prints the file it was given. Its stop path: serverStart.test.ts
// (the order) and test/deployed/*.restarts.test.ts (real servers under a confirmed writer).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverStartScript, type ServerStartOptions } from "../../../policies/shared/serverStart";
import { SERVER_PROGRAMS } from "../../../policies/shared/programs";
import { REPLICATION_USER } from "../../../redis/acl/users";
import { SERVERS } from "../../../redis/servers";
import { freeLoopbackPort, startLocalRedis, type LocalRedis } from "../../../harness/local/localRedis";
import { startLocalSentinelTopology, type LocalSentinelTopology } from "../../../harness/local/localSentinel";
import { withLocalPrograms } from "../../../harness/local/serverPrograms";

describe.each(SERVERS)("on $title", (kind) => {
    let t: LocalSentinelTopology;
    let root: string;
    let bin: string;
    beforeAll(async () => {
        t = await startLocalSentinelTopology({ server: kind.name, downAfterMilliseconds: 1_000, failoverTimeoutMilliseconds: 5_000 });
        root = mkdtempSync(join(tmpdir(), "server-start-"));
        bin = join(root, "bin");
        mkdirSync(bin);
        // Prints the file it would run on, then its arguments.
        const program = join(bin, SERVER_PROGRAMS[kind.family].server);
        writeFileSync(program, '#!/bin/sh\ncat "$1"\nfor a in "$@"; do echo "arg: $a"; done\n');
        chmodSync(program, 0o755);
        // The other family's programs fail: the host has Redis 7.0's redis-cli, which would answer Valkey's Sentinels too.
        for (const [family, programs] of Object.entries(SERVER_PROGRAMS)) {
            if (family === kind.family) continue;
            for (const name of [programs.server, programs.cli]) {
                writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} is not ${kind.title}'s" >&2\nexit 99\n`);
                chmodSync(join(bin, name), 0o755);
            }
        }
    }, 60_000);
    afterAll(async () => {
        await t?.stop();
        if (root) rmSync(root, { recursive: true, force: true });
    });

    /** The rendered redis.conf a local server runs on (laid out as in the container, beside its data directory). */
    const renderedOf = (server: LocalRedis) => join(server.dataDir, "../usr/local/etc/redis/redis.conf");

    /** The options a server's scripts get, for `server` (the local servers share a host and differ by port). */
    function optionsFor(server: LocalRedis, dataDir: string, overrides: Partial<ServerStartOptions> = {}): ServerStartOptions {
        return {
            rendered: renderedOf(server),
            dataDir,
            masterName: t.masterName,
            quorum: 2,
            self: "127.0.0.1",
            port: server.port,
            firstPrimary: "first-primary",
            sentinels: t.sentinels.map((s) => ({ host: "127.0.0.1", port: s.port })),
            user: REPLICATION_USER,
            family: kind.family,
            ...overrides,
        };
    }

    /** Runs the start script; what the stand-in server was started on, and the script's log. */
    function start(options: ServerStartOptions): { copy: string; log: string; replicaof?: string } {
        const run = spawnSync("sh", ["-c", serverStartScript(options)], {
            encoding: "utf8",
            // The stand-in server first, then the server's real client.
            env: { PATH: `${bin}:${withLocalPrograms(kind).PATH}` },
            timeout: 30_000,
        });
        expect(run.status, run.stderr).toBe(0);
        const copy = readFileSync(join(options.dataDir, "redis.conf"), "utf8");
        return { copy, log: run.stdout, replicaof: /^replicaof (.+)$/m.exec(copy)?.[1] };
    }

    let dirs = 0;
    const freshDir = () => {
        const dir = join(root, `data-${dirs++}`);
        mkdirSync(dir);
        return dir;
    };

    describe("the start script: a server starts in the role the Sentinels name", () => {
        it("starts the server a quorum names as the primary, on a copy of the rendered file", () => {
            const [primary] = t.servers;
            const dir = freshDir();
            const { copy, log, replicaof } = start(optionsFor(primary, dir));
            expect(log).toMatch(/starting as the primary \(named by a quorum of Sentinels\)/);
            expect(replicaof).toBeUndefined();
            expect(copy).toBe(readFileSync(renderedOf(primary), "utf8"));
            expect(log).toContain(`arg: ${join(dir, "redis.conf")}`);
            expect(log).toContain("arg: --replica-announce-ip");
            // The copy holds masterauth: readable by its owner alone.
            expect(spawnSync("stat", ["-c", "%a", join(dir, "redis.conf")], { encoding: "utf8" }).stdout.trim()).toBe("600");
        });

        it("starts any other server as a replica of the named primary, whatever its previous copy recorded", () => {
            const dir = freshDir();
            // A previous copy that says primary (no replicaof): the Sentinels' answer wins.
            writeFileSync(join(dir, "redis.conf"), "port 1\n");
            const { log, replicaof } = start(optionsFor(t.servers[1], dir));
            expect(log).toMatch(/starting as a replica of 127\.0\.0\.1 \d+ \(named by a quorum of Sentinels\)/);
            expect(replicaof).toBe(`127.0.0.1 ${t.servers[0].port}`);
        });

        it("keeps the role its previous copy recorded when fewer than a quorum answer", async () => {
            const dead = await freeLoopbackPort();
            // Two Sentinels answer, three must agree.
            const short = {
                quorum: 3,
                sentinels: [
                    ...t.sentinels.slice(0, 2).map((s) => ({ host: "127.0.0.1", port: s.port })),
                    { host: "127.0.0.1", port: dead },
                ],
            };
            const replica = freshDir();
            writeFileSync(join(replica, "redis.conf"), await rewrittenReplicaCopy());
            const kept = start(optionsFor(t.servers[1], replica, short));
            expect(kept.log).toMatch(
                /starting as a replica of 127\.0\.0\.1 7777 \(no quorum of Sentinels answered: the role it last had\)/,
            );
            expect(kept.replicaof).toBe("127.0.0.1 7777");
            // Rebuilt from the rendered file: nothing else of the previous copy survives.
            expect(kept.copy).not.toMatch(/^port 1$/m);

            const primary = freshDir();
            writeFileSync(join(primary, "redis.conf"), "port 1\n");
            const stays = start(optionsFor(t.servers[1], primary, short));
            expect(stays.log).toMatch(/starting as the primary \(no quorum of Sentinels answered: the role it last had\)/);
            expect(stays.replicaof).toBeUndefined();
        });

        it("starts as the rendered topology says on a first boot with no Sentinel answering", async () => {
            const none = { sentinels: [{ host: "127.0.0.1", port: await freeLoopbackPort() }], quorum: 1 };
            const replica = start(optionsFor(t.servers[1], freshDir(), none));
            expect(replica.log).toMatch(/no role recorded: a first boot/);
            expect(replica.replicaof).toBe(`first-primary ${t.servers[1].port}`);
            const first = start(optionsFor(t.servers[1], freshDir(), { ...none, firstPrimary: "127.0.0.1" }));
            expect(first.log).toMatch(/starting as the primary \(no quorum/);
        });
    });

    // Not a test of the scripts: the local servers' layout is what the scripts read.
    it("finds each local server's rendered file", () => {
        for (const local of t.servers) expect(existsSync(renderedOf(local))).toBe(true);
    });

    /**
     * A previous copy as the server itself leaves it: Sentinel makes Redis rewrite its config on every
     * role change (CONFIG REWRITE), and Valkey's rewrite renames masterauth and masteruser to
     * primaryauth and primaryuser, which Redis would refuse to start on. Replicating port 7777.
     */
    async function rewrittenReplicaCopy(): Promise<string> {
        const replica = await startLocalRedis(
            { server: kind.name, replicaOfHost: "127.0.0.1", replicaOfPort: 7777 },
            { configFile: "replica.conf" },
        );
        try {
            const admin = new Redis(replica.adminConnectionString, { maxRetriesPerRequest: 0 });
            try {
                await admin.call(replica.configCommandName, "REWRITE");
            } finally {
                admin.disconnect();
            }
            const copy = readFileSync(join(renderedOf(replica), "../replica.conf"), "utf8");
            expect(copy).toMatch(/^# Generated by CONFIG REWRITE$/m);
            expect(copy).toMatch(kind.family === "valkey" ? /^primaryauth /m : /^masterauth /m);
            return copy;
        } finally {
            await replica.stop();
        }
    }
});
