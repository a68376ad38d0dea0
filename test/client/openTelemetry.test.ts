// The OpenTelemetry ioredis instrumentation, as an application registers it, traces what the
// client helpers send (plain commands, EVALSHA scripts, pipelines) under the caller's span, and
// no span carries a password or the connection string. It runs in a plain Node process on the
// built package; the instrumentation comes from the npm registry into a cache of its own.
import { fork } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPackage, cacheDirectory, npmEnvironment, ok, run } from "../../harness/build/packedPackage";
import { passwordOf } from "../../harness/engine/deployments";
import { ioredisMajor } from "../../harness/client/ioredisMajor";
import { startRedisUnderTest, type RedisUnderTest } from "../../harness/client/redisUnderTest";
import { connectOptionsFor } from "../../harness/client/serverTls";

/**
 * What an application installs to trace ioredis, at exact versions: with ranges, npm 11 loops on
 * @opentelemetry/api 1.10 against the SDK's peer range (<1.10) when the prefix is already filled.
 */
const OPENTELEMETRY = [
    "@opentelemetry/api@1.9.1",
    "@opentelemetry/sdk-trace-base@2.12.1",
    "@opentelemetry/sdk-trace-node@2.12.1",
    "@opentelemetry/instrumentation@0.223.0",
    "@opentelemetry/instrumentation-ioredis@0.71.0",
];

interface RecordedSpan {
    name: string;
    traceId: string;
    attributes: Record<string, unknown>;
    events: Array<{ name: string; attributes?: Record<string, unknown> }>;
    status: { code: number; message?: string };
}

function openTelemetryModules(): string {
    // One prefix per ioredis major: the two vitest projects run this file at the same time.
    const prefix = cacheDirectory(`opentelemetry-ioredis${ioredisMajor()}`);
    ok(
        run("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", ...OPENTELEMETRY], { env: npmEnvironment() }),
        "npm install @opentelemetry/*",
    );
    return join(prefix, "node_modules");
}

describe("the OpenTelemetry ioredis instrumentation on the client helpers", () => {
    let server: RedisUnderTest;
    let recorded: { traceId: string; spans: RecordedSpan[] };
    let built: ReturnType<typeof buildPackage> | undefined;

    beforeAll(async () => {
        const modules = openTelemetryModules();
        const { dir } = (built = buildPackage());
        server = await startRedisUnderTest();
        const worker = fork(join(__dirname, "../../harness/client/openTelemetryWorker.cjs"), [], { stdio: "inherit" });
        recorded = await new Promise((resolve, reject) => {
            worker.once("error", reject);
            worker.once("exit", (code) => reject(new Error(`the traced process exited (${code}) before reporting`)));
            worker.once("message", resolve);
            // Over IPC: never argv or the environment.
            worker.send({
                modules,
                built: dir,
                connectionString: server.connectionString,
                connectOptions: connectOptionsFor(server),
            });
        });
    }, 300_000);
    afterAll(async () => {
        await server?.stop();
        built?.remove();
    });

    const commandSpans = () => recorded.spans.filter((s) => s.attributes["db.system.name"] === "redis");

    it("traces plain commands, scripts and pipelines as Redis client spans", () => {
        const names = new Set(commandSpans().map((s) => s.name));
        for (const name of ["connect", "set", "get", "evalsha", "incr"]) expect(names, name).toContain(name);
        const set = commandSpans().find((s) => s.name === "set")!;
        expect(set.attributes["db.query.text"]).toBe("set otel:plain [1 other arguments]");
        expect(set.attributes["server.address"]).toBe(new URL(server.connectionString).hostname);
        expect(set.attributes["server.port"]).toBe(Number(new URL(server.connectionString).port));
        expect(commandSpans().some((s) => s.attributes["db.operation.name"] === "PIPELINE incr")).toBe(true);
    });

    it("keeps every command under the caller's trace, through the helpers' scripts and locks", () => {
        const commands = commandSpans().filter((s) => s.name !== "connect");
        expect(commands.length).toBeGreaterThanOrEqual(6);
        expect(commands.filter((s) => s.traceId !== recorded.traceId).map((s) => s.name)).toEqual([]);
    });

    it("carries no password and no connection string in any span", () => {
        const text = JSON.stringify(recorded.spans);
        const password = passwordOf(server.connectionString);
        expect(password.length).toBeGreaterThan(0);
        expect(text.includes(password)).toBe(false);
        expect(text.includes(encodeURIComponent(password))).toBe(false);
        expect(text.includes(passwordOf(server.adminConnectionString))).toBe(false);
        // The handshake that carries the password is traced by name only.
        const handshake = commandSpans().filter((s) => s.name === "auth" || s.name === "hello");
        expect(handshake.length).toBeGreaterThan(0);
        for (const span of handshake) expect(String(span.attributes["db.query.text"])).toMatch(/^(auth|hello)( \[\d+ other arguments\])?$/);
    });
});
