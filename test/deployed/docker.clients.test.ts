// The connection string in other people's clients, unchanged: redis-cli (Debian redis-tools),
// node-redis (`redis` on npm, v5) and redis-py (Debian python3-redis) each authenticate with the
// string DockerRedis exports and run commands, in plaintext and over TLS. Each runs in a container
// on the realised internal network, where the string's host (the alias) resolves as it is.
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployDockerRedis, type DockerDeployment } from "../../harness/engine/deployments";
import { CLIENT_DIR, runOnNetwork, type HostToolRun } from "../../harness/engine/hostTools";
import { cacheDirectory, npmEnvironment, ok, run } from "../../harness/build/packedPackage";
import { installMocks } from "../../harness/mocks/pulumiMocks";

const NODE_REDIS = "redis@^5";
const URL_FILE = `${CLIENT_DIR}/redis-url`;
const CA_FILE = `${CLIENT_DIR}/ca.crt`;

/** node-redis from the npm registry, kept between runs in the user's cache (npm re-checks the range). */
function nodeRedisModules(): string {
    const prefix = cacheDirectory("node-redis");
    ok(
        run("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", NODE_REDIS], { env: npmEnvironment() }),
        "npm install redis",
    );
    return join(prefix, "node_modules");
}

const NODE_REDIS_SCRIPT = `
const { readFileSync } = require("fs");
const { createClient } = require("redis");
(async () => {
    const url = readFileSync(${JSON.stringify(URL_FILE)}, "utf8").trim();
    const ca = process.env.CA_FILE && readFileSync(process.env.CA_FILE, "utf8");
    const client = createClient({ url, ...(ca ? { socket: { tls: true, ca } } : {}) });
    client.on("error", (e) => { console.error(e.message); process.exit(2); });
    await client.connect();
    const whoami = await client.sendCommand(["ACL", "WHOAMI"]);
    await client.set("clients:node-redis", "ok", { EX: 60 });
    const value = await client.get("clients:node-redis");
    const version = require("redis/package.json").version;
    await client.close();
    console.log(JSON.stringify({ whoami, value, version }));
})().catch((e) => { console.error(e.message); process.exit(1); });
`;

const REDIS_PY_SCRIPT = `
import json, os, redis
url = open(${JSON.stringify(URL_FILE)}).read().strip()
ca = os.environ.get("CA_FILE")
# redis-py does not check the certificate's name unless asked.
options = {"ssl_ca_certs": ca, "ssl_check_hostname": True} if ca else {}
client = redis.Redis.from_url(url, **options)
whoami = client.execute_command("ACL", "WHOAMI").decode()
client.set("clients:redis-py", "ok", ex=60)
print(json.dumps({"whoami": whoami, "value": client.get("clients:redis-py").decode(), "version": redis.__version__}))
`;

for (const tls of [false, true]) {
    describe(`the exported connection string in other clients${tls ? ", over TLS" : ""}`, () => {
        let redis: DockerDeployment;
        let nodeModules: string;
        let files: Record<string, string>;
        let env: string[];

        beforeAll(async () => {
            await installMocks();
            redis = await deployDockerRedis(tls ? "clients-tls" : "clients", tls ? { tls: { enabled: true } } : undefined);
            nodeModules = nodeRedisModules();
            await mkdir(nodeModules, { recursive: true });
            // The strings as the stack exports them: the host is the alias, the scheme says TLS.
            const { connectionString, caCertificate } = redis.exported;
            expect(new URL(connectionString).protocol).toBe(tls ? "rediss:" : "redis:");
            files = { "redis-url": connectionString, ...(caCertificate ? { "ca.crt": caCertificate } : {}) };
            env = caCertificate ? [`CA_FILE=${CA_FILE}`] : [];
        }, 300_000);

        afterAll(async () => {
            await redis?.stop();
        });

        const noSecretIn = (result: HostToolRun) => {
            const text = result.stdout + result.stderr;
            return !text.includes(redis.password) && !text.includes(encodeURIComponent(redis.password));
        };

        it("redis-cli -u <connectionString> (the password then sits in redis-cli's argv)", async () => {
            const tlsOptions = tls ? `--tls --cacert ${CA_FILE}` : "";
            const result = await runOnNetwork(
                redis.docker,
                redis.network,
                ["sh", "-c", `redis-cli --no-auth-warning -u "$(cat ${URL_FILE})" ${tlsOptions} ACL WHOAMI`],
                { files },
            );
            expect(result.stderr).toBe("");
            expect(result.stdout.trim()).toBe("app");
        });

        it("redis-cli without the password in argv: --user and --askpass, the password on stdin", async () => {
            // redis-cli 7.0 ignores --askpass when -u is given, so this form takes host, port and
            // user from the string and reads only the password from stdin.
            const { hostname, port, username, password } = new URL(redis.exported.connectionString);
            const tlsOptions = tls ? `--tls --cacert ${CA_FILE}` : "";
            const result = await runOnNetwork(
                redis.docker,
                redis.network,
                [
                    "sh",
                    "-c",
                    `redis-cli -h ${hostname} -p ${port} --user ${username} --askpass ${tlsOptions} ACL WHOAMI < ${CLIENT_DIR}/password`,
                ],
                { files: { ...files, password: decodeURIComponent(password) } },
            );
            expect(result.stdout.trim().split("\n").at(-1)).toBe("app");
            expect(noSecretIn(result)).toBe(true);
        });

        it(`node-redis (${NODE_REDIS}) reads the string from a file and uses it as it is`, async () => {
            const node = dirname(process.execPath);
            const result = await runOnNetwork(redis.docker, redis.network, ["/opt/node/node", `${CLIENT_DIR}/client.js`], {
                files: { ...files, "client.js": NODE_REDIS_SCRIPT },
                env: [...env, "NODE_PATH=/opt/node-redis"],
                binds: [`${node}:/opt/node`, `${nodeModules}:/opt/node-redis`],
            });
            expect(result.stderr, "node-redis failed").toBe("");
            const report = JSON.parse(result.stdout) as { whoami: string; value: string; version: string };
            expect(report).toMatchObject({ whoami: "app", value: "ok" });
            expect(Number(report.version.split(".")[0])).toBeGreaterThanOrEqual(5);
        });

        it("redis-py (Debian python3-redis) reads the string from a file and uses it as it is", async () => {
            const result = await runOnNetwork(redis.docker, redis.network, ["/usr/bin/python3", "-c", REDIS_PY_SCRIPT], {
                files,
                env,
            });
            expect(result.stderr, "redis-py failed").toBe("");
            expect(JSON.parse(result.stdout)).toMatchObject({ whoami: "app", value: "ok" });
        });

        if (tls)
            it("each client refuses the server without the CA (the certificate is really checked)", async () => {
                const cli = await runOnNetwork(
                    redis.docker,
                    redis.network,
                    ["sh", "-c", `redis-cli --no-auth-warning -u "$(cat ${URL_FILE})" PING`],
                    {
                        files,
                    },
                );
                expect(cli.stdout.trim()).not.toBe("PONG");
                const py = await runOnNetwork(redis.docker, redis.network, ["/usr/bin/python3", "-c", REDIS_PY_SCRIPT], { files });
                expect(py.code).not.toBe(0);
                expect(py.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/);
                expect(noSecretIn(py)).toBe(true);
                const node = await runOnNetwork(redis.docker, redis.network, ["/opt/node/node", `${CLIENT_DIR}/client.js`], {
                    files: { ...files, "client.js": NODE_REDIS_SCRIPT },
                    env: ["NODE_PATH=/opt/node-redis"],
                    binds: [`${dirname(process.execPath)}:/opt/node`, `${nodeModules}:/opt/node-redis`],
                });
                expect(node.code).not.toBe(0);
                expect(node.stderr).toMatch(/certificate/);
                expect(noSecretIn(node)).toBe(true);
            });
    });
}
