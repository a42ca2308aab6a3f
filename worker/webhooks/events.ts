import type { Platform } from '../../domain/rooms';
import type { MeetingRef } from '../db/meeting-lookup';

// The one shape both providers' webhook events are turned into; the effects speak only this.

export type Effect =
  | { kind: 'participant-joined'; participantId: string; userId?: string; userName?: string; at: number }
  | {
      kind: 'participant-left';
      participantId: string;
      userId?: string;
      userName?: string;
      joinedAt?: number;
      at: number;
    }
  | { kind: 'session-started'; at: number }
  | { kind: 'session-ended'; at: number }
  | { kind: 'recording-started'; recordingId: string; instanceId?: string; startedAt: number }
  /** Daily has a finished recording to download (or, for rooms recording into our bucket, stored it). */
  | {
      kind: 'recording-ready';
      recordingId: string;
      providerRoomName: string;
      startedAt: number;
      durationS?: number;
      providerKey?: string;
      /** A raw-tracks recording's files, where Daily wrote them. */
      tracks?: { sourceKey: string; type: string }[];
    }
  /** Whereby wrote the recording straight into the bucket. */
  | { kind: 'recording-stored'; recordingId: string; objectKey: string }
  | { kind: 'recording-failed'; instanceId?: string; error: string; at: number };

// How an event names its meeting is the lookup's own type (db/ knows nothing of webhooks).
export type { MeetingRef };

export interface WebhookEvent {
  platform: Platform;
  eventId: string;
  type: string;
  /** The provider's time of the event, unix ms, where it says. */
  occurredAt: number | null;
  meeting: MeetingRef | null;
  /** null: a type the service does not act on. */
  effect: Effect | null;
}

export type ParsedWebhook = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

/** The text of a zod error's first issue, for a 400's detail. */
export const firstIssue = (issues: { path: PropertyKey[]; message: string }[]) => {
  const issue = issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
};

export function parseJson(raw: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
}
