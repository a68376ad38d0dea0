import { defineConfig } from "vitest/config";
import type { Reporter } from "vitest/reporters";
import ioredisUnderTest from "./harness/client/ioredisUnderTest.cjs";

/** Ends the run with the plain `N passed, N failed, N skipped` line CI reads. */
const summary: Reporter = {
    onTestRunEnd(testModules, unhandledErrors) {
        const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
        // A failing hook or import fails its file while its tests only count as skipped.
        let fileErrors = 0;
        for (const module of testModules) {
            const before = counts.failed;
            for (const test of module.children.allTests()) counts[test.result().state] += 1;
            if (module.state() === "failed" && counts.failed === before) fileErrors += 1;
        }
        const failed = counts.failed + fileErrors + unhandledErrors.length;
        console.log(`\nvitest: ${counts.passed} passed, ${failed} failed, ${counts.skipped + counts.pending} skipped`);
    },
};

export default defineConfig({
    test: {
        reporters: ["default", summary],
        // Each file gets its own process: setMocks and the Pulumi runtime are per-process globals.
        pool: "forks",
        // Four files at a time on our 2-core machines (vitest's default would be one): most files
        // wait on servers, Sentinels and containers rather than the CPU (the whole run took 943 s
        // one at a time and 261 s four at a time, 2026-12-06). Files share nothing they write:
        // builds go to folders of their own, servers to free ports, Docker objects to per-run names.
        maxWorkers: 4,
        testTimeout: 60_000,
        hookTimeout: 60_000,
        // A setting that can only be checked during deployment (e.g. that an existing network is
        // internal) fails the resources depending on it, as the engine would report. Those
        // rejections are asserted by the tests themselves; anything else still fails the run.
        onUnhandledError(error) {
            const e = error as { name?: string; message?: string };
            const expected = /^error serializing property .*Invalid Redis setting "networkName"/;
            if (e.name === "RedisConfigError" && expected.test(e.message ?? "")) return false;
        },
        projects: [
            // Everything, on ioredis 6 (RESP3), the `ioredis` users get today.
            { extends: true, test: { name: "ioredis6", include: ["test/**/*.test.ts"] } },
            // The client suites again on ioredis 5 (RESP2), which the peer range still allows.
            {
                extends: true,
                test: { name: "ioredis5", include: ["test/client/**/*.test.ts"], env: { [ioredisUnderTest.ENV]: "ioredis5" } },
                resolve: { alias: [{ find: /^ioredis$/, replacement: "ioredis5" }] },
            },
        ],
    },
});
