import type { Meeting } from '../db/schema';

// SPEC §13–14: a meeting takes answers from the people in it (recording consent, call-quality
// reports, ratings) while it goes on and for an hour after its end, then no more: an answer that
// comes later (a stale tab, or someone replaying requests) must not delete the audio of a meeting
// long over, nor grow its rows.

/** How long after its end a meeting still takes answers: people answer as they leave, or a little later. */
const ANSWER_GRACE_MS = 60 * 60_000;

/**
 * When the meeting stops taking answers (unix ms), or null while it goes on.
 *
 * A meeting goes on while it is active with people counted in it: its end date is then only a
 * lease that each join extends (SPEC §9). Otherwise it ended at its end date, or when it was
 * retired (by a settings change, a room's deletion, its provider's session end, the
 * reconciliation) if that came first. A retired meeting whose retirement time is unknown (a row
 * of before migration 0009) ended at its end date; one whose end date cannot be read counts as
 * long over.
 */
function answersCloseAt(meeting: Pick<Meeting, 'isActive' | 'numClients' | 'endDate' | 'retiredAt'>): number | null {
  if (meeting.isActive && meeting.numClients > 0) return null;
  const endDate = Date.parse(meeting.endDate);
  const ended = Math.min(Number.isNaN(endDate) ? -Infinity : endDate, meeting.retiredAt ?? Infinity);
  return ended + ANSWER_GRACE_MS;
}

export const takesAnswers = (meeting: Parameters<typeof answersCloseAt>[0], now = Date.now()): boolean => {
  const closes = answersCloseAt(meeting);
  return closes === null || now <= closes;
};
