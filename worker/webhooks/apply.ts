import type { Platform } from '../../domain/rooms';
import { type Database, isUniqueViolation } from '../db/client';
import { type EventMeeting, findMeetingByRef } from '../db/meeting-lookup';
import { recordSessionEnd, recordSessionStart } from '../db/meetings';
import { recordJoin, recordLeave, recountClients, recountedClients } from '../db/participants';
import { findRecordingByPlatformId } from '../db/recordings';
import type { WebhookOutcome } from '../db/schema';
import { logEvent } from '../db/webhook-events';
import { log } from '../log';
import { awaitsConsumer, copyMessage, type RecordingCopyMessage } from '../recordings/copy-message';
import { isRecordingEffect, recordingStatements } from '../recordings/effects';
import type { Effect, WebhookEvent } from './events';

export interface Applied {
  outcome: WebhookOutcome | 'duplicate';
  meeting: EventMeeting | null;
  /** After an applied join or leave: how many are in the meeting, as this transaction left it. */
  numClients: number | null;
}

/**
 * Records an authentic event and applies its effect, in one D1 transaction: either both are
 * durable or neither is (and the caller answers 5xx, so the provider retries). A repeat of an
 * event already recorded fails the log's primary key, which rolls its effects back: it changes
 * nothing, and costs no read beforehand.
 */
export async function applyWebhookEvent(
  db: Database,
  copies: Queue<RecordingCopyMessage>,
  event: WebhookEvent,
  receivedAt = Date.now(),
): Promise<Applied> {
  const meeting =
    event.effect && event.meeting ? ((await findMeetingByRef(db, event.platform, event.meeting)) ?? null) : null;
  // A recording-started event of Daily may name no room; it is still a recording.
  const actsWithoutMeeting = event.effect?.kind === 'recording-started' && !event.meeting;
  const outcome: WebhookOutcome = !event.effect
    ? 'unknown-type'
    : meeting || actsWithoutMeeting
      ? 'applied'
      : 'unknown-meeting';

  const entry = logEvent(db, {
    platform: event.platform,
    eventId: event.eventId,
    type: event.type,
    meetingId: meeting?.id ?? null,
    outcome,
    eventAt: event.occurredAt,
    receivedAt,
  });
  const effects =
    outcome === 'applied' && event.effect
      ? effectStatements(db, event.platform, meeting, event.effect, receivedAt)
      : [];
  let answers: unknown[];
  try {
    answers = await db.batch([entry, ...effects]);
  } catch (error) {
    if (isUniqueViolation(error, 'webhook_events')) return { outcome: 'duplicate', meeting, numClients: null };
    throw error;
  }

  if (outcome === 'applied' && (event.effect?.kind === 'recording-ready' || event.effect?.kind === 'recording-stored'))
    await requestCopy(db, copies, event.platform, event.effect.recordingId);
  // A join's or leave's recount is its last statement.
  const numClients =
    event.effect?.kind === 'participant-joined' || event.effect?.kind === 'participant-left'
      ? recountedClients(answers.at(-1))
      : null;
  return { outcome, meeting, numClients };
}

function effectStatements(db: Database, platform: Platform, meeting: EventMeeting | null, effect: Effect, now: number) {
  if (isRecordingEffect(effect)) return recordingStatements(db, platform, meeting, effect, now);
  if (!meeting) return [];
  switch (effect.kind) {
    case 'participant-joined':
      return [recordJoin(db, meeting.id, effect), recountClients(db, meeting.id)];
    case 'participant-left':
      return [recordLeave(db, meeting.id, effect), recountClients(db, meeting.id)];
    case 'session-started':
      return [recordSessionStart(db, meeting.id, effect.at)];
    case 'session-ended':
      return [recordSessionEnd(db, meeting.id, effect.at)];
    default:
      return [];
  }
}

/**
 * Hands a ready recording (Daily's, kept at the provider) to the copy queue, and so one that
 * landed stored while its deletion was due, for the consumer to delete. The event is already
 * durable, so a failed send is logged, not answered 5xx: the scheduled sweep re-sends both.
 */
async function requestCopy(
  db: Database,
  copies: Queue<RecordingCopyMessage>,
  platform: Platform,
  platformRecordingId: string,
) {
  const recording = await findRecordingByPlatformId(db, platform, platformRecordingId);
  if (!recording || !awaitsConsumer(recording)) return;
  try {
    await copies.send(copyMessage(recording.id));
  } catch (error) {
    log('error', 'recording copy not queued; the sweep will retry', {
      recording_id: recording.id,
      error: String(error),
    });
  }
}
