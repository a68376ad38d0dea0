// Stand-ins for the two base images of examples/app/Dockerfile, which no registry here can
// provide: a build base (node, npm, a shell) and a runtime base (node, user `node` = 1000:1000, as
// the official node images have). Both are built FROM scratch out of the Node running the tests
// and this machine's npm. With no registry inside the build either, the build base carries an npm
// cache holding exactly what the app's lockfile names (filled on the host, which reaches the npm
// registry) and sets npm offline, so the Dockerfile's own `npm ci` installs from the lockfile unchanged.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { realpathSync } from "node:fs";
import type Docker from "dockerode";
import { cacheDirectory, npmEnvironment } from "../build/packedPackage";
import { buildScratchImage, libraries, place } from "./standinImage";

export interface NodeStandins {
    /** Build arguments for examples/app/Dockerfile. */
    NODE_BUILD_IMAGE: string;
    NODE_RUNTIME_IMAGE: string;
}

const CACHE_IN_IMAGE = "/usr/local/share/npm-cache";

/** node, its libraries, busybox as sh and env, user node (1000:1000), plus what `fill` adds. */
function buildNodeImage(docker: Docker, tag: string, env: string[], fill?: (rootfs: string) => Promise<void>): Promise<string> {
    return buildScratchImage(docker, tag, {
        users: ["node:1000:1000:/home/node"],
        title: `stand-in for a node image (Node ${process.version} from the test machine), not an official node image`,
        async fill(rootfs) {
            await place(rootfs, process.execPath, "/usr/local/bin/node");
            for (const lib of libraries(process.execPath)) await place(rootfs, lib);
            await place(rootfs, "/bin/busybox");
            for (const tool of ["sh", "cat", "ls", "id"]) await symlink("busybox", join(rootfs, "bin", tool));
            await mkdir(join(rootfs, "usr/bin"), { recursive: true });
            await symlink("/bin/busybox", join(rootfs, "usr/bin/env"));
            await mkdir(join(rootfs, "root"), { recursive: true });
            await fill?.(rootfs);
        },
        lines: [...(env.length > 0 ? [`ENV HOME=/root ${env.join(" ")}`] : []), 'CMD ["node"]'],
    });
}

/** This machine's npm: the package directory behind the `npm` on PATH. */
function npmDirectory(): string {
    const cli = realpathSync(execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
    return dirname(dirname(cli));
}

/**
 * An npm cache holding what `appDir`'s lockfile names: `npm ci` into a scratch copy, on the host.
 * Kept between runs in the user's cache directory, so npm only re-checks it.
 */
async function npmCacheFor(appDir: string): Promise<string> {
    const cache = cacheDirectory("example-app-npm");
    const scratch = await mkdtemp(join(tmpdir(), "app-npm-"));
    try {
        for (const entry of ["package.json", "package-lock.json", "vendor"])
            await cp(join(appDir, entry), join(scratch, entry), { recursive: true });
        execFileSync("npm", ["ci", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--cache", cache], {
            cwd: scratch,
            env: npmEnvironment(),
            stdio: "pipe",
            timeout: 600_000,
        });
    } catch (e) {
        const err = e as { stderr?: Buffer; message: string };
        throw new Error(
            `npm ci of ${appDir} failed (is package-lock.json in step with package.json and vendor/? See examples/app/README.md):\n${String(err.stderr ?? err.message)}`,
        );
    } finally {
        await rm(scratch, { recursive: true, force: true });
    }
    return cache;
}

/** Builds (or reuses) the two stand-ins for the app in `appDir`, whose vendor/ must be in place. */
export async function nodeStandins(docker: Docker, appDir: string): Promise<NodeStandins> {
    const npm = npmDirectory();
    const npmVersion = (JSON.parse(await readFile(join(npm, "package.json"), "utf8")) as { version: string }).version;
    const lock = await readFile(join(appDir, "package-lock.json"));
    const key = createHash("sha256").update(`${process.version}\n${npmVersion}\n`).update(lock).digest("hex").slice(0, 12);
    const version = process.version.slice(1);
    const NODE_RUNTIME_IMAGE = `hardened-redis-test/node-runtime-standin:${version}`;
    await buildNodeImage(docker, NODE_RUNTIME_IMAGE, []);
    const buildTag = `hardened-redis-test/node-build-standin:${version}-${key}`;
    const NODE_BUILD_IMAGE = buildTag;
    await buildNodeImage(
        docker,
        buildTag,
        [`npm_config_cache=${CACHE_IN_IMAGE}`, "npm_config_offline=true", "npm_config_update_notifier=false"],
        async (rootfs) => {
            await cp(npm, join(rootfs, "usr/local/lib/node_modules/npm"), { recursive: true, dereference: true });
            await symlink("../lib/node_modules/npm/bin/npm-cli.js", join(rootfs, "usr/local/bin/npm"));
            await symlink("../lib/node_modules/npm/bin/npx-cli.js", join(rootfs, "usr/local/bin/npx"));
            await cp(await npmCacheFor(appDir), join(rootfs, CACHE_IN_IMAGE), { recursive: true });
        },
    );
    return { NODE_BUILD_IMAGE, NODE_RUNTIME_IMAGE };
}
