// The ports Redis and Sentinel listen on unless told otherwise: the components' defaults and the
// ports the pack recognises a Redis or a Sentinel by.

/** Redis's default port. */
export const REDIS_PORT = 6379;
/** Sentinel's default port. */
export const SENTINEL_PORT = 26379;
