import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passwordSlots, peerPasswordSlots } from "../../../platforms/common/credentials";
import { hardenedUsers, peerPassword } from "../../../redis/acl/users";
import { anonymousClient, freeLoopbackPort, generatedPassword, launchRedis } from "../../../harness/local/localRedis";
import { renderRedisConfig } from "../../../redis/config/render";

describe("passwordSlots", () => {
    it("keeps one password before the first rotation and after retiring the previous one", () => {
        expect(passwordSlots(0, false)).toEqual([{ slot: 0, generation: 0 }]);
        expect(passwordSlots(5, true)).toEqual([{ slot: 1, generation: 5 }]);
    });

    it("overlaps the current and the previous generation, current first", () => {
        expect(passwordSlots(1, false)).toEqual([
            { slot: 1, generation: 1 },
            { slot: 0, generation: 0 },
        ]);
    });

    it("regenerates exactly one slot per rotation and keeps the other", () => {
        for (let n = 1; n < 50; n++) {
            const before = passwordSlots(n - 1, false);
            const after = passwordSlots(n, false);
            const kept = after.filter((a) => before.some((b) => b.slot === a.slot && b.generation === a.generation));
            const renewed = after.filter((a) => !before.some((b) => b.slot === a.slot && b.generation === a.generation));
            expect(kept).toEqual([{ slot: ((n - 1) % 2) as 0 | 1, generation: n - 1 }]);
            expect(renewed).toEqual([{ slot: (n % 2) as 0 | 1, generation: n }]);
        }
    });
});

describe("peerPasswordSlots and peerPassword", () => {
    /** The generations a peer user (replication, sentinel) accepts at generation n, current first. */
    const accepted = (n: number) => peerPasswordSlots(n).map((s) => String(s.generation));

    it("let pods on both sides of every rotation authenticate to each other, rotation after rotation", () => {
        // A roll runs pods on generation n next to pods on n + 1: each side's choice must be one the other accepts.
        for (let n = 0; n < 50; n++) {
            const [old, next] = [accepted(n), accepted(n + 1)];
            expect(next, `generation ${n + 1} accepts generation ${n}'s choice`).toContain(peerPassword(old));
            expect(old, `generation ${n} accepts generation ${n + 1}'s choice`).toContain(peerPassword(next));
            expect(next).toContain(peerPassword(next));
        }
    });

    it("authenticate with the previous generation once rotated, and regenerate one slot of three per rotation", () => {
        expect(peerPassword(accepted(0))).toBe("0");
        expect(peerPassword(accepted(7))).toBe("6");
        for (let n = 1; n < 50; n++) {
            const before = peerPasswordSlots(n - 1);
            const renewed = peerPasswordSlots(n).filter((a) => !before.some((b) => b.slot === a.slot && b.generation === a.generation));
            expect(renewed).toEqual([{ slot: n % 3, generation: n }]);
        }
    });
});

// The rotation sequence a Pulumi user follows, on a real redis-server: each `pulumi up` changes
// the config and restarts Redis on it (Docker replaces the container, Kubernetes rolls the pods),
// on the same port and data directory.
describe("a credential rotation on a real redis-server", () => {
    const generations = [generatedPassword(), generatedPassword(), generatedPassword()];
    const configCommandName = "cfg_rotation_0123456789";
    let root: string;
    let port: number;
    let server: { stop(): Promise<void> } | undefined;
    const clients: Redis[] = [];

    /** Starts Redis as `pulumi up` would leave it at this generation of the app user's passwords. */
    async function deploy(generation: number, retirePrevious: boolean): Promise<void> {
        await server?.stop();
        const app = passwordSlots(generation, retirePrevious).map((s) => generations[s.generation]);
        const users = hardenedUsers({ app, admin: [generatedPassword()], replication: [generatedPassword()] });
        const configDir = join(root, "config");
        const files = renderRedisConfig({ users, configCommandName, port, bind: ["127.0.0.1"], configDir, dataDir: join(root, "data") });
        for (const [file, content] of Object.entries(files)) await writeFile(join(configDir, file), content, { mode: 0o600 });
        server = await launchRedis(["redis-server", join(configDir, "redis.conf")], port);
    }

    /** A long-running application holding the connection string of one generation; it reconnects by itself. */
    function application(generation: number): Redis {
        const client = new Redis({
            port,
            host: "127.0.0.1",
            username: "app",
            password: generations[generation],
            maxRetriesPerRequest: 1,
            retryStrategy: () => 100,
        });
        client.on("error", () => {});
        clients.push(client);
        return client;
    }

    /** Whether a fresh connection can authenticate as app with this generation's password. */
    async function authenticates(generation: number): Promise<boolean> {
        const probe = anonymousClient(port);
        try {
            return (await probe.auth("app", generations[generation]).catch(() => "refused")) === "OK";
        } finally {
            probe.disconnect();
        }
    }

    /** The client's next command succeeds (after reconnecting, if Redis restarted under it). */
    async function serves(client: Redis, key: string): Promise<boolean> {
        for (let attempt = 0; attempt < 50; attempt++) {
            const ok = await client.set(key, "1", "EX", 60).then(
                () => true,
                () => false,
            );
            if (ok) return true;
            if (client.status === "end") return false;
            await new Promise((r) => setTimeout(r, 100));
        }
        return false;
    }

    beforeAll(async () => {
        root = await mkdtemp(join(tmpdir(), "hardened-redis-rotation-"));
        await mkdir(join(root, "config"));
        await mkdir(join(root, "data"));
        port = await freeLoopbackPort();
    });

    afterAll(async () => {
        for (const client of clients) client.disconnect();
        await server?.stop();
        await rm(root, { recursive: true, force: true });
    });

    it("serves generation 0 alone before any rotation", async () => {
        await deploy(0, false);
        expect(await serves(application(0), "gen0")).toBe(true);
        expect(await authenticates(1)).toBe(false);
    });

    it("accepts the old and the new password while a rotation overlaps, and a running client keeps working", async () => {
        const running = clients[0];
        await deploy(1, false);
        // The client that holds generation 0 reconnects to the restarted Redis and re-authenticates.
        expect(await serves(running, "still-gen0")).toBe(true);
        expect(await serves(application(1), "gen1")).toBe(true);
        expect(await authenticates(0)).toBe(true);
        expect(await authenticates(1)).toBe(true);
    });

    it("refuses the old password once the previous generation is retired", async () => {
        await deploy(1, true);
        expect(await authenticates(0)).toBe(false);
        expect(await authenticates(1)).toBe(true);
        expect(await serves(clients[1], "gen1-after-retire")).toBe(true);
        // The application still on generation 0 is now locked out: the reason to roll apps first.
        expect(await serves(clients[0], "gen0-after-retire")).toBe(false);
    }, 30_000);

    it("drops the oldest password on the next rotation, keeping the one before", async () => {
        await deploy(2, false);
        expect(await authenticates(0)).toBe(false);
        expect(await authenticates(1)).toBe(true);
        expect(await authenticates(2)).toBe(true);
        expect(await serves(application(2), "gen2")).toBe(true);
    });
});
