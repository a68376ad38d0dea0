// A separate Node process running cacheAside, for the cross-process stampede tests. It gets
// its instructions (connection string and TLS options included) over the IPC channel, never argv
// or env; its one argument is the folder of the built package (harness/build/packedPackage buildPackage).
"use strict";
require("./ioredisUnderTest.cjs").register();
const { cacheAside, connect, closeSharedClients } = require(require("node:path").join(process.argv[2], "client", "index.js"));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

process.on("message", async (message) => {
    if (message.type === "prepare") {
        const redis = connect(message.connectionString, message.connectOptions);
        await redis.ping();
        const { key, counterKey, concurrency, loaderFails } = message;
        const loader = async () => {
            await redis.incr(counterKey);
            // Long enough that every process is waiting before it ends, whatever the start skew.
            await sleep(300);
            if (loaderFails) throw new Error("backend down");
            return "loaded-value";
        };
        process.once("message", async (go) => {
            if (go.type !== "go") return;
            const outcomes = await Promise.allSettled(
                Array.from({ length: concurrency }, () => cacheAside(redis, key, loader, { ttlSeconds: 60 })),
            );
            process.send({
                type: "done",
                outcomes: outcomes.map((o) =>
                    o.status === "fulfilled" ? { value: o.value } : { error: o.reason.name, message: o.reason.message },
                ),
            });
            await closeSharedClients();
            process.disconnect();
        });
        // The protocol this process's client negotiated, so the suite can tell which ioredis ran.
        const info = await redis.client("INFO");
        process.send({ type: "ready", resp: Number(/ resp=(\d)/.exec(info)?.[1]) });
    }
});
