// The client suite's cases on connecting and on moving commands in bulk: the shared connection,
// TLS and credentials as connect() reads them from the string, pipelines in batches, and SCAN.
import type { TLSSocket } from "node:tls";
import { describe, expect, it } from "vitest";
import {
    closeSharedClients,
    dedicatedConnection,
    pipelineBatches,
    pipelineInBatches,
    recommendedPoolSize,
    scanKeys,
    type Command,
} from "../../client";
import { expectedResp, ioredisMajor } from "../client/ioredisMajor";
import { withPassword } from "../client/connectionStrings";
import type { ClientSuiteContext } from "./clientSuite";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** connect(): one shared connection, a dedicated one for blocking work, the protocol, TLS, credentials and the renamed CONFIG. */
export function connectCases(suite: ClientSuiteContext): void {
    const { open, info } = suite;
    describe("connect", () => {
        it("reuses one server connection for 10,000 commands", async () => {
            await closeSharedClients();
            const client = open({ connectionName: "reuse-test" });
            expect(() => open({ connectionName: "other" })).toThrow(/created with other options \(connectionName\)/);
            expect(open()).toBe(client);
            await client.ping();
            const before = Number((await info("stats")).get("total_connections_received"));
            await Promise.all(Array.from({ length: 10_000 }, (_, i) => client.set(`reuse:${i % 100}`, i, "EX", 60)));
            const after = Number((await info("stats")).get("total_connections_received"));
            expect(after - before).toBe(0);
            const list = (await suite.observer.client("LIST")) as string;
            expect(list.split("\n").filter((line) => line.includes(" name=reuse-test ")).length).toBe(1);
        });

        it("opens a connection of its own for blocking work, with no command timeout to cut a wait short", async () => {
            const dedicated = dedicatedConnection(open());
            try {
                expect(dedicated).not.toBe(open());
                // Longer than the shared client's 5 s command timeout.
                const popped = dedicated.blpop("block:queue", 0);
                await sleep(5_500);
                await open().rpush("block:queue", "job");
                expect(await popped).toEqual(["block:queue", "job"]);
                await open().expire("block:queue", 60);
            } finally {
                dedicated.disconnect();
            }
        }, 30_000);

        it(`negotiates the protocol ioredis ${ioredisMajor()} defaults to (RESP${expectedResp()}), so every case below runs on it`, async () => {
            const info = await open().client("INFO");
            expect(/ resp=(\d)/.exec(info)?.[1]).toBe(String(expectedResp()));
        });

        it("connects with TLS exactly when the string says rediss://, verifying the server's certificate", async () => {
            const client = open();
            await client.ping();
            const socket = client.stream as TLSSocket;
            expect(Boolean(socket.encrypted)).toBe(suite.server.connectionString.startsWith("rediss://"));
            if (socket.encrypted) expect(socket.authorized).toBe(true);
        });

        it("fails clearly on a wrong password, without echoing it", async () => {
            const wrong = withPassword(suite.server.connectionString, "wrong-password-0123456789");
            const client = open({ shared: false, maxRetriesPerRequest: 0, retryStrategy: () => null }, wrong);
            client.on("error", () => {});
            try {
                const error = await client.ping().then(
                    () => undefined,
                    (e: Error) => e,
                );
                expect(error?.message).toMatch(/WRONGPASS|NOAUTH/);
                expect(error?.message).not.toContain("wrong-password-0123456789");
            } finally {
                client.disconnect();
            }
        });

        it("sees CONFIG as unknown: it was renamed", async () => {
            await expect(open().call("CONFIG", "GET", "maxmemory")).rejects.toThrow(/unknown command/);
        });

        it("sizes pools for clients that cannot multiplex", () => {
            expect(recommendedPoolSize(100, 20)).toBe(3);
            expect(recommendedPoolSize(1000, 50)).toBe(75);
            expect(recommendedPoolSize(0, 10)).toBe(1);
            expect(() => recommendedPoolSize(-1, 10)).toThrow(RangeError);
            expect(() => recommendedPoolSize(Number.NaN, 10)).toThrow(RangeError);
        });
    });
}

/** pipelineInBatches and pipelineBatches: bulk commands in order, streamed batch by batch, failures in place. */
export function pipelineCases({ open }: ClientSuiteContext): void {
    describe("pipelineInBatches", () => {
        it("lands 10,000 SETs in batches and returns results in order", async () => {
            const client = open();
            const sets: Command[] = Array.from({ length: 10_000 }, (_, i) => ["set", `bulk:${i}`, `value-${i}`, "EX", 300]);
            const results = await pipelineInBatches(client, sets, 500);
            expect(results).toHaveLength(10_000);
            expect(results.every(([error, reply]) => error === null && reply === "OK")).toBe(true);
            const gets = await pipelineInBatches(
                client,
                Array.from({ length: 10_000 }, (_, i): Command => ["get", `bulk:${i}`]),
                777,
            );
            expect(gets.map(([, v]) => v)).toEqual(Array.from({ length: 10_000 }, (_, i) => `value-${i}`));
        });

        it("streams with pipelineBatches: a batch's results come before the next batch is read from the commands", async () => {
            const client = open();
            let produced = 0;
            function* commands(): Generator<Command> {
                for (let i = 0; i < 2_500; i++) {
                    produced += 1;
                    yield ["set", `stream:${i}`, String(i), "EX", 60];
                }
            }
            const seen: Array<{ results: number; producedSoFar: number }> = [];
            for await (const results of pipelineBatches(client, commands(), 1_000))
                seen.push({ results: results.length, producedSoFar: produced });
            // Never more than one batch ahead: 1,000 read for the first 1,000 results, and so on.
            expect(seen).toEqual([
                { results: 1_000, producedSoFar: 1_000 },
                { results: 1_000, producedSoFar: 2_000 },
                { results: 500, producedSoFar: 2_500 },
            ]);
            expect(await client.get("stream:2499")).toBe("2499");
        });

        it("reports a failed command in place without stopping the rest", async () => {
            const client = open();
            const results = await pipelineInBatches(client, [["set", "mixed:a", "1", "EX", 60], ["flushall"], ["get", "mixed:a"]], 2);
            expect(results[0]).toEqual([null, "OK"]);
            expect(results[1][0]?.message).toMatch(/unknown command/);
            expect(results[2]).toEqual([null, "1"]);
            await expect(pipelineInBatches(client, [], 0)).rejects.toThrow(RangeError);
        });
    });
}

/** scanKeys: every key once without KEYS, and by type. */
export function scanKeysCases({ open }: ClientSuiteContext): void {
    describe("scanKeys", () => {
        it("yields each of 10,000 keys exactly once, where KEYS is disabled", async () => {
            const client = open();
            await pipelineInBatches(
                client,
                Array.from({ length: 10_000 }, (_, i): Command => ["set", `scan:${i}`, "1", "EX", 300]),
            );
            const seen: string[] = [];
            for await (const key of scanKeys(client, "scan:*", { count: 500 })) seen.push(key);
            expect(seen).toHaveLength(10_000);
            expect(new Set(seen).size).toBe(10_000);
            await expect(client.call("KEYS", "scan:*")).rejects.toThrow(/unknown command/);
        });

        it("filters by type", async () => {
            const client = open();
            await client.hset("typed:h", "f", "v");
            await client.expire("typed:h", 60);
            await client.set("typed:s", "v", "EX", 60);
            const hashes: string[] = [];
            for await (const key of scanKeys(client, "typed:*", { type: "hash" })) hashes.push(key);
            expect(hashes).toEqual(["typed:h"]);
        });
    });
}
