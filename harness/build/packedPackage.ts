// The package as `npm pack` makes it, built from this tree into a staging folder rather than into
// ./dist, which tests running alongside load: the same tsconfig the prepare script uses, the same
// files (package.json `files`).
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { copyFile, mkdir, mkdtemp } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { compile, compileIntoCache, npmEnvironment } from "./compile";

export { npmEnvironment };

export const ROOT = resolve(__dirname, "../..");

export interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
}

export function run(command: string, args: string[], options: SpawnSyncOptions & { input?: string }): Run {
    const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 600_000, ...options });
    if (result.error) throw result.error;
    return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function ok(result: Run, what: string): string {
    if (result.status !== 0) throw new Error(`${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}

/** Where tests keep what they fetch from the npm registry between runs (the same folder .ci/run keeps Node binaries in). */
export function cacheDirectory(name: string): string {
    return join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "hardened-redis", name);
}

/**
 * This tree built as `npm run build` builds it, into a folder of its own below node_modules/.cache
 * (so the built files resolve ioredis and the SDK from this tree's node_modules), never into
 * ./dist. `dir` holds what ./dist would (`client/index.js`, `index.js`).
 */
export function buildPackage(): { dir: string; remove(): void } {
    return compileIntoCache(ROOT, "tsconfig.build.json", "build-");
}

/** Builds and packs this tree into `work`; returns the tarball's path. */
export async function packPackage(work: string, env: NodeJS.ProcessEnv = npmEnvironment()): Promise<string> {
    const stage = await mkdtemp(join(work, "package-"));
    for (const file of ["package.json", "README.md", "PulumiPlugin.yaml"]) await copyFile(join(ROOT, file), join(stage, file));
    compile(ROOT, "tsconfig.build.json", join(stage, "dist"));
    await mkdir(work, { recursive: true });
    const packed = JSON.parse(
        ok(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: stage, env }), "npm pack"),
    ) as Array<{ filename: string }>;
    return join(work, packed[0].filename);
}
