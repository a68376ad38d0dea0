// The start script's stop path (policies/shared/serverStart.ts), with a stand-in redis-server and
// redis-cli whose answers the test scripts, under Debian's sh and tools and under busybox's (the
// Alpine image's): on SIGTERM a primary stops Redis first and asks for the failover only once Redis
// has exited, then returns once a quorum names another server; a replica only stops Redis; the
// script exits with Redis's status. The start against real Sentinels: serverStart.server.test.ts.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverStartFiles, serverStartScript, type ServerStartOptions } from "../../../policies/shared/serverStart";

/** Where busybox is (.ci/run installs busybox-static); a test that needs it fails without it. */
function busybox(): string {
    const found = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim();
    if (!found) throw new Error("busybox not found: install it with `apt-get install -y busybox-static` (.ci/run does)");
    return found;
}

// Logs each command; names "self 6379" the primary until asked to fail over (or told to by the
// `failover` file), then "other 6379".
const REDIS_CLI = `#!/bin/sh
cat > /dev/null
while [ $# -gt 0 ] && [ "$1" != --raw ]; do shift; done; shift
echo "$*" >> $STATE/calls
case "$*" in
  "SENTINEL GET-MASTER-ADDR-BY-NAME cache") if [ -e $STATE/failover ]; then printf 'other\\n6379\\n'; else printf 'self\\n6379\\n'; fi ;;
  "SENTINEL FAILOVER cache") : > $STATE/failover; echo OK ;;
esac
`;

// Runs until SIGTERM, then takes a moment to shut down, as Redis does; or exits with $CRASH at once.
const REDIS_SERVER = `#!/bin/sh
echo "redis-server started" >> $STATE/calls
[ -z "$CRASH" ] || exit $CRASH
trap 'echo "redis-server got SIGTERM" >> $STATE/calls; sleep 0.3; echo "redis-server exited" >> $STATE/calls; exit 0' TERM
while :; do sleep 0.1; done
`;

const TOOLS = ["awk", "sort", "uniq", "grep", "tr", "date", "sleep", "timeout", "cat", "sync", "mv"];

let root: string;
beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "server-stop-"));
    for (const variant of ["debian", "busybox"]) {
        const bin = join(root, variant);
        mkdirSync(bin);
        writeFileSync(join(bin, "redis-cli"), REDIS_CLI);
        writeFileSync(join(bin, "redis-server"), REDIS_SERVER);
        chmodSync(join(bin, "redis-cli"), 0o755);
        chmodSync(join(bin, "redis-server"), 0o755);
        if (variant === "busybox") for (const tool of TOOLS) symlinkSync(busybox(), join(bin, tool));
    }
    writeFileSync(join(root, "redis.conf"), "masterauth pw-from-the-file\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS: ServerStartOptions = {
    family: "redis",
    rendered: "/usr/local/etc/redis/redis.conf",
    dataDir: "/data",
    masterName: "cache",
    quorum: 2,
    self: "self",
    port: 6379,
    firstPrimary: "self",
    sentinels: ["s0", "s1", "s2"].map((host) => ({ host, port: 26379 })),
    user: "replication",
};

const NAMED = "SENTINEL GET-MASTER-ADDR-BY-NAME cache";

describe.each(["debian", "busybox"])("the stop path, with %s's sh and tools", (variant) => {
    /** Starts the script, SIGTERMs it once Redis runs (unless it crashes by itself), and resolves with its exit and the commands seen. */
    const run = async ({ replica = false, crash }: { replica?: boolean; crash?: number } = {}) => {
        const state = mkdtempSync(join(root, "state-"));
        const data = mkdtempSync(join(root, "data-"));
        if (replica) writeFileSync(join(state, "failover"), "");
        const script = serverStartScript({ ...OPTIONS, rendered: join(root, "redis.conf"), dataDir: data });
        const shell = variant === "busybox" ? [busybox(), "sh"] : ["sh"];
        const child = spawn(shell[0], [...shell.slice(1), "-c", script], {
            env: { PATH: `${join(root, variant)}:${process.env.PATH}`, STATE: state, ...(crash !== undefined && { CRASH: String(crash) }) },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        const calls = () => (existsSync(join(state, "calls")) ? readFileSync(join(state, "calls"), "utf8").trim().split("\n") : []);
        if (crash === undefined) {
            while (!calls().includes("redis-server started")) await new Promise((r) => setTimeout(r, 20));
            child.kill("SIGTERM");
        }
        const code = await exited;
        return { code, stdout, calls: calls() };
    };

    it("a primary stops Redis first, asks for the failover once it has exited, and returns once a quorum names another", async () => {
        const { code, stdout, calls } = await run();
        expect(code).toBe(0);
        const started = calls.indexOf("redis-server started");
        // At start: asked (a quorum named it: the primary). On SIGTERM: asked again, Redis stopped, then the failover.
        expect(calls.slice(0, started)).toEqual(Array(3).fill(NAMED));
        expect(calls.slice(started + 1, started + 4)).toEqual(Array(3).fill(NAMED));
        expect(calls.slice(started + 4, started + 7)).toEqual([
            "redis-server got SIGTERM",
            "redis-server exited",
            "SENTINEL FAILOVER cache",
        ]);
        expect(calls.slice(started + 7)).toEqual(Array(3).fill(NAMED));
        expect(stdout).toContain("hardened-redis: starting as the primary (named by a quorum of Sentinels)");
        expect(stdout).toContain("the Sentinels name other 6379 now");
    });

    it("a replica only stops Redis", async () => {
        const { code, stdout, calls } = await run({ replica: true });
        expect(code).toBe(0);
        expect(stdout).toContain("starting as a replica of other 6379");
        expect(calls.slice(calls.indexOf("redis-server started") + 1)).toEqual([
            ...Array(3).fill(NAMED),
            "redis-server got SIGTERM",
            "redis-server exited",
        ]);
    });

    it("exits with Redis's status when Redis exits by itself, handing nothing over", async () => {
        const { code, calls } = await run({ crash: 3 });
        expect(code).toBe(3);
        expect(calls.slice(calls.indexOf("redis-server started") + 1)).toEqual([]);
    });
});

describe("the start script as the pack reads it", () => {
    it("names the copy Redis runs on and the rendered file it copies, for the exact script only", () => {
        const script = serverStartScript(OPTIONS);
        expect(serverStartFiles(script)).toEqual({ config: "/data/redis.conf", rendered: "/usr/local/etc/redis/redis.conf" });
        // One character more, anywhere, and it is any other script.
        expect(serverStartFiles(`${script} `)).toBeUndefined();
        expect(serverStartFiles(script.replace("umask 077", "umask 000"))).toBeUndefined();
        expect(
            serverStartFiles(script.replace('"rendered":"/usr/local/etc/redis/redis.conf"', '"rendered":"/etc/other.conf"')),
        ).toBeUndefined();
    });

    it("refuses values the shell would read as more than a word", () => {
        expect(() => serverStartScript({ ...OPTIONS, self: "a b" })).toThrow(/plain/);
        expect(() => serverStartScript({ ...OPTIONS, self: "$(id)" })).toThrow(/plain/);
        expect(() => serverStartScript({ ...OPTIONS, rendered: "/x;reboot" })).toThrow(/plain/);
        expect(() => serverStartScript({ ...OPTIONS, quorum: 4 })).toThrow(/plain/);
    });
});
