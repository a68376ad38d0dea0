import type Docker from "dockerode";

/**
 * Runs a command in a running container, as `user` if given (else the container's user); resolves
 * with its exit code and output (Docker's raw stream: stdout and stderr frames with their headers).
 */
export async function execIn(container: Docker.Container, cmd: string[], user?: string): Promise<{ code: number; output: string }> {
    const e = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, User: user });
    const stream = await e.start({});
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    await new Promise((resolve) => stream.on("end", resolve));
    return { code: (await e.inspect()).ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8") };
}
