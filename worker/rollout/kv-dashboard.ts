import type { Database } from '../db/client';
import { latestFlagChanges, recordChangeAfter } from '../db/flag-changes';
import { log } from '../log';
import { FLAG_KEYS } from './flags';
import { storedFlagTexts } from './history';

// Edits made in the Cloudflare dashboard's KV view pass no code of ours: each Cron run compares
// KV's texts with each key's latest recorded value and records what differs as a change by
// `kv-dashboard` (SPEC §12), a key deleted in KV too (new value null).

/**
 * How long a KV write takes to be seen everywhere. A key whose latest change is younger is not
 * compared: this run's read may come from a location that still has the text from before that
 * change, and would record a revert nobody made. A real edit in that minute is found next run.
 */
export const KV_PROPAGATION_MS = 60_000;

export const FOUND_REASON = 'found in KV by the Cron (edited in the dashboard)';
/**
 * A key with no history yet (the first run on a deployment older than the history) gets its text
 * recorded once as the history's start, so the timeline shows what was in effect and every later
 * edit has a value to differ from. Its old value is unknown, so null.
 */
export const FIRST_SEEN_REASON = 'in KV when the history began (first look by the Cron)';

/** Records each dashboard edit found; answers how many were recorded. */
export async function recordDashboardEdits(db: Database, kv: KVNamespace, now = Date.now()): Promise<number> {
  const [stored, latest] = await Promise.all([storedFlagTexts(kv), latestFlagChanges(db, FLAG_KEYS)]);
  const found = FLAG_KEYS.flatMap((key) => {
    const last = latest.get(key);
    if (last && now - last.at < KV_PROPAGATION_MS) return [];
    const recorded = last ? last.newValue : null;
    if (stored[key] === recorded) return [];
    return [
      recordChangeAfter(
        db,
        {
          at: now,
          by: 'kv-dashboard',
          key,
          oldValue: recorded,
          newValue: stored[key],
          reason: last ? FOUND_REASON : FIRST_SEEN_REASON,
        },
        last?.id ?? null,
      ),
    ];
  });
  const results = await Promise.all(found);
  const recorded = results.reduce((sum, result) => sum + result.meta.changes, 0);
  if (recorded > 0) log('info', 'rollout flag edits found in KV', { count: recorded });
  return recorded;
}
