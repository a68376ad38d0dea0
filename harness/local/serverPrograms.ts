// Where the local tests get each server's programs. Redis 7 is the host's (Debian bookworm's
// 7.0). Redis 8 and Valkey 8 come from Debian trixie's root filesystem, which `npm run setup`
// builds (scripts/setup.sh, the same path); they run through that filesystem's own loader and
// libraries, as the host's glibc is older than theirs, so paths stay the host's.
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVER_PROGRAMS } from "../../policies/shared/programs";
import type { RedisServerKind } from "../../redis/servers";

/** Debian trixie's root filesystem (scripts/setup.sh builds it there). */
export const TRIXIE_ROOT = process.env.HARDENED_REDIS_TRIXIE ?? "/var/cache/hardened-redis/trixie";

/** Where each server's programs come from here: the host, or the trixie root filesystem. */
const SOURCE: Readonly<Record<string, "host" | "trixie">> = { "redis-7": "host", "redis-8": "trixie", "valkey-8": "trixie" };

/** The argv prefix that runs `program` of `server` here; its arguments follow. Throws, saying how to get it, when it is missing. */
export function localProgram(server: RedisServerKind, program: "server" | "cli"): string[] {
    const name = SERVER_PROGRAMS[server.family][program];
    const source = SOURCE[server.name];
    if (source === undefined) throw new Error(`no local programs for server ${server.name}`);
    if (source === "host") return [name];
    const lib = join(TRIXIE_ROOT, "usr/lib/x86_64-linux-gnu");
    const binary = join(TRIXIE_ROOT, "usr/bin", name);
    if (!existsSync(join(TRIXIE_ROOT, ".hardened-redis-packages")) || !existsSync(binary)) {
        throw new Error(
            `${server.title}'s ${name} is not in ${TRIXIE_ROOT}; run \`npm run setup\` (it builds Debian trixie's root filesystem there; .ci/run does)`,
        );
    }
    return [join(lib, "ld-linux-x86-64.so.2"), "--library-path", lib, binary];
}

/** Per server, a directory of wrappers that run its programs by their plain names (made once a process). */
const wrappers = new Map<string, string>();

/**
 * The environment in which a script that names `server`'s programs plainly (`exec valkey-server`,
 * `valkey-cli`: the components' start scripts) runs this machine's copies of them.
 */
export function withLocalPrograms(server: RedisServerKind, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    if (SOURCE[server.name] === "host") return env;
    let dir = wrappers.get(server.name);
    if (dir === undefined) {
        dir = mkdtempSync(join(tmpdir(), `hardened-redis-${server.name}-bin-`));
        for (const program of ["server", "cli"] as const) {
            const file = join(dir, SERVER_PROGRAMS[server.family][program]);
            const argv = localProgram(server, program).map((word) => `'${word}'`);
            writeFileSync(file, `#!/bin/sh\nexec ${argv.join(" ")} "$@"\n`);
            chmodSync(file, 0o755);
        }
        wrappers.set(server.name, dir);
    }
    return { ...env, PATH: `${dir}:${env.PATH ?? ""}` };
}
