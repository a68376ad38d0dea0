import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Each file gets its own process: setMocks and the Pulumi runtime are per-process globals.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
        // A setting that can only be checked during deployment (e.g. that an existing network is
        // internal) fails the resources depending on it, as the engine would report. Those
        // rejections are asserted by the tests themselves; anything else still fails the run.
        onUnhandledError(error) {
            const e = error as { name?: string; message?: string };
            if (e.name === "RedisConfigError" && e.message?.startsWith("error serializing property")) return false;
        },
    },
});
