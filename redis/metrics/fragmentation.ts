// When memory fragmentation is worth acting on: the alert (alertRules.ts) and the client's
// purgeMemory use the same thresholds, so the alert fires when a purge would act.

/** The seed guide's threshold: above this `fragmentationRatio` the process holds half again what its data needs. */
export const FRAGMENTATION_RATIO_LIMIT = 1.5;
/** Below this many fragmented bytes a high ratio is the process's fixed overhead, not waste worth purging or alerting on. */
export const FRAGMENTED_BYTES_WORTH_ACTING = 32 * 1024 * 1024;
