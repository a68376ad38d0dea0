// A small service on Redis through hardened-redis/client: cache-aside with stampede protection,
// a fenced lock around a job, a pipelined bulk load, SCAN and hashes for structured data.
// The connection string comes from a file the deployment mounts (examples/consumer), never
// from the environment or argv.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { cacheAside, closeSharedClients, connect, defineScripts, pipelineInBatches, scanKeys, withLock } from "hardened-redis/client";

const settings = {
    port: Number(process.env.PORT ?? 8080),
    /** A path, not the secret: the file holds `redis://app:<password>@host:port/0` (or rediss://). */
    connectionStringFile: process.env.REDIS_URL_FILE ?? "/run/secrets/redis-url",
    /** With TLS: the stack's `caCertificate`, mounted next to the connection string. */
    caFile: process.env.REDIS_CA_FILE || undefined,
    /** How long the pretend backend takes to build a product view: what the cache saves. */
    backendDelayMs: Number(process.env.BACKEND_DELAY_MS ?? 200),
};

const redis = connect(readFileSync(settings.connectionStringFile, "utf8").trim(), { caFile: settings.caFile });

// A write that only lands if its fencing token is newer than the stored one: a job that lost its
// lock (a long pause, a partition) cannot overwrite what a later holder wrote.
const scripts = defineScripts(redis, {
    fencedWrite: {
        keys: 1,
        lua: `local stored = tonumber(redis.call('HGET', KEYS[1], 'fence') or '0')
if tonumber(ARGV[1]) <= stored then return 0 end
redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'body', ARGV[2]) return 1`,
    },
});

interface Product {
    id: string;
    name: string;
    price: string;
}

let backendLoads = 0;

/** The slow source of truth the cache protects; here the product hashes plus a delay. */
async function loadProductView(id: string): Promise<(Product & { loadedAt: string }) | null> {
    backendLoads += 1;
    await new Promise((resolve) => setTimeout(resolve, settings.backendDelayMs));
    // A hash per product, not a JSON string: fields update atomically, one at a time.
    const fields = await redis.hgetall(`product:${id}`);
    if (!fields.name) return null;
    return { id, name: fields.name, price: fields.price, loadedAt: new Date().toISOString() };
}

async function readBody(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
        size += (chunk as Buffer).length;
        if (size > 4 * 1024 * 1024) throw new HttpError(413, "body over 4 MiB");
        chunks.push(chunk as Buffer);
    }
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

async function route(request: IncomingMessage): Promise<{ status?: number; body: unknown }> {
    const url = new URL(request.url ?? "/", "http://app");
    const [, resource, id] = url.pathname.split("/");
    const method = request.method ?? "GET";

    if (method === "GET" && url.pathname === "/health") {
        await redis.ping();
        return { body: { redis: "ok" } };
    }
    if (method === "GET" && url.pathname === "/stats") return { body: { backendLoads } };

    if (resource === "products" && id === undefined && method === "POST") {
        // Bulk load: one round trip per 500 commands, not one per product.
        const products = (await readBody(request)) as Product[];
        if (!Array.isArray(products) || !products.every((p) => ID.test(String(p.id))))
            throw new HttpError(400, "expected [{ id, name, price }]");
        await pipelineInBatches(
            redis,
            products.map((p) => ["hset", `product:${p.id}`, "name", String(p.name), "price", String(p.price)]),
            500,
        );
        return { status: 201, body: { loaded: products.length } };
    }
    if (resource === "products" && id === undefined && method === "GET") {
        // SCAN, never KEYS: the server stays responsive however many products there are.
        const ids: string[] = [];
        for await (const key of scanKeys(redis, "product:*", { count: 500, type: "hash" })) ids.push(key.slice("product:".length));
        return { body: { count: ids.length, ids: ids.sort() } };
    }
    if (resource === "products" && id !== undefined && method === "GET") {
        if (!ID.test(id)) throw new HttpError(400, "bad product id");
        // Concurrent misses, in this process or any other, share one backend load.
        const view = await cacheAside(redis, `cache:product:${id}`, () => loadProductView(id), { ttlSeconds: 60 });
        if (view === null) throw new HttpError(404, `no product ${id}`);
        return { body: view };
    }
    if (resource === "jobs" && id === "catalog-report" && method === "POST") {
        // One report job at a time across every replica of this app; the fence orders the writes.
        return {
            body: await withLock(
                redis,
                "lock:job:catalog-report",
                async ({ signal, fence }) => {
                    await redis.rpush("job:catalog-report:log", `start:${fence}`);
                    const ids = new Set<string>();
                    for await (const key of scanKeys(redis, "product:*", { count: 500, type: "hash" })) {
                        signal.throwIfAborted();
                        ids.add(key);
                    }
                    const count = ids.size;
                    await new Promise((resolve) => setTimeout(resolve, 100));
                    const written = (await scripts.fencedWrite(["report:catalog"], [fence, JSON.stringify({ count })])) === 1;
                    await redis.rpush("job:catalog-report:log", `end:${fence}`);
                    return { fence, count, written };
                },
                { ttlMs: 5_000, waitMs: 30_000 },
            ),
        };
    }
    throw new HttpError(404, "not found");
}

function send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
}

const server = createServer((request, response) => {
    route(request).then(
        ({ status, body }) => send(response, status ?? 200, body),
        (error: unknown) => {
            if (error instanceof HttpError) return send(response, error.status, { error: error.message });
            // Redis errors name commands and keys, never the connection string; still, log the
            // message only, and give the caller nothing but the status.
            console.error(`${request.method} ${request.url}: ${error instanceof Error ? error.message : String(error)}`);
            send(response, 503, { error: "unavailable" });
        },
    );
});
server.listen(settings.port, () => console.log(`listening on ${settings.port}`));

// docker stop sends SIGTERM: finish what is in flight, then close the Redis connection.
process.once("SIGTERM", () => {
    server.close(() => void closeSharedClients().finally(() => process.exit(0)));
});
