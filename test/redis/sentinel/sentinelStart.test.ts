import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sentinelStartScript } from "../../../policies/shared/sentinelStart";

// The start script run by a real sh, with Debian's awk (mawk) and with busybox's (what the Alpine
// image has), and a stand-in `redis-server` that prints the file and arguments it was started with.
const RENDERED = [
    "# hardened-redis server cache-0 6379",
    "# hardened-redis server cache-1 6379",
    "# hardened-redis server cache-2 6379",
    "# hardened-redis sentinel cache-sentinel-0 26379",
    "# hardened-redis sentinel cache-sentinel-1 26379",
    "# hardened-redis sentinel cache-sentinel-2 26379",
    "port 26379",
    "sentinel monitor cache cache-0 6379 2",
    "sentinel auth-pass cache rendered-password",
    "",
].join("\n");

/** A copy Sentinel rewrote after a failover to cache-2, knowing a Sentinel and a server that are gone since. */
const LEARNT = [
    "port 26379",
    "sentinel myid 0123456789abcdef0123456789abcdef01234567",
    "sentinel monitor cache cache-2 6379 2",
    "sentinel auth-pass cache old-password",
    "user evil on nopass ~* &* +@all",
    "sentinel config-epoch cache 3",
    "sentinel leader-epoch cache 3",
    "sentinel current-epoch 3",
    "sentinel known-replica cache cache-0 6379",
    "sentinel known-replica cache cache-1 6379",
    "sentinel known-replica cache cache-3 6379",
    "sentinel known-sentinel cache cache-sentinel-1 26379 1111111111111111111111111111111111111111",
    "sentinel known-sentinel cache cache-sentinel-4 26379 4444444444444444444444444444444444444444",
    "sentinel known-sentinel other cache-sentinel-2 26379 2222222222222222222222222222222222222222",
    "",
].join("\n");

/** Where busybox is (.ci/run installs busybox-static); a test that needs it fails without it. */
function busybox(): string {
    const found = spawnSync("sh", ["-c", "command -v busybox"], { encoding: "utf8" }).stdout.trim();
    if (!found) throw new Error("busybox not found: install it with `apt-get install -y busybox-static` (.ci/run does)");
    return found;
}

let root: string;
beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "sentinel-start-"));
    for (const variant of ["mawk", "busybox"]) {
        const bin = join(root, variant, "bin");
        mkdirSync(bin, { recursive: true });
        // Prints its arguments one per line, then the file it would run on.
        writeFileSync(join(bin, "redis-server"), '#!/bin/sh\nfor a in "$@"; do echo "arg: $a"; done\ncat "$1"\n');
        chmodSync(join(bin, "redis-server"), 0o755);
        if (variant === "busybox") symlinkSync(busybox(), join(bin, "awk"));
    }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the script with `previous` as the last copy (none when undefined); what `redis-server` got. */
function start(variant: string, previous: string | undefined, rendered = RENDERED, env: Record<string, string> = {}) {
    const dir = mkdtempSync(join(root, `${variant}-run-`));
    writeFileSync(join(dir, "rendered.conf"), rendered);
    if (previous !== undefined) writeFileSync(join(dir, "sentinel.conf"), previous);
    const script = sentinelStartScript(
        "redis",
        join(dir, "rendered.conf"),
        dir,
        "cache",
        env.POD_NAMESPACE ? "${HOSTNAME}.s.${POD_NAMESPACE}.svc" : undefined,
    );
    const run = spawnSync("sh", ["-c", script], {
        env: { PATH: `${join(root, variant, "bin")}:/usr/bin:/bin`, HOSTNAME: "cache-sentinel-0", ...env },
        encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`start script failed: ${run.stderr}`);
    const lines = run.stdout.split("\n");
    return {
        args: lines.filter((l) => l.startsWith("arg: ")).map((l) => l.slice(5)),
        conf: lines.filter((l) => !l.startsWith("arg: ")).join("\n"),
        copy: readFileSync(join(dir, "sentinel.conf"), "utf8"),
        leftover: existsSync(join(dir, "sentinel.conf.next")),
    };
}

describe.each(["mawk", "busybox"])("the Sentinel start script under %s awk", (variant) => {
    it("starts from the rendered file alone the first time", () => {
        const { conf, copy, args, leftover } = start(variant, undefined);
        expect(conf.trim()).toBe(RENDERED.trim());
        expect(copy).toBe(conf);
        expect(args).toEqual([expect.stringMatching(/\/sentinel\.conf$/), "--sentinel"]);
        expect(leftover).toBe(false);
    });

    it("keeps the followed primary and the learnt state that fit the topology, and nothing else of the old copy", () => {
        const { conf } = start(variant, LEARNT);
        const lines = conf.split("\n");
        expect(lines).toContain("sentinel monitor cache cache-2 6379 2");
        expect(lines).not.toContain("sentinel monitor cache cache-0 6379 2");
        // Settings and passwords from the rendered file only; a user line in the old copy is not carried over.
        expect(lines).toContain("sentinel auth-pass cache rendered-password");
        expect(conf).not.toContain("old-password");
        expect(conf).not.toContain("user evil");
        for (const kept of [
            "sentinel myid 0123456789abcdef0123456789abcdef01234567",
            "sentinel current-epoch 3",
            "sentinel config-epoch cache 3",
            "sentinel leader-epoch cache 3",
            "sentinel known-replica cache cache-0 6379",
            "sentinel known-replica cache cache-1 6379",
            "sentinel known-sentinel cache cache-sentinel-1 26379 1111111111111111111111111111111111111111",
        ]) {
            expect(lines).toContain(kept);
        }
        // Gone from the topology (scaled away), or of another primary: a voter that never votes again blocks failovers.
        expect(conf).not.toContain("cache-3");
        expect(conf).not.toContain("cache-sentinel-4");
        expect(conf).not.toContain("2222222222");
    });

    it("falls back to the rendered primary when the followed one is no server at that port any more", () => {
        const moved = start(variant, LEARNT, RENDERED.replaceAll(" 6379", " 6380")).conf.split("\n");
        expect(moved).toContain("sentinel monitor cache cache-0 6380 2");
        expect(moved.filter((l) => l.startsWith("sentinel known-replica"))).toEqual([]);
        const gone = start(variant, LEARNT, RENDERED.replace("# hardened-redis server cache-2 6379\n", "")).conf.split("\n");
        expect(gone).toContain("sentinel monitor cache cache-0 6379 2");
    });

    it("takes the quorum from the rendered file", () => {
        expect(start(variant, LEARNT, RENDERED.replace("cache-0 6379 2", "cache-0 6379 3")).conf.split("\n")).toContain(
            "sentinel monitor cache cache-2 6379 3",
        );
    });

    it("announces the pod's name as one argument, whatever the environment holds", () => {
        const { args } = start(variant, undefined, RENDERED, { POD_NAMESPACE: "ns --port 1 --user evil on nopass" });
        expect(args.slice(1)).toEqual([
            "--sentinel",
            "--sentinel",
            "announce-ip",
            "cache-sentinel-0.s.ns --port 1 --user evil on nopass.svc",
        ]);
    });
});
