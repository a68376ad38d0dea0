import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedClients, connect, RedisTlsError, type ConnectOptions } from "../../client";
import { certificateAuthority } from "../../harness/local/certificates";
import { freeLoopbackPort, startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Far below the 5 s commandTimeout the first command would otherwise wait out: the failure is reported, not timed out. */
const PROMPT_MS = 3_000;

/** How a fresh client's first command failed, how long that took, and whether the client went on reconnecting. */
async function firstFailure(url: string, options: ConnectOptions) {
    const client = connect(url, { ...options, shared: false });
    // Asserted through the commands instead (ioredis would otherwise log each one).
    client.on("error", () => {});
    let attempts = 0;
    client.on("connecting", () => (attempts += 1));
    const started = performance.now();
    const error = await client.ping().then(
        () => undefined,
        (e: unknown) => e,
    );
    const elapsedMs = performance.now() - started;
    // A client that stops ends within a moment (at most one more attempt), then makes no other.
    for (let waited = 0; client.status !== "end" && waited < 2_000; waited += 20) await sleep(20);
    const status = client.status;
    const attemptsAtEnd = attempts;
    await sleep(500);
    const later = await client.ping().then(
        () => undefined,
        (e: unknown) => e,
    );
    client.disconnect();
    return { error: error as RedisTlsError, elapsedMs, status, attemptsAfterEnd: attempts - attemptsAtEnd, later: later as Error };
}

/** What every clear error must hold to: the right class, and no secret from the URL. */
function expectClear(error: unknown, server: LocalRedis): asserts error is RedisTlsError {
    expect(error).toBeInstanceOf(RedisTlsError);
    const e = error as RedisTlsError;
    expect(e.name).toBe("RedisTlsError");
    for (const text of [e.message, String(e.cause)]) {
        expect(text).not.toContain(server.password);
        expect(text).not.toContain(server.connectionString);
        expect(text).not.toContain("app:");
    }
}

describe("connect() to a TLS-only Redis", () => {
    let server: LocalRedis;
    let plaintext: LocalRedis;
    let dir: string;

    beforeAll(async () => {
        [server, plaintext] = await Promise.all([startLocalRedis({ tls: true }), startLocalRedis()]);
        dir = await mkdtemp(join(tmpdir(), "hardened-redis-ca-"));
    });

    afterAll(async () => {
        await closeSharedClients();
        await Promise.all([server?.stop(), plaintext?.stop()]);
        if (dir) await rm(dir, { recursive: true, force: true });
    });

    const ca = () => server.tls?.caCertificate ?? "";

    describe("trusting the components' CA", () => {
        it("verifies the server against the CA given as caCertificate", async () => {
            const client = connect(server.connectionString, { caCertificate: ca(), shared: false });
            try {
                expect(await client.ping()).toBe("PONG");
                expect((client.stream as TLSSocket).authorized).toBe(true);
            } finally {
                client.disconnect();
            }
        });

        it("reads the CA from caFile", async () => {
            const file = join(dir, "ca.crt");
            await writeFile(file, ca());
            const client = connect(server.connectionString, { caFile: file, shared: false });
            try {
                expect(await client.ping()).toBe("PONG");
            } finally {
                client.disconnect();
            }
            expect(() => connect(server.connectionString, { caFile: join(dir, "missing.crt"), shared: false })).toThrow(
                /^connect: caFile \S+missing\.crt could not be read \(ENOENT\)$/,
            );
        });

        it("refuses a CA option that holds no certificate, without echoing it", async () => {
            const notPem = "/run/secrets/redis-ca.crt";
            expect(() => connect(server.connectionString, { caCertificate: notPem })).toThrow(
                /caCertificate holds no PEM certificate.*use caFile/,
            );
            const key = join(dir, "key.pem");
            await writeFile(key, "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");
            try {
                connect(server.connectionString, { caFile: key });
                expect.unreachable();
            } catch (e) {
                expect((e as Error).message).toMatch(/caFile \S+key\.pem holds no PEM certificate/);
                expect((e as Error).message).not.toContain("c2VjcmV0");
            }
        });

        it("refuses caCertificate and caFile together", () => {
            expect(() => connect(server.connectionString, { caCertificate: ca(), caFile: join(dir, "ca.crt") })).toThrow(
                /caCertificate or as caFile, not both/,
            );
        });

        it("refuses a CA option with a redis:// (plaintext) URL", () => {
            for (const options of [{ caCertificate: ca() }, { caFile: join(dir, "ca.crt") }]) {
                expect(() => connect(plaintext.connectionString, options)).toThrow(/are for TLS \(rediss:\/\/\) URLs/);
            }
        });

        it("refuses tls.rejectUnauthorized: false", () => {
            expect(() => connect(server.connectionString, { caCertificate: ca(), tls: { rejectUnauthorized: false } })).toThrow(
                /rejectUnauthorized: false would accept any certificate/,
            );
        });

        it("refuses ioredis's TLS profiles (Redis Cloud's CAs), alone or beside other options, naming the option that works", () => {
            // ioredis 6.1 types them; ioredis 5 resolves them at run time too.
            for (const tls of ["RedisCloudFixed", { profile: "RedisCloudFlexible", servername: "cache" }]) {
                expect(() => connect(server.connectionString, { tls } as ConnectOptions)).toThrow(
                    /tls names the TLS profile "RedisCloud(Fixed|Flexible)", which trusts Redis Cloud's CAs; pass the CA .* as caCertificate or caFile/,
                );
            }
        });

        it("shares one client per URL however the same CA is given, and refuses another CA", async () => {
            await closeSharedClients();
            const file = join(dir, "shared-ca.crt");
            await writeFile(file, ca());
            const client = connect(server.connectionString, { caCertificate: ca() });
            expect(connect(server.connectionString, { caCertificate: `\n${ca().replace(/\n/g, "\r\n")}\n\n` })).toBe(client);
            expect(connect(server.connectionString, { caFile: file })).toBe(client);
            expect(connect(server.connectionString)).toBe(client);
            expect(() => connect(server.connectionString, { caCertificate: certificateAuthority().certificate })).toThrow(
                /created with other options \(caCertificate\)/,
            );
            expect(() => connect(server.connectionString, { caCertificate: ca(), tls: { servername: "localhost" } })).toThrow(
                /created with other options \(tls\)/,
            );
            expect(await client.ping()).toBe("PONG");
        });
    });

    describe("a certificate it cannot verify: a prompt, clear error, and no reconnecting", () => {
        it("another CA than the one that issued it", async () => {
            const { error, elapsedMs, status, attemptsAfterEnd, later } = await firstFailure(server.connectionString, {
                caCertificate: certificateAuthority().certificate,
            });
            expectClear(error, server);
            expect(error.reason).toBe("certificate");
            expect(error.code).toMatch(/^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/);
            expect(error.code).toBe((error.cause as NodeJS.ErrnoException).code);
            expect(error.message).toContain(
                `Redis at 127.0.0.1:${server.port}: the server's certificate could not be verified (${error.code}: `,
            );
            expect(error.message).toMatch(/did not issue it: pass the CA .* as caCertificate, or its path as caFile/);
            expect(error.message).toContain("does not reconnect");
            expect(elapsedMs).toBeLessThan(PROMPT_MS);
            expect(status).toBe("end");
            expect(attemptsAfterEnd).toBe(0);
            // Later commands are told the same, not "Connection is closed.".
            expect(later).toBeInstanceOf(RedisTlsError);
        });

        it("no CA at all: Node's default CAs did not issue it", async () => {
            const { error, elapsedMs, status } = await firstFailure(server.connectionString, {});
            expectClear(error, server);
            expect(error.reason).toBe("certificate");
            expect(error.message).toMatch(/trusts only Node's default CAs: pass the CA .* as caCertificate, or its path as caFile/);
            expect(elapsedMs).toBeLessThan(PROMPT_MS);
            expect(status).toBe("end");
        });

        it("a certificate that does not name the host it is checked against (tls.servername)", async () => {
            const { error, elapsedMs, status, attemptsAfterEnd } = await firstFailure(server.connectionString, {
                caCertificate: ca(),
                tls: { servername: "redis.example" },
            });
            expectClear(error, server);
            expect(error.reason).toBe("certificate");
            expect(error.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
            expect(error.message).toContain("(certificate checked for redis.example)");
            expect(error.message).toContain("ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames");
            expect(error.message).toMatch(/pass that name as tls\.servername/);
            expect(elapsedMs).toBeLessThan(PROMPT_MS);
            expect(status).toBe("end");
            expect(attemptsAfterEnd).toBe(0);
        });

        it("a caller's checkServerIdentity adds to the name check and cannot skip it", async () => {
            const skipping = await firstFailure(server.connectionString, {
                caCertificate: ca(),
                tls: { servername: "redis.example", checkServerIdentity: () => undefined },
            });
            expect(skipping.error.code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
            const pinning = await firstFailure(server.connectionString, {
                caCertificate: ca(),
                tls: { checkServerIdentity: () => Object.assign(new Error("not the pinned key"), { code: "PIN_MISMATCH" }) },
            });
            expectClear(pinning.error, server);
            expect(pinning.error.message).toContain("(PIN_MISMATCH: not the pinned key)");
            expect(pinning.status).toBe("end");
        });
    });

    describe("a URL scheme the server does not speak", () => {
        it("redis:// to a TLS-only server: told to use rediss://, and no reconnecting once a probe saw TLS", async () => {
            const url = server.connectionString.replace(/^rediss:/, "redis:");
            const { error, elapsedMs, status, attemptsAfterEnd, later } = await firstFailure(url, {});
            expectClear(error, server);
            expect(error.reason).toBe("server-requires-tls");
            expect(error.message).toContain(`Redis at 127.0.0.1:${server.port}`);
            expect(error.message).toMatch(/TLS connections only.*use its rediss:\/\/ connection string, with caCertificate or caFile/);
            expect(elapsedMs).toBeLessThan(PROMPT_MS);
            expect(status).toBe("end");
            expect(attemptsAfterEnd).toBe(0);
            expect(later).toBeInstanceOf(RedisTlsError);
            expect(later.message).toMatch(
                /accepts TLS connections only \(it closed the connection without replying \((ECONNRESET|closed)\), and answered a TLS probe\)/,
            );
        });

        it("rediss:// to a plaintext server: told to use redis://, promptly, and no reconnecting", async () => {
            const url = plaintext.connectionString.replace(/^redis:/, "rediss:");
            const { error, elapsedMs, status, attemptsAfterEnd } = await firstFailure(url, { caCertificate: ca() });
            expectClear(error, plaintext);
            expect(error.reason).toBe("server-is-plaintext");
            expect(error.message).toContain(
                `Redis at 127.0.0.1:${plaintext.port} answers in plaintext and did not answer the TLS handshake`,
            );
            expect(error.message).toMatch(/Use its redis:\/\/ connection string, or turn TLS on in the server/);
            expect(elapsedMs).toBeLessThan(PROMPT_MS);
            expect(status).toBe("end");
            expect(attemptsAfterEnd).toBe(0);
        });

        describe("a listener that closes every connection without replying, and speaks no TLS either (a proxy whose backend is down)", () => {
            let proxy: Server;
            let port: number;
            beforeAll(async () => {
                port = await freeLoopbackPort();
                // As a TLS-only Redis does: read what the client sent, then reset the connection.
                proxy = createServer((socket: Socket) => socket.once("data", () => socket.resetAndDestroy()));
                await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
            });
            afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

            it("says the server may be TLS-only, promptly, and keeps reconnecting: nothing proved it wrong", async () => {
                const url = plaintext.connectionString.replace(`:${plaintext.port}/`, `:${port}/`);
                const client: Redis = connect(url, { shared: false });
                client.on("error", () => {});
                try {
                    const started = performance.now();
                    const error = await client.ping().then(
                        () => undefined,
                        (e: unknown) => e,
                    );
                    expect(performance.now() - started).toBeLessThan(PROMPT_MS);
                    expectClear(error, plaintext);
                    expect(error.reason).toBe("server-requires-tls");
                    expect(error.message).toMatch(
                        new RegExp(
                            `^Redis at 127\\.0\\.0\\.1:${port} closed the connection without replying \\(ECONNRESET\\)\\. The server may accept TLS connections only`,
                        ),
                    );
                    await sleep(500);
                    expect(client.status).not.toBe("end");
                } finally {
                    client.disconnect();
                }
            });
        });
    });
});
