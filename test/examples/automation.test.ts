import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The one test that needs the Pulumi CLI and its Docker/random plugins. No registry reachable
// from our machines ships them, so it is skipped where `pulumi` is absent, and only then.
const hasPulumi = spawnSync("sh", ["-c", "command -v pulumi"]).status === 0;
if (!hasPulumi) console.warn("automation.test.ts skipped: the Pulumi CLI is not installed on this machine");

describe.skipIf(!hasPulumi)("pulumi preview of the root program (Automation API)", () => {
    let state: string;
    let envVars: Record<string, string>;
    beforeAll(async () => {
        state = await mkdtemp(join(tmpdir(), "hardened-redis-state-"));
        // The stack's secrets provider passphrase goes in a file, never an env value.
        await writeFile(join(state, "passphrase"), "hardened-redis-test", { mode: 0o600 });
        envVars = { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE_FILE: join(state, "passphrase") };
    });
    afterAll(async () => {
        if (state) await rm(state, { recursive: true, force: true });
    });

    it("plans the hardened resources without errors", async () => {
        const stack = await LocalWorkspace.createOrSelectStack(
            { stackName: "automation-test", workDir: resolve(__dirname, "../..") },
            { envVars },
        );
        try {
            const planned: string[] = [];
            await stack.preview({
                onEvent: (event) => {
                    const step = event.resourcePreEvent?.metadata;
                    if (step?.op === "create" && !step.type.startsWith("pulumi:")) planned.push(step.type);
                },
            });
            expect(planned.sort()).toEqual(
                [
                    "hardened-redis:index:DockerRedis",
                    "random:index/randomPassword:RandomPassword",
                    "random:index/randomString:RandomString",
                    "docker:index/network:Network",
                    "docker:index/volume:Volume",
                    "docker:index/volume:Volume",
                    "docker:index/remoteImage:RemoteImage",
                    "docker:index/container:Container",
                ].sort(),
            );
        } finally {
            await stack.workspace.removeStack("automation-test", { force: true });
        }
    }, 600_000);
});
