import { config } from '../config';
import { database } from '../db/client';
import { occupiedMeetingsEndingBefore } from '../db/meetings';
import { toApiError } from '../errors';
import { log } from '../log';
import { extendLease } from '../meetings/lease';
import { type Platforms, platformsExtendingLeases } from '../platforms/registry';

// The Cron's lease extensions (SPEC §9): an occupied meeting on a provider that stops letting
// people into a room at its end (Daily's exp) has its lease extended while that end is still
// some runs away, so people already in the call can still be joined by others.

/** Six runs of the Cron (every five minutes) before the end: a provider's bad minute is retried in time. */
const RENEWAL_WINDOW_MS = 30 * 60_000;
/** Daily takes about 20 calls a second; a run stays well below. */
const EXTENSIONS_PER_RUN = 25;

export async function extendLeases(
  env: Env,
  providers: Platforms,
  now = Date.now(),
): Promise<{ extended: number; failed: number }> {
  const db = database(env);
  const lengthMs = config(env).meetingLengthMs();
  const before = new Date(now + RENEWAL_WINDOW_MS).toISOString();
  const due = await occupiedMeetingsEndingBefore(db, platformsExtendingLeases(), before, EXTENSIONS_PER_RUN);
  let extended = 0;
  let failed = 0;
  for (const meeting of due) {
    try {
      await extendLease(db, providers, meeting, lengthMs, now);
      extended++;
    } catch (error) {
      failed++;
      log('warn', 'lease not extended; the next run tries again', {
        meeting_id: meeting.id,
        platform: meeting.platform,
        end_date: meeting.endDate,
        error: toApiError(error)?.detail ?? String(error),
      });
    }
  }
  if (due.length > 0) log('info', 'lease extensions', { extended, failed });
  return { extended, failed };
}
