import type Redis from "ioredis";

/** A command as ioredis' pipeline takes it: `["set", "k", "v"]`. */
export type Command = [name: string, ...args: (string | number | Buffer)[]];

/** One command's outcome, as `pipeline().exec()` gives it: `[error, value]`. */
export type CommandResult = [Error | null, unknown];

/**
 * Sends commands in pipelines of `batchSize`, one round trip per batch instead of one per
 * command, and yields each batch's results in order before reading the next batch from
 * `commands`. Memory is bounded on both ends: at most one batch of commands and one of replies
 * is held, however many commands a generator produces. A failed command does not stop the others.
 */
export async function* pipelineBatches(redis: Redis, commands: Iterable<Command>, batchSize = 1_000): AsyncGenerator<CommandResult[]> {
    if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new RangeError("pipelineBatches/pipelineInBatches: batchSize must be an integer >= 1");
    let batch: Command[] = [];
    for (const command of commands) {
        batch.push(command);
        if (batch.length === batchSize) {
            yield (await redis.pipeline(batch).exec()) ?? [];
            batch = [];
        }
    }
    if (batch.length > 0) yield (await redis.pipeline(batch).exec()) ?? [];
}

/**
 * {@link pipelineBatches}, every result collected: commands are read and sent a batch at a time,
 * and every reply is kept until the end (10,000 commands, 10,000 results). For more results than
 * fit in memory, iterate `pipelineBatches` instead.
 */
export async function pipelineInBatches(redis: Redis, commands: Iterable<Command>, batchSize = 1_000): Promise<CommandResult[]> {
    const results: CommandResult[] = [];
    for await (const replies of pipelineBatches(redis, commands, batchSize)) results.push(...replies);
    return results;
}
