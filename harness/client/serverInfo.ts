// Which server answers, as it says itself in INFO server: the one place the tests read it from.
import Redis, { type RedisOptions } from "ioredis";
import type { ServerFamily } from "../../policies/shared/programs";

/** A server's family and its own version. */
export interface ServerIdentity {
    family: ServerFamily;
    version: string;
}

/**
 * The server an `INFO server` reply comes from. Valkey keeps redis_version at the Redis release it
 * answers as (7.2.4) and says its own in valkey_version.
 */
export function serverOfInfo(info: string): ServerIdentity {
    const valkey = /^valkey_version:(\S+)/m.exec(info)?.[1];
    const version = valkey ?? /^redis_version:(\S+)/m.exec(info)?.[1];
    if (version === undefined) throw new Error("INFO server names no version");
    return { family: valkey === undefined ? "redis" : "valkey", version };
}

/** The server behind `adminConnectionString`. */
export async function serverOf(adminConnectionString: string, options: RedisOptions = {}): Promise<ServerIdentity> {
    const admin = new Redis(adminConnectionString, { maxRetriesPerRequest: 1, ...options });
    try {
        return serverOfInfo(await admin.info("server"));
    } finally {
        admin.disconnect();
    }
}

/** Whether `identity` is `server`: its family, at its major version. */
export function isServer(identity: ServerIdentity, server: { family: ServerFamily; major: number }): boolean {
    return identity.family === server.family && identity.version.startsWith(`${server.major}.`);
}
