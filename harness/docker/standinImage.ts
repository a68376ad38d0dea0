// The image the realised containers run. No registry is reachable here, so when the official
// redis:7-alpine is not already local, a stand-in is built FROM scratch out of this machine's
// Debian redis-server/redis-cli (7.0) and a static busybox (sh and grep for the healthcheck),
// laid out like the official image: user redis = 999:1000, /data owned by it. It is tagged
// as a test stand-in so nobody mistakes it for the official image.
import { execFileSync } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type Docker from "dockerode";

export const STANDIN_IMAGE = "hardened-redis-test/redis-standin:7.0-debian";

/** The image's ID if the engine has it. */
export async function imageIdOf(docker: Docker, name: string): Promise<string | undefined> {
    try {
        return (await docker.getImage(name).inspect()).Id;
    } catch {
        return undefined;
    }
}

/** Shared libraries a binary loads, from ldd. */
export function libraries(binary: string): string[] {
    const out = execFileSync("ldd", [binary], { encoding: "utf8" });
    return [...out.matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1]);
}

/** Copies `source` to `target` under `root`, following symlinks. */
export async function place(root: string, source: string, target = source): Promise<void> {
    await mkdir(join(root, dirname(target)), { recursive: true });
    await copyFile(source, join(root, target)); // dereferences symlinks
}

/** Builds an image from the entries `src` of the directory `context`; rejects with the builder's error. */
export async function buildFrom(docker: Docker, context: string, src: string[], options: Record<string, unknown>): Promise<string[]> {
    const stream = await docker.buildImage({ context, src }, options);
    return new Promise<string[]>((resolve, reject) =>
        docker.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string; stream?: string }>) => {
            const failed = output?.find((o) => o.error);
            const log = (output ?? []).map((o) => o.stream ?? "").filter(Boolean);
            if (err || failed) reject(new Error(`${(err ?? new Error(failed?.error)).message}\n${log.slice(-30).join("")}`));
            else resolve(log);
        }),
    );
}

async function buildStandin(docker: Docker): Promise<string> {
    const context = await mkdtemp(join(tmpdir(), "redis-standin-"));
    try {
        const rootfs = join(context, "rootfs");
        // Debian ships redis-server as a symlink to redis-check-rdb; the binary picks its mode by name.
        await place(rootfs, "/usr/bin/redis-check-rdb", "/usr/bin/redis-server");
        await place(rootfs, "/usr/bin/redis-cli");
        for (const lib of new Set([...libraries("/usr/bin/redis-check-rdb"), ...libraries("/usr/bin/redis-cli")])) await place(rootfs, lib);
        await place(rootfs, "/bin/busybox");
        for (const tool of ["sh", "grep", "cat", "sleep", "nc"]) await symlink("busybox", join(rootfs, "bin", tool));
        await mkdir(join(rootfs, "etc"), { recursive: true });
        await writeFile(join(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nredis:x:999:1000::/data:/bin/sh\n");
        await writeFile(join(rootfs, "etc/group"), "root:x:0:\nredis:x:1000:\n");
        await mkdir(join(rootfs, "tmp"), { recursive: true });
        await chmod(join(rootfs, "tmp"), 0o1777);
        await mkdir(join(rootfs, "usr/local/etc/redis"), { recursive: true });
        await mkdir(join(context, "data"), { recursive: true });
        await writeFile(join(context, "data/.keep"), "");
        await writeFile(
            join(context, "Dockerfile"),
            [
                "FROM scratch",
                "COPY rootfs/ /",
                "COPY --chown=999:1000 data/ /data/",
                "ENV PATH=/usr/local/bin:/usr/bin:/bin",
                'LABEL org.opencontainers.image.title="hardened-redis TEST STAND-IN (Debian redis-server 7.0), not the official redis image"',
                "WORKDIR /data",
                'CMD ["redis-server"]',
                "",
            ].join("\n"),
        );
        await buildFrom(docker, context, ["Dockerfile", "rootfs", "data"], { t: STANDIN_IMAGE });
    } finally {
        await rm(context, { recursive: true, force: true });
    }
    const id = await imageIdOf(docker, STANDIN_IMAGE);
    if (!id) throw new Error(`building ${STANDIN_IMAGE} produced no image`);
    return id;
}

/** The image ID to run for a Redis 7 image reference: the real one if present, else the stand-in. */
export async function redisImageId(docker: Docker, reference: string): Promise<string> {
    const local = await imageIdOf(docker, reference);
    if (local) return local;
    if (!/^redis:7/.test(reference)) throw new Error(`image ${reference} is not available locally and cannot be pulled here`);
    return (await imageIdOf(docker, STANDIN_IMAGE)) ?? buildStandin(docker);
}
