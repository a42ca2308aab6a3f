import type { Database } from '../db/client';
import { flagChanges } from '../db/schema';
import { FLAG_KEYS, type FlagKey, flagText, forgetCachedFlags, type RolloutFlags } from './flags';

// The flags' history (SPEC §12): every write of a flag goes through here, so the change is
// recorded with who made it and why, whoever writes (an admin, the ramp).

/** Who changed a flag: an admin's sub, the guarded ramp, or someone editing KV in the dashboard. */
export type ChangedBy = string | 'ramp' | 'kv-dashboard';

export interface FlagChangeCause {
  by: ChangedBy;
  reason: string;
}

/** Each key's text in KV now, read past the edge cache: what a change replaces. */
export async function storedFlagTexts(kv: KVNamespace): Promise<Record<FlagKey, string | null>> {
  const stored = await kv.get([...FLAG_KEYS], { type: 'text' });
  return Object.fromEntries(FLAG_KEYS.map((key) => [key, stored.get(key) ?? null])) as Record<FlagKey, string | null>;
}

/**
 * Writes the flags given to KV (a flag left out keeps its value) and records each one whose text
 * changed. The history row is written after KV: a write that fails leaves no change recorded
 * that did not happen, and a recorded change that failed to land is found again by the Cron.
 */
export async function changeFlags(
  db: Database,
  kv: KVNamespace,
  flags: Partial<RolloutFlags>,
  cause: FlagChangeCause,
  now = Date.now(),
): Promise<void> {
  const before = await storedFlagTexts(kv);
  const changed = FLAG_KEYS.flatMap((key) => {
    const value = flags[key];
    if (value === undefined) return [];
    const text = flagText(value);
    return text === before[key] ? [] : [{ key, oldValue: before[key], newValue: text }];
  });
  await Promise.all(changed.map(({ key, newValue }) => kv.put(key, newValue)));
  forgetCachedFlags();
  if (changed.length > 0)
    await db.insert(flagChanges).values(changed.map((change) => ({ ...change, at: now, ...cause })));
}
