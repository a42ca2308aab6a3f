import type { Database } from '../db/client';
import { MEETING_SETTING_COLUMNS } from '../db/columns';
import { extendMeetingEnd } from '../db/meetings';
import type { Meeting, Room } from '../db/schema';
import { leaseOf, type Platforms } from '../platforms/registry';
import { toWholeSecond } from '../time';

// A meeting's end_date is a lease (SPEC §9): people in a call are never split or refused because
// it ran out. The Cron extends an occupied meeting's lease before it lapses where the provider
// can move its room's end (Daily's exp); a join that finds it lapsed all the same extends it
// before answering. Where the provider cannot (Whereby), the meeting is reused until the
// provider itself closes the room.

/** What a join does with the room's active meeting. */
export type JoinVerdict = 'reuse' | 'extend' | 'retire';

export function joinVerdict(meeting: Meeting, room: Room, now: number): JoinVerdict {
  if (!MEETING_SETTING_COLUMNS.every((column) => meeting[column] === room[column])) return 'retire';
  const end = Date.parse(meeting.endDate);
  if (now < end) return 'reuse';
  if (meeting.numClients === 0) return 'retire';
  const lease = leaseOf(meeting.platform);
  if (lease.extendable) return 'extend';
  return now < end + lease.worksAfterEndMs ? 'reuse' : 'retire';
}

/**
 * Whether people may still be let into this meeting (a join by its id, a recording started in it):
 * it is active and a join of its room would not retire it. An occupied meeting past its end whose
 * lease can be moved is still in use: its lease is extended first (`extend`).
 */
export function stillInUse(meeting: Meeting, room: Room, now: number): JoinVerdict | 'ended' {
  if (!meeting.isActive) return 'ended';
  const verdict = joinVerdict(meeting, room, now);
  return verdict === 'retire' ? 'ended' : verdict;
}

/**
 * Extends the meeting's lease to now + the meeting length: at the provider first, so that the
 * room lets people in for as long as our row says, then in D1. Answers the meeting as it now is,
 * or undefined when it was retired meanwhile.
 */
export async function extendLease(
  db: Database,
  platforms: Platforms,
  meeting: Meeting,
  lengthMs: number,
  now = Date.now(),
): Promise<Meeting | undefined> {
  const platform = platforms(meeting.platform);
  if (!platform.extendMeeting) throw new Error(`${meeting.platform} cannot extend a meeting's lease`);
  const end = new Date(toWholeSecond(now) + lengthMs);
  await platform.extendMeeting(meeting, end);
  return extendMeetingEnd(db, meeting.id, end.toISOString());
}
