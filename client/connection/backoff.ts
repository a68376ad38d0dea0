/** Exponential backoff from 50 ms, capped at 2 s, with full jitter. */
export function jitteredBackoff(attempt: number, baseMs = 50, capMs = 2_000): number {
    return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16)));
}
