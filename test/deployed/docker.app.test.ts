// examples/consumer end to end on the real Docker engine: DockerRedis realised as the Redis stack,
// the consumer program run against it through a StackReference, its app image built from
// examples/app/Dockerfile (on stand-in bases: no registry here) and its containers realised
// exactly as it declares them. The test then drives the app over HTTP from the Docker host.
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { join, resolve } from "node:path";
import type Docker from "dockerode";
import Redis from "ioredis";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployDockerRedis, type DockerDeployment } from "../../harness/engine/deployments";
import { TEST_LABEL } from "../../harness/engine/engine";
import { execIn } from "../../harness/engine/exec";
import { nodeStandins } from "../../harness/engine/nodeStandins";
import { addressOn, realiseDockerResources, type Realised } from "../../harness/engine/realise";
import { localImageId } from "../../harness/engine/standinImage";
import { packPackage } from "../../harness/build/packedPackage";
import { allRegistered, existingStacks, installMocks, registered, valueOf } from "../../harness/mocks/pulumiMocks";

const APP_DIR = resolve(__dirname, "../../examples/app");
const CONSUMER_DIR = resolve(__dirname, "../../examples/consumer");
const REDIS_STACK = "organization/hardened-redis-docker/test";
const PROJECT = "hardened-redis-consumer";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("examples/consumer: the app image on DockerRedis's internal network", () => {
    let redis: DockerDeployment;
    let consumer: Realised | undefined;
    let app: Docker.Container;
    let base: string;
    let admin: Redis;
    let imageName: string;

    beforeAll(async () => {
        await installMocks(PROJECT);
        redis = await deployDockerRedis("cache");
        admin = new Redis(redis.adminConnectionString, { maxRetriesPerRequest: 1 });
        // The Redis stack's outputs as examples/docker exports them: the strings unchanged.
        existingStacks.set(REDIS_STACK, {
            outputs: { networkName: redis.network, connectionString: redis.exported.connectionString },
            secretOutputNames: ["connectionString"],
        });

        // vendor/hardened-redis from this tree, through the same script a user runs.
        const work = await mkdtemp(join(tmpdir(), "example-app-"));
        try {
            execFileSync(join(APP_DIR, "vendor.sh"), [await packPackage(work)], { stdio: "pipe" });
        } finally {
            await rm(work, { recursive: true, force: true });
        }
        const bases = await nodeStandins(redis.docker, APP_DIR);
        imageName = `hardened-redis-test/example-app:${randomBytes(4).toString("hex")}`;
        pulumi.runtime.setAllConfig({
            [`${PROJECT}:redisStack`]: REDIS_STACK,
            [`${PROJECT}:imageName`]: imageName,
            [`${PROJECT}:nodeBuildImage`]: bases.NODE_BUILD_IMAGE,
            [`${PROJECT}:nodeRuntimeImage`]: bases.NODE_RUNTIME_IMAGE,
        });
        const program = (await import("../../examples/consumer/index")) as unknown as Record<string, pulumi.Output<string>>;
        await valueOf(program.appContainer);
        await allRegistered();
        const declared = registered.filter((r) => r.name === "app" || r.name === "app-secrets");
        consumer = await realiseDockerResources(redis.docker, declared, { programDir: CONSUMER_DIR });
        const container = consumer.containers.get("app");
        if (!container) throw new Error("the consumer declared no app container");
        app = container;
        base = `http://${await addressOn(app, redis.network)}:8080`;
    }, 900_000);

    afterAll(async () => {
        admin?.disconnect();
        await consumer?.remove();
        await redis?.stop();
    });

    const get = async (path: string) => {
        const response = await fetch(`${base}${path}`);
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const post = async (path: string, body?: unknown) => {
        const response = await fetch(`${base}${path}`, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it("runs the runtime stage: non-root, read-only root, production dependencies only", async () => {
        const image = await redis.docker.getImage(imageName).inspect();
        expect(image.Config.User).toBe("node");
        const info = await app.inspect();
        expect(info.HostConfig.ReadonlyRootfs).toBe(true);
        expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
        expect(info.HostConfig.PortBindings ?? {}).toEqual({});
        expect(Object.keys(info.NetworkSettings.Networks)).toEqual([redis.network]);
        const id = await execIn(app, ["id", "-u"]);
        expect(id.stdout.trim()).toBe("1000");
        // The build stage's tools stayed behind: no TypeScript, no sources.
        const leftovers = await execIn(app, ["node", "-e", "require.resolve('typescript')"]);
        expect(leftovers.code).not.toBe(0);
        const sources = await execIn(app, ["ls", "/app"]);
        expect(sources.stdout.split(/\s+/).filter(Boolean).sort()).toEqual(["dist", "node_modules", "package.json", "vendor"]);
        console.log(`examples/app image: ${(image.Size / 1e6).toFixed(1)} MB (stand-in runtime base included)`);
    });

    it("reads the connection string, unchanged, from a 0440 file only its user can read, and nowhere else", async () => {
        const { connectionString } = redis.exported;
        // The alias, resolved by Docker's DNS inside the network: the string needs no rewriting.
        expect(new URL(connectionString).hostname).toBe("cache");
        const read = `const fs = require("fs"); const f = "/run/secrets/redis-url"; const s = fs.statSync(f);
console.log(JSON.stringify({ mode: (s.mode & 0o777).toString(8), uid: s.uid, gid: s.gid,
  sha256: require("crypto").createHash("sha256").update(fs.readFileSync(f, "utf8")).digest("hex") }))`;
        const asApp = await execIn(app, ["node", "-e", read]);
        expect(JSON.parse(asApp.stdout)).toEqual({ mode: "440", uid: 0, gid: 0, sha256: sha256(connectionString) });
        // Another user in the same container cannot read it.
        const other = await execIn(app, ["node", "-e", read], "1001:1001");
        expect(other.code).not.toBe(0);
        expect(other.stderr).toMatch(/EACCES/);
        const info = JSON.stringify(await app.inspect());
        expect(info.includes(redis.password)).toBe(false);
        expect(info.includes(encodeURIComponent(redis.password))).toBe(false);
        const logs = (await app.logs({ stdout: true, stderr: true })).toString("utf8");
        expect(logs.includes(redis.password) || logs.includes(encodeURIComponent(redis.password))).toBe(false);
    });

    it("authenticates as the least-privilege app user", async () => {
        const address = await addressOn(app, redis.network);
        const clients = (await admin.client("LIST")) as string;
        const fromApp = clients.split("\n").filter((line) => line.includes(`addr=${address}:`));
        expect(fromApp.length).toBeGreaterThan(0);
        expect(fromApp.every((line) => / user=app /.test(line))).toBe(true);
    });

    it("bulk-loads hashes through a pipeline and lists them with SCAN", async () => {
        const products = Array.from({ length: 2_000 }, (_, i) => ({ id: `p${i}`, name: `Product ${i}`, price: `${i}.99` }));
        expect(await post("/products", products)).toEqual({ status: 201, body: { loaded: 2_000 } });
        const listed = await get("/products");
        expect(listed.body.count).toBe(2_000);
        expect(await admin.hgetall("product:p7")).toEqual({ name: "Product 7", price: "7.99" });
        expect(await admin.type("product:p7")).toBe("hash");
    });

    it("loads once for 50 concurrent misses, then serves hits from Redis with a TTL", async () => {
        const before = (await get("/stats")).body.backendLoads as number;
        const views = await Promise.all(Array.from({ length: 50 }, () => get("/products/p42")));
        expect(views.every((v) => v.status === 200)).toBe(true);
        expect(new Set(views.map((v) => JSON.stringify(v.body))).size).toBe(1);
        expect(views[0].body).toMatchObject({ id: "p42", name: "Product 42", price: "42.99" });
        expect((await get("/stats")).body.backendLoads).toBe(before + 1);
        // A hit: the same view, no backend load.
        expect((await get("/products/p42")).body).toEqual(views[0].body);
        expect((await get("/stats")).body.backendLoads).toBe(before + 1);
        const ttl = await admin.ttl("cache:product:p42");
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60);
        // A miss once the entry is gone: loaded again.
        await admin.del("cache:product:p42");
        expect((await get("/products/p42")).status).toBe(200);
        expect((await get("/stats")).body.backendLoads).toBe(before + 2);
        expect((await get("/products/nope")).status).toBe(404);
    });

    it("runs the job under a fenced lock: one at a time, and a stale fence cannot write", async () => {
        await admin.del("job:catalog-report:log", "report:catalog");
        const runs = await Promise.all(Array.from({ length: 5 }, () => post("/jobs/catalog-report")));
        const fences = runs.map((r) => r.body.fence as number).sort((a, b) => a - b);
        expect(new Set(fences).size).toBe(5);
        expect(runs.every((r) => r.body.count === 2_000 && r.body.written === true)).toBe(true);
        // Each run ended before the next began, in fence order.
        const log = await admin.lrange("job:catalog-report:log", 0, -1);
        expect(log).toEqual(fences.flatMap((f) => [`start:${f}`, `end:${f}`]));
        expect(Number(await admin.hget("report:catalog", "fence"))).toBe(fences[4]);
        // A holder with a newer fence wrote meanwhile (e.g. after this app's lock lapsed): its write stands.
        // Fences follow the server's clock in microseconds: a day ahead stays newer than any this test issues.
        await admin.hset("report:catalog", "fence", String(fences[4] + 86_400_000_000), "body", "newer");
        const stale = await post("/jobs/catalog-report");
        expect(stale.body.written).toBe(false);
        expect(await admin.hget("report:catalog", "body")).toBe("newer");
    });

    /** Connects from inside the app container: "connected", "timeout" or the error code. */
    const probeFromApp = async (host: string, port: number) =>
        (
            await execIn(app, [
                "node",
                "-e",
                `require("net").connect({ host: ${JSON.stringify(host)}, port: ${port}, timeout: 3000 })
  .on("connect", () => { console.log("connected"); process.exit(0) })
  .on("timeout", () => { console.log("timeout"); process.exit(0) })
  .on("error", (e) => { console.log(e.code); process.exit(0) })`,
            ])
        ).stdout.trim();

    it("reaches Redis by its alias, and nothing on other networks", async () => {
        expect(await probeFromApp("cache", 6379)).toBe("connected");
        // A listener in a container of the default bridge network: the host reaches it, the app does not.
        const docker = redis.docker;
        const listener = await docker.createContainer({
            Image: await localImageId(docker, "redis:7-alpine"),
            Entrypoint: ["sh", "-c", "while true; do nc -l -p 8443 < /dev/null; done"],
            Labels: { [TEST_LABEL]: "docker.app" },
            HostConfig: { NetworkMode: "bridge" },
        });
        try {
            await listener.start();
            const address = await addressOn(listener, "bridge");
            const fromHost = await new Promise<string>((done) =>
                connect({ host: address, port: 8443, timeout: 3000 })
                    .on("connect", function (this: Socket) {
                        this.destroy();
                        done("connected");
                    })
                    .on("error", (e: NodeJS.ErrnoException) => done(e.code ?? e.message)),
            );
            expect(fromHost).toBe("connected");
            expect(await probeFromApp(address, 8443)).not.toBe("connected");
        } finally {
            await listener.remove({ force: true });
        }
        // Nor anything beyond the Docker host.
        expect(await probeFromApp("1.1.1.1", 443)).not.toBe("connected");
    });

    it("still reaches the Docker host's own listening sockets (Docker filters forwarding, not input: a known limit)", async () => {
        // Pinned so that the README's statement stays true: a service on the host bound to 0.0.0.0
        // answers containers on an internal network at the network's gateway address.
        const server = createServer((socket) => socket.destroy());
        await new Promise<void>((done) => server.listen(0, "0.0.0.0", done));
        try {
            const network = await redis.docker.getNetwork(redis.network).inspect();
            const gateway = (network as { IPAM?: { Config?: Array<{ Gateway?: string }> } }).IPAM?.Config?.[0]?.Gateway;
            expect(gateway).toBeDefined();
            expect(await probeFromApp(String(gateway), (server.address() as AddressInfo).port)).toBe("connected");
        } finally {
            server.close();
        }
    });

    it("is healthy by the image's own HEALTHCHECK", async () => {
        const info = await app.inspect();
        expect(info.State.Health?.Status).toBe("healthy");
        expect(await get("/health")).toEqual({ status: 200, body: { redis: "ok" } });
    });
});
