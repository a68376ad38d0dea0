// Builds with this tree's TypeScript into a folder of the caller's choosing. Test files run in
// parallel, so none builds into ./dist or policies/bin, which another may be loading.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";

/** The environment for an npm run of our own: without the npm_* settings of the `npm test` that runs us. */
export function npmEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("npm_")));
}

/** Compiles `tsconfig` (relative to `root`) into `outDir`, failing with the compiler's output. */
export function compile(root: string, tsconfig: string, outDir: string): void {
    const build = spawnSync("npx", ["tsc", "-p", tsconfig, "--outDir", outDir], { cwd: root, env: npmEnvironment(), encoding: "utf8" });
    if (build.error) throw build.error;
    if (build.status !== 0) throw new Error(`tsc -p ${tsconfig} failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
}

/**
 * Compiles `tsconfig` into a new folder below `root`/node_modules/.cache/hardened-redis (where the
 * output still resolves this tree's node_modules), named `<prefix><random>`; `remove` deletes it.
 */
export function compileIntoCache(root: string, tsconfig: string, prefix: string): { dir: string; remove(): void } {
    const cache = join(root, "node_modules", ".cache", "hardened-redis");
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, prefix));
    const remove = () => rmSync(dir, { recursive: true, force: true });
    try {
        compile(root, tsconfig, dir);
    } catch (e) {
        remove();
        throw e;
    }
    return { dir, remove };
}
