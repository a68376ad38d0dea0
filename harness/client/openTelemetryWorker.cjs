// A separate Node process with the OpenTelemetry ioredis instrumentation registered before the
// built client loads, as an application would set it up: require hooks only patch in plain Node,
// not in the test runner's module loader. It gets the connection string over IPC, runs the
// client's helpers inside one request span, and sends back every span it recorded.
"use strict";
const { join } = require("node:path");
const ioredisUnderTest = require("./ioredisUnderTest.cjs");

process.once("message", async ({ modules, built, connectionString, connectOptions }) => {
    const otel = (name) => require(join(modules, name));
    const { trace } = otel("@opentelemetry/api");
    const { NodeTracerProvider } = otel("@opentelemetry/sdk-trace-node");
    const { InMemorySpanExporter, SimpleSpanProcessor } = otel("@opentelemetry/sdk-trace-base");
    const { registerInstrumentations } = otel("@opentelemetry/instrumentation");
    const { IORedisInstrumentation } = otel("@opentelemetry/instrumentation-ioredis");

    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    const instrumentation = new IORedisInstrumentation();
    registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: provider });

    ioredisUnderTest.register();
    const aliased = ioredisUnderTest.packageUnderTest();
    if (aliased !== "ioredis") {
        // The require hook knows a module by its directory, and ioredis 5 is installed here
        // under the alias `ioredis5`: apply the instrumentation's own patch to it by hand.
        const [definition] = instrumentation.getModuleDefinitions();
        definition.patch(require("ioredis"), require(`${aliased}/package.json`).version);
    }
    const client = require(join(built, "client", "index.js"));

    const tracer = trace.getTracer("hardened-redis-test");
    let traceId;
    await tracer.startActiveSpan("request", async (span) => {
        traceId = span.spanContext().traceId;
        const redis = client.connect(connectionString, connectOptions);
        await redis.set("otel:plain", "value");
        await redis.get("otel:plain");
        await client.cacheAside(redis, "otel:cached", async () => "loaded", { ttlSeconds: 60 });
        await client.withLock(redis, "otel:lock", async () => undefined, { ttlMs: 5_000 });
        await client.pipelineInBatches(redis, [
            ["incr", "otel:counter"],
            ["incr", "otel:counter"],
        ]);
        span.end();
    });
    await client.closeSharedClients();
    await provider.forceFlush();
    process.send({
        traceId,
        spans: exporter.getFinishedSpans().map((s) => ({
            name: s.name,
            traceId: s.spanContext().traceId,
            attributes: s.attributes,
            events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
            status: s.status,
        })),
    });
    await provider.shutdown();
    process.exit(0);
});
