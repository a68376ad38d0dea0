import type Redis from "ioredis";
import { afterAll, beforeAll, describe } from "vitest";
import { closeSharedClients, connect, type ConnectOptions } from "../../client";
import type { RedisUnderTest } from "../local/localRedis";
import { connectOptionsFor } from "../client/serverTls";
import { connectCases, pipelineCases, scanKeysCases } from "./clientSuiteConnection";
import { cacheAsideCases, lockCases, scriptCases, shardedKeyCases } from "./clientSuitePatterns";

/** What the suite's cases reach the server through, once its beforeAll has run. */
export interface ClientSuiteContext {
    /** The server under test. */
    readonly server: RedisUnderTest;
    /** An admin connection for observing the server (CLIENT LIST is not the app user's), never counted as the client under test. */
    readonly observer: Redis;
    /** connect() to the server under test (or `url`, a variant of its string), told what its TLS needs (nothing for a plaintext server). */
    readonly open: (options?: ConnectOptions, url?: string) => Redis;
    /** A section of the server's INFO, as the observer sees it. */
    readonly info: (section: string) => Promise<Map<string, string>>;
}

/**
 * The client integration suite, run unchanged against every Redis the project deploys:
 * a local redis-server from the rendered config, the Docker-realised DockerRedis and the
 * Docker-realised KubernetesRedis pod, with TLS or without. Each case can fail.
 */
export function clientSuite(target: string, start: () => Promise<RedisUnderTest>): void {
    describe(`client helpers against ${target}`, () => {
        let server: RedisUnderTest;
        let observer: Redis;
        const suite: ClientSuiteContext = {
            get server() {
                return server;
            },
            get observer() {
                return observer;
            },
            open: (options = {}, url = server.connectionString) => connect(url, { ...connectOptionsFor(server), ...options }),
            info: async (section) => {
                const text = await observer.info(section);
                return new Map(
                    text
                        .split("\r\n")
                        .filter((l) => l.includes(":"))
                        .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]),
                );
            },
        };

        beforeAll(async () => {
            server = await start();
            // Through connect(), so it reads every connection string the suite runs against (a Sentinel one too).
            observer = connect(server.adminConnectionString, {
                ...connectOptionsFor(server),
                shared: false,
                connectionName: "observer",
                maxRetriesPerRequest: 0,
            });
        }, 300_000);

        afterAll(async () => {
            await closeSharedClients();
            observer?.disconnect();
            await server?.stop();
        }, 120_000);

        // In this order: cases share the server, and the last cacheAside case checks what the ones before it left.
        connectCases(suite);
        pipelineCases(suite);
        scriptCases(suite);
        lockCases(suite);
        cacheAsideCases(suite);
        scanKeysCases(suite);
        shardedKeyCases(suite);
    });
}
