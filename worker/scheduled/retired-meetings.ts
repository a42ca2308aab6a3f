import { database } from '../db/client';
import { meetingsDueAtProvider, postponeProviderEnd } from '../db/meetings';
import { log } from '../log';
import { endAtProvider } from '../meetings/provider-end';
import type { Platforms } from '../platforms/registry';

// The Cron's second try at the rooms of retired meetings still open at their provider (SPEC §9):
// those whose end after the retiring answer failed (a provider's bad minute), and those retired
// where nothing ends them at once (a provider's session end, the reconciliation). One that
// fails again goes to the back of the line, so that it holds up no other.

/** Daily deletes rooms at about 2 a second: one call every half second keeps a run below that. */
const ENDS_PER_RUN = 50;
const PACE_MS = 500;

export async function endRetiredMeetings(
  env: Env,
  providers: Platforms,
  now = Date.now(),
): Promise<{ ended: number; failed: number }> {
  const db = database(env);
  const due = await meetingsDueAtProvider(db, ENDS_PER_RUN);
  let ended = 0;
  let failed = 0;
  for (const [index, meeting] of due.entries()) {
    if (index > 0) await new Promise((resolve) => setTimeout(resolve, PACE_MS));
    if (await endAtProvider(db, providers, meeting)) ended++;
    else {
      failed++;
      await postponeProviderEnd(db, meeting.id, now);
    }
  }
  if (due.length > 0) log('info', 'provider rooms of retired meetings ended', { ended, failed });
  return { ended, failed };
}
