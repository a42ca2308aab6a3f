import { lt, sql } from 'drizzle-orm';
import type { Platform } from '../../domain/rooms';
import { type Database, database } from '../db/client';
import { type MetricCounter, metricCounts } from '../db/schema';
import { log } from '../log';

// Counters for what leaves no row of its own (provider calls, refused and repeated webhooks),
// added to the current minute's row. The write runs after the answer (waitUntil): a count never
// slows a join or a webhook down, and a count that fails to land is logged, never an error.

export type Count = (platform: Platform, ...counters: MetricCounter[]) => void;

export const MINUTE_MS = 60_000;
/** How long counts are kept: the longest window the metrics answer for. */
export const COUNTS_KEPT_MS = 90 * 86_400_000;

/**
 * Counts into D1 in the background of the request, queue batch or Cron run whose context is
 * `ctx`: through `through` when given (a request's primary session), else the plain binding.
 */
export function counting(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, through?: Database): Count {
  return (platform, ...counters) => {
    if (counters.length === 0) return;
    const minute = Math.floor(Date.now() / MINUTE_MS);
    const db = through ?? database(env);
    const increments = counters.map((name) =>
      db
        .insert(metricCounts)
        .values({ minute, platform, name, count: 1 })
        .onConflictDoUpdate({
          target: [metricCounts.minute, metricCounts.platform, metricCounts.name],
          set: { count: sql`${metricCounts.count} + 1` },
        }),
    );
    const [first, ...rest] = increments;
    if (!first) return;
    ctx.waitUntil(
      db
        .batch([first, ...rest])
        .catch((error: unknown) => log('warn', 'a metric count was lost', { platform, counters, error })),
    );
  };
}

/** Drops the counts older than COUNTS_KEPT_MS (the Cron's job). */
export async function dropOldCounts(env: Env): Promise<void> {
  await database(env)
    .delete(metricCounts)
    .where(lt(metricCounts.minute, Math.floor((Date.now() - COUNTS_KEPT_MS) / MINUTE_MS)));
}
