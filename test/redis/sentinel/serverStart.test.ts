// The handover's order, with a stand-in redis-cli whose answers the test scripts: writes are held
// before anything else, the failover is asked for only once every replica has the primary's
// offset, and the script returns once a quorum names another server. Run by Debian's sh and awk
// and by busybox's (the Alpine image's). The same scripts against real Sentinels:
// serverStart.server.test.ts.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverHandoverScript, serverStartFiles, serverStartScript, type ServerStartOptions } from "../../../policies/shared/serverStart";

/** Where busybox is (.ci/run installs busybox-static); a test that needs it fails without it. */
function busybox(): string {
    const found = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim();
    if (!found) throw new Error("busybox not found: install it with `apt-get install -y busybox-static` (.ci/run does)");
    return found;
}

// Logs each call; answers as the primary ("self 6379") until asked to fail over, then names "other".
// INFO lists two replicas behind the primary's offset for the first `LAGGING` calls.
const REDIS_CLI = `#!/bin/sh
cat > /dev/null
state=$STATE
while [ $# -gt 0 ] && [ "$1" != --raw ]; do shift; done; shift
echo "$*" >> $state/calls
case "$*" in
  "SENTINEL GET-MASTER-ADDR-BY-NAME cache") if [ -e $state/failover ]; then printf 'other\\n6379\\n'; else printf 'self\\n6379\\n'; fi ;;
  "CLIENT PAUSE"*) echo OK ;;
  "INFO replication")
    n=$(grep -c '^INFO' $state/calls)
    if [ "$n" -le "$LAGGING" ]; then o=90; else o=100; fi
    printf 'role:master\\r\\nslave0:ip=a,port=6379,state=online,offset=%s,lag=0\\r\\nslave1:ip=b,port=6379,state=online,offset=100,lag=0\\r\\nmaster_repl_offset:100\\r\\n' $o ;;
  "SENTINEL FAILOVER cache") : > $state/failover; echo OK ;;
esac
`;

let root: string;
beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "handover-"));
    for (const variant of ["debian", "busybox"]) {
        const bin = join(root, variant);
        mkdirSync(bin);
        writeFileSync(join(bin, "redis-cli"), REDIS_CLI);
        chmodSync(join(bin, "redis-cli"), 0o755);
        if (variant === "busybox")
            for (const tool of ["awk", "sort", "uniq", "grep", "tr", "date", "sleep", "timeout"]) symlinkSync(busybox(), join(bin, tool));
    }
    writeFileSync(join(root, "redis.conf"), "masterauth pw-from-the-file\n");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS: ServerStartOptions = {
    rendered: "/placeholder",
    dataDir: "/data",
    masterName: "cache",
    quorum: 2,
    self: "self",
    port: 6379,
    firstPrimary: "self",
    sentinels: ["s0", "s1", "s2"].map((host) => ({ host, port: 26379 })),
    user: "replication",
    handoverOnStop: false,
};

describe.each(["debian", "busybox"])("the handover, with %s's tools", (variant) => {
    const run = (lagging: number) => {
        const state = mkdtempSync(join(root, "state-"));
        const script = serverHandoverScript({ ...OPTIONS, rendered: join(root, "redis.conf") });
        const shell = variant === "busybox" ? [busybox(), "sh"] : ["sh"];
        const result = spawnSync(shell[0], [...shell.slice(1), "-c", script], {
            encoding: "utf8",
            env: { PATH: `${join(root, variant)}:${process.env.PATH}`, STATE: state, LAGGING: String(lagging) },
            timeout: 30_000,
        });
        return { ...result, calls: readFileSync(join(state, "calls"), "utf8").trim().split("\n") };
    };

    it("holds writes first, asks for the failover once every replica has the primary's offset, and returns once a quorum names another", () => {
        const { status, stdout, calls } = run(3);
        expect(status).toBe(0);
        const pause = calls.indexOf("CLIENT PAUSE 60000 WRITE");
        const failover = calls.indexOf("SENTINEL FAILOVER cache");
        expect(pause).toBeGreaterThan(0);
        // Three answers with a replica behind, then the one that shows both caught up, then the failover.
        expect(calls.slice(pause + 1, failover)).toEqual(Array(4).fill("INFO replication"));
        expect(calls.filter((c) => c === "SENTINEL FAILOVER cache")).toHaveLength(1);
        expect(stdout).toContain("the Sentinels name other 6379 now");
    });

    it("asks for no failover where a quorum does not name this server", () => {
        const state = mkdtempSync(join(root, "state-"));
        writeFileSync(join(state, "failover"), "");
        const shell = variant === "busybox" ? [busybox(), "sh"] : ["sh"];
        const result = spawnSync(
            shell[0],
            [...shell.slice(1), "-c", serverHandoverScript({ ...OPTIONS, rendered: join(root, "redis.conf") })],
            {
                encoding: "utf8",
                env: { PATH: `${join(root, variant)}:${process.env.PATH}`, STATE: state, LAGGING: "0" },
            },
        );
        expect(result.status).toBe(0);
        expect(readFileSync(join(state, "calls"), "utf8").trim().split("\n")).toEqual(
            Array(3).fill("SENTINEL GET-MASTER-ADDR-BY-NAME cache"),
        );
    });
});

describe("the start script as the pack reads it", () => {
    it("names the copy Redis runs on and the rendered file it copies, for the exact script only", () => {
        const script = serverStartScript({ ...OPTIONS, rendered: "/usr/local/etc/redis/redis.conf" });
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
