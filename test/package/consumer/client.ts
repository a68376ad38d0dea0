// A consumer application using hardened-redis/client on its own ioredis. The connection
// string arrives on stdin (never argv or env). Prints what it found as JSON.
import { createRequire } from "node:module";
import { text } from "node:stream/consumers";
import { cacheAside, closeSharedClients, connect, pipelineInBatches, scanKeys, withLock, type Command } from "hardened-redis/client";

const redis = connect((await text(process.stdin)).trim());

const writes: Command[] = Array.from({ length: 1_000 }, (_, i) => ["set", `consumer:${i}`, String(i), "EX", 60]);
const written = await pipelineInBatches(redis, writes, 250);

let loads = 0;
const loader = async () => {
    loads += 1;
    return { plan: "pro" };
};
const cached = await Promise.all(Array.from({ length: 20 }, () => cacheAside(redis, "consumer:cache:user", loader, { ttlSeconds: 60 })));

const fences: number[] = [];
for (let i = 0; i < 3; i++) {
    await withLock(redis, "consumer:lock", async ({ fence }) => void fences.push(fence), { ttlMs: 5_000, waitMs: 1_000 });
}

let scanned = 0;
for await (const key of scanKeys(redis, "consumer:[0-9]*")) if (key) scanned += 1;

const ioredis = createRequire(import.meta.url)("ioredis/package.json") as { version: string };
const resp = / resp=(\d)/.exec(String(await redis.client("INFO")))?.[1];
await closeSharedClients();

console.log(
    JSON.stringify({
        writtenOk: written.filter(([error, reply]) => error === null && reply === "OK").length,
        cachedSame: cached.every((c) => c.plan === "pro"),
        loads,
        fences,
        scanned,
        ioredis: ioredis.version,
        resp: Number(resp),
    }),
);
