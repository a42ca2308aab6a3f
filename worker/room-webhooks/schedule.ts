// When a failed delivery is tried again (SPEC §11: the first retry within 30 s, the second within
// 2 minutes of the first, at least 5 retries over at least 30 minutes): after each failed attempt
// of a round, the next one this many seconds later; after the last, the delivery is kept as failed.
export const RETRY_DELAYS_SECONDS = [10, 60, 5 * 60, 15 * 60, 30 * 60, 60 * 60] as const;

/** Seconds until the next attempt after `failedInRound` failed attempts of this round; null: no more. */
export const retryDelaySeconds = (failedInRound: number): number | null =>
  RETRY_DELAYS_SECONDS[failedInRound - 1] ?? null;
