import { and, count, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { FlagKey } from '../rollout/flags';
import type { Database } from './client';
import { type FlagChange, flagChanges } from './schema';

// The queries of the flags' history (SPEC §12). Rows are written by rollout/history.ts and by
// rollout/kv-dashboard.ts only.

const newestFirst = [desc(flagChanges.at), desc(flagChanges.id)];

/** A page of the history, newest first, of one key or all. */
export async function listFlagChanges(db: Database, { key }: { key?: FlagKey }, page: number, size: number) {
  const matching = key ? eq(flagChanges.key, key) : undefined;
  const [items, [total]] = await db.batch([
    db
      .select()
      .from(flagChanges)
      .where(matching)
      .orderBy(...newestFirst)
      .limit(size)
      .offset((page - 1) * size),
    db.select({ total: count() }).from(flagChanges).where(matching),
  ]);
  return { items, total: total?.total ?? 0 };
}

/** The changes in [from, to), oldest first: the marks on the charts' time axis. */
export const flagChangesBetween = (db: Database, from: number, to: number) =>
  db
    .select()
    .from(flagChanges)
    .where(and(gte(flagChanges.at, from), lt(flagChanges.at, to)))
    .orderBy(flagChanges.at, flagChanges.id);

/** Each key's latest recorded change (undefined: none yet), one index read per key. */
export async function latestFlagChanges(db: Database, keys: readonly FlagKey[]) {
  const latest = keys.map((key) =>
    db.select().from(flagChanges).where(eq(flagChanges.key, key)).orderBy(desc(flagChanges.id)).limit(1),
  );
  const [first, ...rest] = latest;
  if (!first) return new Map<FlagKey, FlagChange>();
  const rows = await db.batch([first, ...rest]);
  return new Map(rows.flatMap(([row]) => (row ? [[row.key, row] as const] : [])));
}

/**
 * Records the change unless another was recorded for its key since `after` (the id of the latest
 * change seen, null: none): a compare-and-set in one statement, so two Cron runs at once, or a
 * PUT landing between the read and this write, never record the same edit twice or a stale revert.
 */
export const recordChangeAfter = (
  db: Database,
  change: Pick<FlagChange, 'at' | 'by' | 'key' | 'oldValue' | 'newValue' | 'reason'>,
  after: number | null,
) =>
  db.run(sql`INSERT INTO ${flagChanges} (at, by, key, old_value, new_value, reason)
    SELECT ${change.at}, ${change.by}, ${change.key}, ${change.oldValue}, ${change.newValue}, ${change.reason}
    WHERE (SELECT max(id) FROM ${flagChanges} WHERE key = ${change.key}) IS ${after}`);
