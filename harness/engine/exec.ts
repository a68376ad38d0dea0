import type Docker from "dockerode";

/** Docker's multiplexed exec stream: frames of [stream (1 stdout, 2 stderr), 0, 0, 0, size (uint32 BE)] then the bytes. */
export function demux(raw: Buffer): { stdout: string; stderr: string } {
    const parts: Record<number, Buffer[]> = { 1: [], 2: [] };
    for (let at = 0; at + 8 <= raw.length;) {
        const size = raw.readUInt32BE(at + 4);
        parts[raw[at]]?.push(raw.subarray(at + 8, at + 8 + size));
        at += 8 + size;
    }
    return { stdout: Buffer.concat(parts[1]).toString("utf8"), stderr: Buffer.concat(parts[2]).toString("utf8") };
}

/**
 * Runs a command in a running container, as `user` if given (else the container's user); resolves
 * with its exit code, its output (Docker's raw stream: stdout and stderr frames with their
 * headers), and stdout and stderr apart.
 */
export async function execIn(
    container: Docker.Container,
    cmd: string[],
    user?: string,
): Promise<{ code: number; output: string; stdout: string; stderr: string }> {
    const e = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: user });
    const stream = await e.start({});
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    await new Promise((resolve) => stream.on("end", resolve));
    const raw = Buffer.concat(chunks);
    return { code: (await e.inspect()).ExitCode ?? -1, output: raw.toString("utf8"), ...demux(raw) };
}
