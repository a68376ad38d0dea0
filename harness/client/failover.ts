/**
 * How long after the primary dies a client may have to wait to write again, in the worst case that
 * still means "Sentinel works as configured". Sentinel declares the primary down after
 * down-after-milliseconds; when two Sentinels start an election at once and split the votes, no
 * Sentinel (those that voted included) tries again before twice failover-timeout (sentinel.c,
 * sentinelStartFailoverIfNeeded). Rare, thanks to Sentinel's random start delay, but it happens on
 * this 2-core machine under load. On top of those two settings come steps of about a second each:
 * agreeing on ODOWN (Sentinels ask each other once a second), the random start delay (up to 1 s,
 * twice with a split vote), the election, the promotion seen through INFO, the other replica
 * re-pointed and synced (a write counts once WAIT 1 confirms it), and the client's reconnect
 * backoff. 10 s covers them; seen: 18.9 s locally with a 5 s failover-timeout (bound 21 s), 19.8 s
 * with 10 s (bound 31 s). The bound still fails a topology whose down-after is ignored (default
 * 30 s) or that waits for the old primary. Typical figures are printed and benched.
 */
export function failoverBoundMs(settings: { downAfterMilliseconds: number; failoverTimeoutMilliseconds: number }): number {
    return settings.downAfterMilliseconds + 2 * settings.failoverTimeoutMilliseconds + 10_000;
}
