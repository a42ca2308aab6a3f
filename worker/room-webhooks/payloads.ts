import { and, asc, eq } from 'drizzle-orm';
import type { RoomWebhookEvent } from '../../domain/room-webhooks';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { findMeetingById } from '../db/meetings';
import { findRecordingById, findRecordingByObjectKey } from '../db/recordings';
import { findRoomById } from '../db/rooms';
import {
  type Meeting,
  meetingConsent,
  participantSessions,
  type Recording,
  type RoomWebhookDelivery,
  roomWebhookDeliveries,
} from '../db/schema';

// The bodies of room webhooks (SPEC §11): Reflector's envelope `{event, event_id, timestamp, room}`
// and, for this service's events, what a receiver needs to act without our database:
//
//   meeting           {id, room_name (the provider's room name), platform, start_date, end_date
//                      (the planned end), ended_at (when it was retired; null while active),
//                      is_locked, room_mode, recording_type, recording_trigger, failover_from}
//   meeting.ended     + participants {count, sessions: [{participant_id, user_id, user_name,
//                      joined_at, left_at}]}, each time ISO-8601 or null
//   recording.stored  + recording {id, platform, object_key, bucket, size (bytes), duration
//   recording.deleted   (seconds), start_ts (unix seconds)}, consent {asked, any_declined}
//
// Times are ISO-8601 in UTC, as the rest of the API writes them.

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const meetingPayload = (meeting: Meeting) => ({
  id: meeting.id,
  room_name: meeting.roomName,
  platform: meeting.platform,
  start_date: meeting.startDate,
  end_date: meeting.endDate,
  ended_at: meeting.isActive ? null : iso(meeting.retiredAt),
  is_locked: meeting.isLocked,
  room_mode: meeting.roomMode,
  recording_type: meeting.recordingType,
  recording_trigger: meeting.recordingTrigger,
  failover_from: meeting.failoverFrom,
});

async function participantsPayload(db: Database, meetingId: string) {
  const sessions = await db
    .select()
    .from(participantSessions)
    .where(eq(participantSessions.meetingId, meetingId))
    .orderBy(asc(participantSessions.joinedAt), asc(participantSessions.participantId));
  return {
    count: sessions.length,
    sessions: sessions.map((session) => ({
      participant_id: session.participantId,
      user_id: session.userId,
      user_name: session.userName,
      joined_at: iso(session.joinedAt),
      left_at: iso(session.leftAt),
    })),
  };
}

/** Whether the meeting asked its people for consent (a cloud recording in a room that does not skip it), and whether anyone said no. */
async function consentPayload(db: Database, meeting: Meeting, skipConsent: boolean) {
  const [declined] = await db
    .select({ id: meetingConsent.id })
    .from(meetingConsent)
    .where(and(eq(meetingConsent.meetingId, meeting.id), eq(meetingConsent.consentGiven, false)))
    .limit(1);
  return { asked: meeting.recordingType === 'cloud' && !skipConsent, any_declined: declined !== undefined };
}

/** The recordings bucket's name, or null while its settings are missing. */
function bucketName(config: Config): string | null {
  try {
    return config.bucket().bucket;
  } catch {
    return null;
  }
}

const recordingPayload = (recording: Recording, bucket: string | null) => ({
  id: recording.id,
  platform: recording.platform,
  object_key: recording.objectKey,
  bucket,
  size: recording.size,
  duration: recording.duration,
  start_ts: recording.startedAt === null ? null : Math.floor(recording.startedAt / 1000),
});

/** What an event is about, as its delivery row names it. */
type Cause = Pick<RoomWebhookDelivery, 'eventId' | 'event' | 'roomId' | 'roomName' | 'meetingId' | 'recordingId'> & {
  occurredAt: number;
};

/** The parts of a recording event beside the envelope: the recording, its meeting and the consent. */
export async function recordingParts(db: Database, config: Config, recording: Recording, meeting: Meeting) {
  const room = meeting.roomId ? await findRoomById(db, meeting.roomId) : undefined;
  return {
    recording: recordingPayload(recording, bucketName(config)),
    consent: await consentPayload(db, meeting, room?.skipConsent ?? false),
    meeting: meetingPayload(meeting),
  };
}

const envelope = <Event extends RoomWebhookEvent | 'test', Id extends string | null>(
  event: Event,
  eventId: Id,
  at: number,
  room: { id: string; name: string },
) => ({
  event,
  event_id: eventId,
  timestamp: new Date(at).toISOString(),
  room: { id: room.id, name: room.name },
});

/** The event's body as JSON text; null when what it is about is gone (nothing true can be said of it). */
export async function eventBody(db: Database, config: Config, cause: Cause): Promise<string | null> {
  const meeting = cause.meetingId ? await findMeetingById(db, cause.meetingId) : undefined;
  if (!meeting) return null;
  const head = envelope(cause.event, cause.eventId, cause.occurredAt, { id: cause.roomId, name: cause.roomName });
  switch (cause.event) {
    case 'meeting.started':
      return JSON.stringify({ ...head, meeting: meetingPayload(meeting) });
    case 'meeting.ended':
      return JSON.stringify({
        ...head,
        meeting: meetingPayload(meeting),
        participants: await participantsPayload(db, meeting.id),
      });
    case 'recording.stored':
    case 'recording.deleted': {
      const recording = cause.recordingId ? await findRecordingById(db, cause.recordingId) : undefined;
      if (!recording) return null;
      return JSON.stringify({ ...head, ...(await recordingParts(db, config, recording, meeting)) });
    }
  }
}

/**
 * The recording.stored body of the recording kept at that object key, as the pipeline asks for it
 * (GET /v1/recordings/lookup): the event_id of the event sent for it (null when its room had no
 * webhook then), the time of asking. Undefined when no recording of a known meeting has that key.
 */
export async function lookupBody(db: Database, config: Config, objectKey: string) {
  const recording = await findRecordingByObjectKey(db, objectKey);
  const meeting = recording?.meetingId ? await findMeetingById(db, recording.meetingId) : undefined;
  if (!recording || !meeting) return undefined;
  const [sent] = await db
    .select({
      eventId: roomWebhookDeliveries.eventId,
      roomId: roomWebhookDeliveries.roomId,
      roomName: roomWebhookDeliveries.roomName,
    })
    .from(roomWebhookDeliveries)
    .where(
      and(eq(roomWebhookDeliveries.recordingId, recording.id), eq(roomWebhookDeliveries.event, 'recording.stored')),
    )
    .limit(1);
  const room = meeting.roomId ? await findRoomById(db, meeting.roomId) : undefined;
  // A deleted room is known by what its event said of it.
  const named = room ? { id: room.id, name: room.name } : sent ? { id: sent.roomId, name: sent.roomName } : undefined;
  if (!named) return undefined;
  return {
    ...envelope('recording.stored', sent?.eventId ?? null, Date.now(), named),
    ...(await recordingParts(db, config, recording, meeting)),
  };
}

/** Reflector's test event (fetch_test_webhook_payload), word for word. */
export const testBody = (room: { id: string; name: string }, now = Date.now()) =>
  JSON.stringify({
    ...envelope('test', crypto.randomUUID().replaceAll('-', ''), now, room),
    message: 'This is a test webhook from Reflector',
  });
