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
import { SERVER_PROGRAMS } from "../../policies/shared/programs";
import { REDIS_GID, REDIS_UID } from "../../redis/container";
import { serverNamed } from "../../redis/servers";
import { TRIXIE_ROOT } from "../local/serverPrograms";

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

export interface ScratchImage {
    /** Users besides root, as `name:uid:gid:home`; each gets a group of its own gid. */
    users?: string[];
    /** What the image is, for its title label, which also says it is a test image. */
    title: string;
    /** Puts files into `rootfs` (and any other entries of `context`, returned, for the Dockerfile's own COPY lines). */
    fill(rootfs: string, context: string): Promise<string[] | void>;
    /** Dockerfile lines after `COPY rootfs/ /`. */
    lines?: string[];
}

/**
 * Builds `tag` FROM scratch, unless the engine has it: what `fill` puts in the root filesystem,
 * plus /etc/passwd and /etc/group for root and `users`, a sticky /tmp, and PATH.
 */
export async function buildScratchImage(docker: Docker, tag: string, image: ScratchImage): Promise<string> {
    const existing = await imageIdOf(docker, tag);
    if (existing) return existing;
    const context = await mkdtemp(join(tmpdir(), "scratch-image-"));
    try {
        const rootfs = join(context, "rootfs");
        await mkdir(join(rootfs, "etc"), { recursive: true });
        const users = (image.users ?? []).map((u) => u.split(":"));
        await writeFile(
            join(rootfs, "etc/passwd"),
            ["root:x:0:0:root:/root:/bin/sh", ...users.map(([n, u, g, h]) => `${n}:x:${u}:${g}::${h}:/bin/sh`), ""].join("\n"),
        );
        await writeFile(join(rootfs, "etc/group"), ["root:x:0:", ...users.map(([n, , g]) => `${n}:x:${g}:`), ""].join("\n"));
        await mkdir(join(rootfs, "tmp"), { recursive: true });
        await chmod(join(rootfs, "tmp"), 0o1777);
        const extra = (await image.fill(rootfs, context)) ?? [];
        await writeFile(
            join(context, "Dockerfile"),
            [
                "FROM scratch",
                "COPY rootfs/ /",
                "ENV PATH=/usr/local/bin:/usr/bin:/bin",
                `LABEL org.opencontainers.image.title=${JSON.stringify(`hardened-redis TEST IMAGE: ${image.title}`)}`,
                ...(image.lines ?? []),
                "",
            ].join("\n"),
        );
        await buildFrom(docker, context, ["Dockerfile", "rootfs", ...extra], { t: tag });
    } finally {
        await rm(context, { recursive: true, force: true });
    }
    const id = await imageIdOf(docker, tag);
    if (!id) throw new Error(`building ${tag} produced no image`);
    return id;
}

/** The official images' redis (or valkey) user and group, which own /data. */
const OWNER = `${REDIS_UID}:${REDIS_GID}`;

/** The busybox names a stand-in links; its sh runs every other applet the scripts use (awk, timeout…) by itself. */
const BUSYBOX_TOOLS = ["sh", "grep", "cat", "sleep", "nc"];

/**
 * What every Redis stand-in has besides its server: busybox for the probes and scripts, the config
 * directory, and a /data for the Dockerfile to copy owned by 999:1000 (`standinLines`).
 */
async function laidOutAsOfficial(rootfs: string, context: string): Promise<string[]> {
    await place(rootfs, "/bin/busybox");
    for (const tool of BUSYBOX_TOOLS) await symlink("busybox", join(rootfs, "bin", tool));
    await mkdir(join(rootfs, "usr/local/etc/redis"), { recursive: true });
    await mkdir(join(context, "data"), { recursive: true });
    await writeFile(join(context, "data/.keep"), "");
    return ["data"];
}

/** The Dockerfile lines of a Redis stand-in running `server`: /data owned as in the official image. */
const standinLines = (server: string) => [`COPY --chown=${OWNER} data/ /data/`, "WORKDIR /data", `CMD ["${server}"]`];

function buildStandin(docker: Docker): Promise<string> {
    return buildScratchImage(docker, STANDIN_IMAGE, {
        users: [`redis:${OWNER}:/data`],
        title: "stand-in for redis:7-alpine (Debian redis-server 7.0), not the official redis image",
        async fill(rootfs, context) {
            // Debian ships redis-server as a symlink to redis-check-rdb; the binary picks its mode by name.
            await place(rootfs, "/usr/bin/redis-check-rdb", "/usr/bin/redis-server");
            await place(rootfs, "/usr/bin/redis-cli");
            for (const lib of new Set([...libraries("/usr/bin/redis-check-rdb"), ...libraries("/usr/bin/redis-cli")]))
                await place(rootfs, lib);
            return laidOutAsOfficial(rootfs, context);
        },
        lines: standinLines("redis-server"),
    });
}

/**
 * Stand-ins for the official Redis 8 and Valkey 8 images, out of Debian trixie's root filesystem
 * (scripts/setup.sh builds it), laid out as the 7.0 stand-in: the server and client with the
 * libraries and loader they name, busybox, user 999:1000 owning /data as in the official images.
 */
const TRIXIE_STANDINS = [
    {
        reference: /^(docker\.io\/)?(library\/)?redis:8/,
        tag: "hardened-redis-test/redis-standin:8.0-debian",
        server: "redis-8",
        user: "redis",
    },
    {
        reference: /^(docker\.io\/)?valkey\/valkey:8/,
        tag: "hardened-redis-test/valkey-standin:8.1-debian",
        server: "valkey-8",
        user: "valkey",
    },
];

function buildTrixieStandin(docker: Docker, standin: (typeof TRIXIE_STANDINS)[number]): Promise<string> {
    const server = serverNamed(standin.server);
    const programs = SERVER_PROGRAMS[server.family];
    const lib = join(TRIXIE_ROOT, "usr/lib/x86_64-linux-gnu");
    const loader = join(lib, "ld-linux-x86-64.so.2");
    return buildScratchImage(docker, standin.tag, {
        users: [`${standin.user}:${OWNER}:/data`],
        title: `stand-in for ${server.defaultImage} (Debian trixie's ${programs.server}), not the official image`,
        async fill(rootfs, context) {
            // Trixie's loader lists what a binary loads, from the root filesystem (the host's glibc is older).
            const list = (binary: string) =>
                [...execFileSync(loader, ["--list", "--library-path", lib, binary], { encoding: "utf8" }).matchAll(/=> (\/\S+)/g)].map(
                    (m) => m[1],
                );
            for (const program of [programs.server, programs.cli]) {
                // Debian ships the server as a symlink to its check-rdb binary, which picks its mode by name.
                const binary = join(TRIXIE_ROOT, "usr/bin", program);
                await place(rootfs, binary, `/usr/bin/${program}`);
                for (const file of list(binary)) await place(rootfs, file, file.slice(TRIXIE_ROOT.length));
            }
            await place(rootfs, loader, "/lib64/ld-linux-x86-64.so.2");
            return laidOutAsOfficial(rootfs, context);
        },
        lines: standinLines(programs.server),
    });
}

/** Tag of the stand-in for the exporter image (oliver006/redis_exporter), built from Debian's package. */
export const EXPORTER_STANDIN_IMAGE = "hardened-redis-test/redis-exporter-standin:1.45-debian";

/**
 * Laid out like the official exporter image: FROM scratch, the binary at /redis_exporter as the
 * entrypoint, user 59000:59000, and no shell (so nothing can health-check it from inside either).
 * Debian's build links libc dynamically; the official one is static, so the loader comes along.
 */
function buildExporterStandin(docker: Docker): Promise<string> {
    return buildScratchImage(docker, EXPORTER_STANDIN_IMAGE, {
        users: ["exporter:59000:59000:/"],
        title: "stand-in for oliver006/redis_exporter (Debian prometheus-redis-exporter 1.45), not the official image",
        async fill(rootfs) {
            await place(rootfs, "/usr/bin/prometheus-redis-exporter", "/redis_exporter");
            for (const lib of libraries("/usr/bin/prometheus-redis-exporter")) await place(rootfs, lib);
        },
        lines: ["USER 59000:59000", 'ENTRYPOINT ["/redis_exporter"]'],
    });
}

/**
 * The image ID to run for an image reference the components declare: the real image if the engine
 * has it, else the stand-in for a Redis 7 or a redis_exporter reference. Anything else cannot be
 * pulled here, and says so.
 */
export async function localImageId(docker: Docker, reference: string): Promise<string> {
    const local = await imageIdOf(docker, reference);
    if (local) return local;
    if (/^redis:7/.test(reference)) return (await imageIdOf(docker, STANDIN_IMAGE)) ?? buildStandin(docker);
    const trixie = TRIXIE_STANDINS.find((s) => s.reference.test(reference));
    if (trixie) return (await imageIdOf(docker, trixie.tag)) ?? buildTrixieStandin(docker, trixie);
    if (/^(docker\.io\/)?oliver006\/redis_exporter[:@]/.test(reference))
        return (await imageIdOf(docker, EXPORTER_STANDIN_IMAGE)) ?? buildExporterStandin(docker);
    throw new Error(`image ${reference} is not available locally and cannot be pulled here`);
}
