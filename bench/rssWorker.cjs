// A client process on its own: one singleton connection, a bulk load, then its RSS.
// The connection string arrives over IPC, never argv or env.
"use strict";
const { join } = require("node:path");
const { connect, pipelineInBatches, closeSharedClients } = require(join(__dirname, "..", "dist-bench", "client", "index.js"));

process.once("message", async ({ connectionString, keys }) => {
    const redis = connect(connectionString);
    const before = process.memoryUsage().rss;
    const commands = Array.from({ length: keys }, (_, i) => ["set", `rss:${i}`, "value-0123456789", "EX", "60"]);
    await pipelineInBatches(redis, commands, 1000);
    process.send({ rssMb: process.memoryUsage().rss / 1024 / 1024, beforeMb: before / 1024 / 1024 });
    await closeSharedClients();
    process.disconnect();
});
