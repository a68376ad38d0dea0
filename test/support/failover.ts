/**
 * How long after the primary dies a client may have to wait to write again. Sentinel declares the
 * primary down after down-after-milliseconds; when two Sentinels start an election at once and
 * split the votes, no Sentinel (those that voted included) tries again before twice
 * failover-timeout (sentinel.c, sentinelStartFailoverIfNeeded). Rare, thanks to Sentinel's random
 * start delay, but it happens: once in this suite, 19.8 s with a 10 s timeout. Plus 5 s for the
 * election, the promotion and the client's reconnect. Typical figures are printed and benched.
 */
export function failoverBoundMs(settings: { downAfterMilliseconds: number; failoverTimeoutMilliseconds: number }): number {
    return settings.downAfterMilliseconds + 2 * settings.failoverTimeoutMilliseconds + 5_000;
}
