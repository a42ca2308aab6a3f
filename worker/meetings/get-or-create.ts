import { type Database, isUniqueViolation } from '../db/client';
import { meetingSettingsOf } from '../db/columns';
import {
  claimMeetingCreation,
  failClaim,
  findActiveMeeting,
  insertMeeting,
  insertRetiredMeeting,
  type NewMeeting,
  releaseClaim,
  retireMeeting,
} from '../db/meetings';
import type { Meeting, Room } from '../db/schema';
import { ApiError, toApiError } from '../errors';
import { log } from '../log';
import type { Platforms } from '../platforms/registry';
import { choosePlatform } from '../rollout/choose';
import type { RolloutFlags } from '../rollout/flags';
import { toWholeSecond } from '../time';
import { createMeetingWithFailover } from './failover';
import { extendLease, joinVerdict } from './lease';
import type { EndInBackground, RetiredMeeting } from './provider-end';

/** Longer than a provider call can take with its retries (3 × 8 s plus backoff); no request waits longer. */
const CLAIM_LEASE_MS = 30_000;
const POLL_MS = 50;

/** What a join works with besides its room. */
export interface Joining {
  /** D1 at the primary: the claims and the reads after them must see each other's writes. */
  db: Database;
  platforms: Platforms;
  flags: () => Promise<RolloutFlags>;
  /** MEETING_LENGTH_MINUTES, read only when a meeting is made or extended (a malformed one fails only then). */
  meetingLengthMs: () => number;
  /** Ends the rooms of meetings this join retires at their providers, after the answer. */
  endInBackground: EndInBackground;
}

/**
 * The room's active meeting, created at the chosen platform if there is none. Simultaneous
 * callers share one creation: the one whose claim wins calls the provider, the others wait for
 * the row, or share its failure (SPEC §9: a request that comes after that failure tries afresh).
 */
export async function getOrCreateMeeting(
  joining: Joining,
  room: Room,
  /** The active meeting as the caller already read it (null: none); read here when absent. */
  knownActive?: Meeting | null,
): Promise<Meeting> {
  const { db } = joining;
  const token = crypto.randomUUID();
  const deadline = Date.now() + CLAIM_LEASE_MS;
  let known = knownActive;
  /** The claim this request waits on: its failure is this request's answer. */
  let waitingOn: string | undefined;

  while (true) {
    const active = known === undefined ? await findActiveMeeting(db, room.id) : known;
    known = undefined;
    if (active && joinVerdict(active, room, Date.now()) === 'reuse') return active;

    const claim = await claimMeetingCreation(db, room.id, token, waitingOn, CLAIM_LEASE_MS);
    if (claim.won) return settle(joining, room, token);
    if (claim.failure) throw new ApiError(claim.failure.code, claim.failure.detail);
    waitingOn = claim.holder;
    if (Date.now() > deadline)
      throw new ApiError('unavailable', 'The meeting is still being created; try again in a moment.');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * What the claim's holder does: reuse, extend or replace the room's active meeting. Its failure
 * goes to the requests waiting on the claim.
 */
async function settle(joining: Joining, room: Room, token: string): Promise<Meeting> {
  const { db } = joining;
  let meeting: Meeting;
  try {
    meeting = await meetingOfClaim(joining, room);
  } catch (error) {
    await giveUpClaim(db, room.id, token, error);
    throw error;
  }
  // The meeting is there whatever happens now: a claim left behind holds up only the room's next
  // creation, until its lease runs out.
  await releaseClaim(db, room.id, token).catch((error: unknown) =>
    log('warn', 'a claim was not released; its lease runs out by itself', { room_id: room.id, error }),
  );
  return meeting;
}

async function meetingOfClaim(joining: Joining, room: Room): Promise<Meeting> {
  const { db } = joining;
  // Another request may have created a meeting between our read and our claim (and released
  // its claim since); a read after our claim's write sees it (SPEC §9). Without this re-read,
  // a read a moment old (a replica's, say) would have the provider make a second meeting.
  const current = await findActiveMeeting(db, room.id);
  if (current) {
    switch (joinVerdict(current, room, Date.now())) {
      case 'reuse':
        return current;
      case 'extend': {
        const extended = await extendLease(db, joining.platforms, current, joining.meetingLengthMs());
        // Undefined: retired meanwhile (a settings change), so a new one.
        if (extended) return extended;
        break;
      }
      case 'retire':
        joining.endInBackground(await retireMeeting(db, current.id));
    }
  }
  return createMeeting(joining, room);
}

/** The claim's failure is kept for its waiters; should that fail, the claim is freed for the next try at least. */
async function giveUpClaim(db: Database, roomId: string, token: string, error: unknown) {
  const answer = toApiError(error);
  try {
    if (answer) await failClaim(db, roomId, token, answer, CLAIM_LEASE_MS);
    else await releaseClaim(db, roomId, token);
  } catch (lost) {
    log('warn', 'a failed creation was not kept for the requests waiting on it; they try again', {
      room_id: roomId,
      error: lost,
    });
    // Failing too, it runs out with its lease.
    await releaseClaim(db, roomId, token).catch(() => undefined);
  }
}

async function createMeeting(joining: Joining, room: Room) {
  const { db, platforms, flags, meetingLengthMs } = joining;
  const start = new Date(toWholeSecond(Date.now()));
  const end = new Date(start.getTime() + meetingLengthMs());
  const settings = meetingSettingsOf(room);
  const { platform, created, failoverFrom } = await createMeetingWithFailover(
    platforms,
    choosePlatform(room, await flags()),
    { roomName: room.name, start, end, ...settings },
  );
  const row = {
    id: crypto.randomUUID(),
    roomId: room.id,
    roomName: created.roomName,
    roomUrl: created.roomUrl,
    hostRoomUrl: created.hostRoomUrl,
    platformMeetingId: created.platformMeetingId,
    recordsToBucket: created.recordsToBucket,
    startDate: start.toISOString(),
    endDate: end.toISOString(),
    ...settings,
    platform,
    failoverFrom,
  };
  let meeting: Meeting;
  try {
    meeting = await insertMeeting(db, row);
  } catch (error) {
    return unwritten(joining, room, row, error);
  }
  log('info', 'meeting created', { room_id: room.id, meeting_id: meeting.id, platform });
  return meeting;
}

/**
 * The provider made a room whose meeting row could not be written: the room is ended, never left
 * an orphan, and kept on record as a retired meeting so that the Cron ends it should its provider
 * fail now. A creation that lost the room to another one (its claim's lease ran out while its
 * provider was slow) answers the meeting made meanwhile; otherwise the failure is the answer.
 */
async function unwritten(joining: Joining, room: Room, row: RetiredMeeting & NewMeeting, error: unknown) {
  const { db } = joining;
  const recorded = await insertRetiredMeeting(db, row).catch((unrecorded: unknown) => {
    log('error', 'a provider room is on no record: it is ended now, or else by hand', {
      platform: row.platform,
      platform_meeting_id: row.platformMeetingId,
      room_name: row.roomName,
      error: unrecorded,
    });
    return undefined;
  });
  joining.endInBackground([recorded ?? row]);
  const current = isUniqueViolation(error, 'meetings.room_id') ? await findActiveMeeting(db, room.id) : undefined;
  if (current && joinVerdict(current, room, Date.now()) === 'reuse') return current;
  throw error;
}
