import type Redis from "ioredis";

/** A command as ioredis' pipeline takes it: `["set", "k", "v"]`. */
export type Command = [name: string, ...args: (string | number | Buffer)[]];

/**
 * Sends commands in pipelines of `batchSize`: one round trip per batch instead of one
 * per command, with memory bounded by the batch on both ends. Results come back in
 * order as `[error, value]`, like `pipeline().exec()`; a failed command does not stop
 * the others.
 */
export async function pipelineInBatches(
    redis: Redis,
    commands: Iterable<Command>,
    batchSize = 1_000,
): Promise<Array<[Error | null, unknown]>> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError("pipelineInBatches: batchSize must be an integer >= 1");
    const results: Array<[Error | null, unknown]> = [];
    let batch: Command[] = [];
    const flush = async () => {
        if (batch.length === 0) return;
        const replies = await redis.pipeline(batch).exec();
        results.push(...(replies ?? []));
        batch = [];
    };
    for (const command of commands) {
        batch.push(command);
        if (batch.length === batchSize) await flush();
    }
    await flush();
    return results;
}
