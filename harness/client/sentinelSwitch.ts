// When the Sentinels announced a promotion (+switch-master): failover tests report it next to the
// client's first write, so a slow failover shows whose time it was, the Sentinels' or the client's.
import Redis, { type RedisOptions } from "ioredis";

/** Subscribes to +switch-master on each Sentinel (they announce it one after another); `at` is the first. */
export async function watchSwitch(sentinels: RedisOptions[]): Promise<{ at(): number | undefined; close(): void }> {
    let at: number | undefined;
    const subscribers = sentinels.map((sentinel) => {
        const subscriber = new Redis({ ...sentinel, enableReadyCheck: false, maxRetriesPerRequest: 0 } as RedisOptions & {
            replyMapping?: "legacy";
        });
        subscriber.on("error", () => {});
        subscriber.on("message", () => (at ??= Date.now()));
        return subscriber;
    });
    await Promise.all(subscribers.map((s) => s.subscribe("+switch-master")));
    return { at: () => at, close: () => subscribers.forEach((s) => s.disconnect()) };
}

/** How a failover went, for an assertion's message. */
export function failoverTimes(startedAt: number, switchedAt: number | undefined, wroteAt: number): string {
    const switched = switchedAt === undefined ? "no +switch-master seen" : `+switch-master after ${switchedAt - startedAt} ms`;
    return `${switched}, first write after ${wroteAt - startedAt} ms`;
}
