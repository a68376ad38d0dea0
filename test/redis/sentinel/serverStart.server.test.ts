// A Sentinel topology's server start script (policies/shared/serverStart.ts), run by a real sh
// against real Sentinels on loopback (harness/local/localSentinel.ts), with real redis-cli and a
// stand-in `redis-server` that prints the file it was given. Its stop path: serverStart.test.ts
// (the order) and test/deployed/*.restarts.test.ts (real servers under a confirmed writer).
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverStartScript, type ServerStartOptions } from "../../../policies/shared/serverStart";
import { REPLICATION_USER } from "../../../redis/acl/users";
import { freeLoopbackPort, type LocalRedis } from "../../../harness/local/localRedis";
import { startLocalSentinelTopology, type LocalSentinelTopology } from "../../../harness/local/localSentinel";

let t: LocalSentinelTopology;
let root: string;
let bin: string;
beforeAll(async () => {
    t = await startLocalSentinelTopology({ downAfterMilliseconds: 1_000, failoverTimeoutMilliseconds: 5_000 });
    root = mkdtempSync(join(tmpdir(), "server-start-"));
    bin = join(root, "bin");
    mkdirSync(bin);
    // Prints the file it would run on, then its arguments.
    writeFileSync(join(bin, "redis-server"), '#!/bin/sh\ncat "$1"\nfor a in "$@"; do echo "arg: $a"; done\n');
    chmodSync(join(bin, "redis-server"), 0o755);
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
        family: "redis",
        ...overrides,
    };
}

/** Runs the start script; what the stand-in redis-server was started on, and the script's log. */
function start(options: ServerStartOptions): { copy: string; log: string; replicaof?: string } {
    const run = spawnSync("sh", ["-c", serverStartScript(options)], {
        encoding: "utf8",
        env: { PATH: `${bin}:${process.env.PATH}` },
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
            sentinels: [...t.sentinels.slice(0, 2).map((s) => ({ host: "127.0.0.1", port: s.port })), { host: "127.0.0.1", port: dead }],
        };
        const replica = freshDir();
        writeFileSync(join(replica, "redis.conf"), "port 1\nreplicaof 127.0.0.1 7777\n# Generated by CONFIG REWRITE\n");
        const kept = start(optionsFor(t.servers[1], replica, short));
        expect(kept.log).toMatch(/starting as a replica of 127\.0\.0\.1 7777 \(no quorum of Sentinels answered: the role it last had\)/);
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
    for (const server of t.servers) expect(existsSync(renderedOf(server))).toBe(true);
});
