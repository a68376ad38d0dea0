// TLS against plaintext: two local redis-servers started from one rendered config, one of them
// TLS-only (`tls: true`), and clients that connect as an application does, with the connection
// string and the CA. bench/suites/tls.ts measures these in alternation and records them.
import { once } from "node:events";
import type { ConnectionOptions, TLSSocket } from "node:tls";
import Redis, { type RedisOptions } from "ioredis";
import { startLocalRedis, type LocalRedis } from "../harness/local/localRedis";

const VALUE = "value-0123456789";

/** A plaintext and a TLS-only server from the same settings. */
export interface TlsPair {
    plain: LocalRedis;
    tls: LocalRedis;
    stop(): Promise<void>;
}

export async function startTlsPair(): Promise<TlsPair> {
    const plain = await startLocalRedis();
    try {
        const tls = await startLocalRedis({ tls: true });
        return { plain, tls, stop: async () => (await tls.stop(), await plain.stop()) };
    } catch (e) {
        await plain.stop();
        throw e;
    }
}

/** A client of `server` as an application makes one: its connection string and, with TLS, its CA. */
export function clientOf(server: LocalRedis, options: RedisOptions = {}): Redis {
    return new Redis(server.connectionString, {
        ...options,
        ...(server.tls ? { tls: { ca: server.tls.caCertificate, ...(options.tls as ConnectionOptions | undefined) } } : {}),
    });
}

/** `n` commands, SET and GET in turn, each awaited before the next is sent. */
export async function sequentialSetGet(redis: Redis, n: number): Promise<void> {
    for (let i = 0; i < n / 2; i++) {
        await redis.set(`tls:seq:${i % 100}`, VALUE);
        await redis.get(`tls:seq:${i % 100}`);
    }
}

/** `n` commands in explicit pipelines of `batch`, half SETs and half GETs of the keys just set. */
export async function pipelinedSetGet(redis: Redis, n: number, batch = 100): Promise<void> {
    for (let b = 0; b < n / batch; b++) {
        const p = redis.pipeline();
        for (let i = 0; i < batch / 2; i++) p.set(`tls:pipe:${i}`, VALUE).get(`tls:pipe:${i}`);
        const replies = await p.exec();
        const failed = replies?.find(([err]) => err)?.[0];
        if (failed) throw failed;
    }
}

/**
 * A client's start-up: from `new Redis` through connect() (TCP, TLS handshake, HELLO with AUTH,
 * the ready check) to the reply of the first PING, in ms. With `session`, the TLS client offers
 * that session (a TLS 1.3 ticket) for resumption.
 */
async function startUp(server: LocalRedis, session?: Buffer): Promise<{ ms: number; resumed: boolean; session?: Buffer }> {
    const t0 = process.hrtime.bigint();
    const redis = clientOf(server, { lazyConnect: true, ...(session ? { tls: { session } } : {}) });
    await redis.connect();
    await redis.ping();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    // The ticket arrives after the handshake; by the PING's reply it has.
    const socket = server.tls ? (redis.stream as TLSSocket) : undefined;
    const result = { ms, resumed: socket?.isSessionReused() ?? false, session: socket?.getSession() };
    const ended = once(redis, "end");
    redis.disconnect();
    await ended;
    return result;
}

/**
 * Start-up measurements, each warmed up once: plaintext, TLS with a full handshake, and TLS
 * resuming the session of its previous connection (as a client could on reconnecting; ioredis
 * does not do it by itself, and Node keeps no client session cache).
 */
export async function startUpRuns(pair: TlsPair): Promise<Record<"plain" | "full" | "resumed", () => Promise<number>>> {
    await startUp(pair.plain);
    let { session } = await startUp(pair.tls);
    return {
        plain: async () => (await startUp(pair.plain)).ms,
        full: async () => {
            const r = await startUp(pair.tls);
            if (r.resumed) throw new Error("a TLS connection without a session was resumed");
            return r.ms;
        },
        resumed: async () => {
            const r = await startUp(pair.tls, session);
            if (!r.resumed) throw new Error("the server did not resume the TLS session");
            session = r.session ?? session;
            return r.ms;
        },
    };
}
