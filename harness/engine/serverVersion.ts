// Which server a deployment runs, as the server itself says.
import Redis, { type RedisOptions } from "ioredis";

/** The version a server says it is: Valkey keeps redis_version at the Redis release it answers as, and says its own in valkey_version. */
export async function serverVersion(adminConnectionString: string, options: RedisOptions = {}): Promise<string | undefined> {
    const admin = new Redis(adminConnectionString, { maxRetriesPerRequest: 1, ...options });
    try {
        const info = await admin.info("server");
        return /^valkey_version:(\S+)/m.exec(info)?.[1] ?? /^redis_version:(\S+)/m.exec(info)?.[1];
    } finally {
        admin.disconnect();
    }
}

/** What {@link serverVersion} says for `server`: its major version first. */
export const versionOf = (server: { major: number }): RegExp => new RegExp(`^${server.major}\\.`);
