import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis, { type RedisOptions } from "ioredis";
import { connectionStrings } from "../../platforms/common/credentials";
import { TLS_FILES } from "../../redis/container";
import { hardenedUsers, type RedisUserPasswords } from "../../redis/acl/users";
import { issueCertificates, type IssuedCertificates } from "./certificates";
import { renderRedisConfig } from "../../redis/config/render";
import { DEFAULT_SERVER, serverNamed, type RedisServerKind } from "../../redis/servers";
import { localProgram } from "./serverPrograms";
import type { RedisConfigSettings } from "../../redis/config/settings";

/** A running Redis under test; the interface stays this small so a containerised one can replace it. */
export interface RedisUnderTest {
    /** As the components' `connectionString`: the least-privilege `app` user. */
    connectionString: string;
    /** As the components' `adminConnectionString`. */
    adminConnectionString: string;
    /** With TLS (`rediss://` strings): what a client must be told besides the string. */
    tls?: RedisTlsUnderTest;
    stop(): Promise<void>;
}

/** What a TLS client of a Redis under test needs. */
export interface RedisTlsUnderTest {
    /** As the components' `caCertificate` output. */
    caCertificate: string;
    /**
     * The name to verify the certificate against, when the connection string's host was rewritten to
     * an address the test can reach (a container's bridge address) that the certificate does not name.
     */
    servername?: string;
}

/** Every secret a Redis is started with, shaped like what the components generate. */
export interface RedisSecrets {
    passwords: RedisUserPasswords;
    configCommandName: string;
}

export interface LocalRedis extends RedisUnderTest, RedisSecrets {
    /** The `app` user's current password. */
    password: string;
    port: number;
    dataDir: string;
    /** SIGKILL, as when the node dies; stop() still cleans up. */
    kill(): Promise<void>;
    /**
     * A new redis-server on the same files and port, as a container restarted on its volume. By
     * default the old one gets SIGKILL, as when the node dies: with `appendfsync everysec` that may
     * lose what was acknowledged in the last second or two (Redis postpones the AOF write while an
     * fsync is slow). `graceful` stops it with SIGTERM, as a pod roll does: everything acknowledged
     * is on disk. `whileDown` runs in between (to change what is on disk, as a crash would leave it).
     * `server` starts another server on the same files and data (a volume moved between servers).
     */
    restart(options?: { graceful?: boolean; whileDown?: () => Promise<void>; server?: RedisServerKind }): Promise<void>;
}

/** Fails loudly when a binary the tests need is absent: CI must install it, never skip. */
export function requireBinary(name: string, hint: string): void {
    if (spawnSync("sh", ["-c", `command -v ${name}`]).status !== 0) {
        throw new Error(`${name} is not installed; ${hint}`);
    }
}

export async function freeLoopbackPort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/** A password shaped like the ones `@pulumi/random` generates for the components. */
export function generatedPassword(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#%*+,-.:=?@^_~";
    return Array.from({ length: 32 }, () => alphabet[randomInt(alphabet.length)]).join("");
}

/** Secrets shaped like the ones the components generate: one password per user, a random CONFIG name. */
export function generatedSecrets(): RedisSecrets {
    return {
        passwords: { app: [generatedPassword()], admin: [generatedPassword()], replication: [generatedPassword()] },
        configCommandName: randomBytes(16).toString("hex"),
    };
}

/**
 * How anonymous probes reach each local TLS Redis, by port: trusting its CA and, as the
 * components' probes do, presenting the server's own certificate (for mutual TLS).
 */
const tlsTrust = new Map<number, { ca: string; cert: string; key: string }>();

/**
 * A client that does not authenticate. The ready check (INFO) would get NOAUTH,
 * so it is off; errors surface on the commands, not as unhandled events. RESP2, because
 * Redis answers an unauthenticated `HELLO 3` (ioredis 6's default handshake) with NOAUTH
 * and ioredis then drops the connection before any command is sent.
 */
export function anonymousClient(port: number, options: RedisOptions = {}): Redis {
    const client = new Redis({
        port,
        host: "127.0.0.1",
        // The server is started from these settings: a plain listener, or TLS with our test CA.
        ...(tlsTrust.has(port) ? { tls: { ...tlsTrust.get(port), servername: "localhost" } } : {}),
        protocol: 2,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        ...options,
    });
    client.on("error", () => {});
    return client;
}

async function waitUntilServing(port: number, child: ChildProcess, log: () => string): Promise<void> {
    // Generous: on a loaded machine (a CI run with other suites in parallel) creating the AOF and
    // the first TLS handshake once took longer than 10 s, though the server came up.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${log()}`);
        const probe = anonymousClient(port, { lazyConnect: true });
        try {
            await probe.connect();
            // Unauthenticated: NOAUTH proves the server is up without the password.
            await probe.ping().catch((e: Error) => {
                if (!/NOAUTH/.test(e.message)) throw e;
            });
            return;
        } catch {
            await new Promise((r) => setTimeout(r, 50));
        } finally {
            probe.disconnect();
        }
    }
    throw new Error(`redis-server did not start on port ${port}:\n${log()}`);
}

/**
 * Runs a command that ends in redis-server (directly or through `sh -c ... exec`)
 * and resolves once it serves on `port`. Only the config file holds the password.
 */
export async function launchRedis(
    argv: string[],
    port: number,
    env: NodeJS.ProcessEnv = process.env,
): Promise<{ stop(): Promise<void>; kill(): Promise<void> }> {
    if (!argv[0].startsWith("/")) requireBinary(argv[0], "install it with `npm run setup` (.ci/run does)");
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    try {
        await waitUntilServing(port, child, () => output);
    } catch (e) {
        child.kill("SIGKILL");
        throw e;
    }
    return {
        /** SIGKILL: no shutdown, no final fsync, as when a node dies. */
        async kill() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill("SIGKILL");
            await exited;
        },
        async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill("SIGTERM");
            // Redis ignores SIGTERM while it writes its first AOF (e.g. right after a
            // replica's initial sync); do not wait for it forever.
            const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
            await exited;
            clearTimeout(timer);
        },
    };
}

/**
 * Starts Debian's redis-server on a loopback port from the files `renderRedisConfig` produces,
 * laid out as in the container (configDir and dataDir remapped into a temp dir), with the
 * components' users. The passwords only travel in the config file (as hashes) and the
 * connection strings handed back. With `tls`, the server gets a certificate for 127.0.0.1 and
 * localhost from a CA of its own (or `options.certificates`), and only listens for TLS.
 */
export async function startLocalRedis(
    settings: Partial<RedisConfigSettings> = {},
    options: { secrets?: RedisSecrets; configFile?: string; certificates?: IssuedCertificates } = {},
): Promise<LocalRedis> {
    const root = await mkdtemp(join(tmpdir(), "hardened-redis-"));
    const configDir = join(root, "usr/local/etc/redis");
    const dataDir = join(root, "data");
    await mkdir(configDir, { recursive: true });
    await mkdir(dataDir, { recursive: true });
    const port = await freeLoopbackPort();
    const secrets = options.secrets ?? generatedSecrets();
    // Issued as the components issue theirs: a CA of its own and a server certificate naming the host.
    const certificates = settings.tls
        ? (options.certificates ?? issueCertificates({ dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] }))
        : undefined;
    const files: Record<string, string> = renderRedisConfig({
        users: hardenedUsers(secrets.passwords),
        configCommandName: secrets.configCommandName,
        ...settings,
        port,
        bind: ["127.0.0.1"],
        configDir,
        dataDir,
    });
    if (certificates) {
        files[TLS_FILES.certificate] = certificates.certificate;
        files[TLS_FILES.privateKey] = certificates.privateKey;
        files[TLS_FILES.caCertificate] = certificates.caCertificate;
        tlsTrust.set(port, { ca: certificates.caCertificate, cert: certificates.certificate, key: certificates.privateKey });
    }
    for (const [file, content] of Object.entries(files)) {
        await writeFile(join(configDir, file), content, { mode: 0o600 });
    }
    let server: { stop(): Promise<void>; kill(): Promise<void> };
    // The server the files are rendered for runs them.
    let argv = [
        ...localProgram(serverNamed(settings.server ?? DEFAULT_SERVER.name), "server"),
        join(configDir, options.configFile ?? "redis.conf"),
    ];
    try {
        server = await launchRedis(argv, port);
    } catch (e) {
        tlsTrust.delete(port);
        await rm(root, { recursive: true, force: true });
        throw e;
    }
    const urls = connectionStrings("127.0.0.1", port, secrets.passwords, certificates !== undefined);
    return {
        ...secrets,
        password: secrets.passwords.app[0],
        port,
        dataDir,
        connectionString: urls.app,
        adminConnectionString: urls.admin,
        tls: certificates ? { caCertificate: certificates.caCertificate } : undefined,
        kill: () => server.kill(),
        async restart({ graceful = false, whileDown, server: next } = {}) {
            await (graceful ? server.stop() : server.kill());
            await whileDown?.();
            if (next) argv = [...localProgram(next, "server"), argv.at(-1)!];
            server = await launchRedis(argv, port);
        },
        async stop() {
            await server.stop();
            tlsTrust.delete(port);
            await rm(root, { recursive: true, force: true });
        },
    };
}
