// What a TLS server looks like from outside: openssl s_client's view, and a plaintext client's.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "../local/localRedis";

/** `openssl s_client` against `host:port`, with the CA in a file; its output and exit status. */
export function sClient(host: string, port: number, caCertificate: string, flags: string[]): { output: string; status: number | null } {
    requireBinary("openssl", "install it with `apt-get install -y openssl` (.ci/run does)");
    const dir = mkdtempSync(join(tmpdir(), "s-client-"));
    try {
        writeFileSync(join(dir, "ca.crt"), caCertificate);
        const run = spawnSync(
            "openssl",
            ["s_client", "-connect", `${host}:${port}`, "-CAfile", join(dir, "ca.crt"), "-verify_return_error", "-showcerts", ...flags],
            { input: "", timeout: 10_000, encoding: "utf8" },
        );
        return { output: `${run.stdout}${run.stderr}`, status: run.status };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** What a plaintext client gets from the port: the bytes Redis sends back before closing, if any. */
export function plaintextReply(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = tcpConnect(port, host, () => socket.write("PING\r\n"));
        let received = "";
        socket.setTimeout(5_000, () => socket.destroy(new Error("no reply and no close within 5 s")));
        socket.on("data", (chunk) => (received += chunk.toString("latin1")));
        socket.on("close", () => resolve(received));
        socket.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve(received) : reject(e)));
    });
}
