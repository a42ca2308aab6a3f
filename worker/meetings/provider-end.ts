import type { Database } from '../db/client';
import { markEndedAtProvider } from '../db/meetings';
import type { Meeting } from '../db/schema';
import { toApiError } from '../errors';
import { log } from '../log';
import type { Platforms } from '../platforms/registry';
import type { MeetingRef } from '../platforms/types';

// A retired meeting's room is ended at its provider too (SPEC §9): everyone in it is ejected
// (a locked room really shuts out whoever was in the old one) and Daily's rooms do not pile up.
// That never holds up the request that retired the meeting: it runs after the answer, and the
// retirement itself recorded that the room is due (meetings.provider_end_due_at), so that the
// Cron ends what a provider's bad minute left (scheduled/retired-meetings.ts).

/** What ending a meeting's room takes: the provider's names of it, and ours for the log. */
export type RetiredMeeting = MeetingRef & Pick<Meeting, 'id' | 'platform' | 'roomId'>;

/** Ends the retired meeting's room at its provider; answers whether it is ended. Never throws. */
export async function endAtProvider(db: Database, platforms: Platforms, meeting: RetiredMeeting): Promise<boolean> {
  try {
    await platforms(meeting.platform).endMeeting(meeting);
    await markEndedAtProvider(db, meeting.id);
    return true;
  } catch (error) {
    log('warn', "a retired meeting's room was not ended at its provider; the Cron tries again", {
      meeting_id: meeting.id,
      room_id: meeting.roomId,
      platform: meeting.platform,
      error: toApiError(error)?.detail ?? String(error),
    });
    return false;
  }
}

/** Ends retired meetings' rooms after the answer, in the background of the request. */
export type EndInBackground = (retired: readonly RetiredMeeting[]) => void;

export const endingInBackground =
  (ctx: Pick<ExecutionContext, 'waitUntil'>, db: Database, platforms: Platforms): EndInBackground =>
  (retired) => {
    for (const meeting of retired) ctx.waitUntil(endAtProvider(db, platforms, meeting));
  };
