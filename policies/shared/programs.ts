// The programs a hardened-redis container runs, by server family (Redis, Valkey): the components
// build their commands, probes and start scripts from here, and redis-guard recognises those
// scripts from here (the pack cannot import the components; the components can import this).

/** Each family's server (which also runs Sentinel, with `--sentinel`) and command-line client. */
export const SERVER_PROGRAMS = {
    redis: { server: "redis-server", cli: "redis-cli" },
    valkey: { server: "valkey-server", cli: "valkey-cli" },
} as const;

export type ServerFamily = keyof typeof SERVER_PROGRAMS;

/** The family whose server program is `program` (a file name), if any. */
export function familyOfServerProgram(program: string): ServerFamily | undefined {
    return (Object.keys(SERVER_PROGRAMS) as ServerFamily[]).find((family) => SERVER_PROGRAMS[family].server === program);
}
