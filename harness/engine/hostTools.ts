// Runs this machine's own client programs (redis-cli, python3 with redis-py, node with node-redis)
// in a container on a Docker network, so they reach Redis exactly as an application container
// would: by its alias, resolved by Docker's DNS, which answers only inside the network. The
// programs are bind-mounted read-only from the host into an image that holds nothing else.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { TEST_LABEL } from "./engine";
import { demux } from "./exec";
import { tarOf } from "./realise";
import { buildScratchImage } from "./standinImage";

const IMAGE = "hardened-redis-test/host-tools:1";
/** Where `files` land in the container (mode 0400). */
export const CLIENT_DIR = "/run/client";

async function hostToolsImage(docker: Docker): Promise<string> {
    await buildScratchImage(docker, IMAGE, {
        title: "the host's own programs, bind-mounted",
        async fill(rootfs) {
            await mkdir(join(rootfs, CLIENT_DIR), { recursive: true });
        },
    });
    return IMAGE;
}

export interface HostToolRun {
    code: number;
    stdout: string;
    stderr: string;
}

/**
 * Runs `command` in a fresh container on `network` (writable: files are put in before it starts) with the host's /usr, /bin and /lib mounted
 * read-only, `files` in {@link CLIENT_DIR}, and `binds` (host:container, read-only) besides, as root unless `user` says otherwise.
 * Resolves when it exits (at most `timeoutMs`), with its output.
 */
export async function runOnNetwork(
    docker: Docker,
    network: string,
    command: string[],
    options: { files?: Record<string, string>; env?: string[]; binds?: string[]; timeoutMs?: number; user?: string } = {},
): Promise<HostToolRun> {
    const container = await docker.createContainer({
        Image: await hostToolsImage(docker),
        Cmd: command,
        Env: options.env,
        User: options.user,
        Labels: { [TEST_LABEL]: "host-tools" },
        HostConfig: {
            NetworkMode: network,
            CapDrop: ["ALL"],
            SecurityOpt: ["no-new-privileges:true"],
            Tmpfs: { "/tmp": "rw,nosuid,nodev,size=16m" },
            Binds: ["/usr:/usr:ro", "/bin:/bin:ro", "/lib:/lib:ro", "/lib64:/lib64:ro", ...(options.binds ?? []).map((b) => `${b}:ro`)],
        },
    });
    try {
        for (const [name, content] of Object.entries(options.files ?? {}))
            await container.putArchive(tarOf(`${CLIENT_DIR.slice(1)}/${name}`, Buffer.from(content), 0o400), { path: "/" });
        await container.start();
        const timeout = new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`${command.join(" ")} did not exit in time`)), options.timeoutMs ?? 60_000).unref(),
        );
        const { StatusCode } = (await Promise.race([container.wait(), timeout])) as { StatusCode: number };
        const raw = await container.logs({ stdout: true, stderr: true, follow: false });
        return { code: StatusCode, ...demux(raw) };
    } finally {
        await container.remove({ force: true });
    }
}
