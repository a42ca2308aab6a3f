import { z } from 'zod';
import { toMs } from '../time';
import { type Effect, firstIssue, type MeetingRef, type ParsedWebhook, parseJson } from './events';
import type { WebhookReceiver } from './receiver';
import { verifyDaily } from './signatures';

// Daily's webhook events (PROVIDERS.md): `{version, type, id, payload, event_ts}`.

const MAX_TIME = 8.64e15;

const envelope = z.object({
  type: z.string().min(1),
  id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
  event_ts: z.number().nonnegative().max(MAX_TIME).optional(),
});

/** Unix seconds or milliseconds; past this no Date exists (the object key is made from one). */
const time = z.number().nonnegative().max(MAX_TIME);
const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

// The shape of raw-tracks items is unconfirmed (PROVIDERS.md): the key's casing varies.
const track = z
  .object({
    s3Key: z.string().optional(),
    s3key: z.string().optional(),
    key: z.string().optional(),
    type: z.string().default('unknown'),
  })
  .refine((t) => t.s3Key ?? t.s3key ?? t.key, 'a track needs its S3 key')
  .transform((t) => ({ sourceKey: (t.s3Key ?? t.s3key ?? t.key) as string, type: t.type }));

const participant = z.object({
  room: z.string().min(1),
  session_id: z.string().min(1),
  user_id: optionalText,
  user_name: optionalText,
  joined_at: time,
});

/**
 * For each type acted on: the payload's shape, the meeting it names and its effect. Built once:
 * building a schema costs more than parsing an event with it.
 */
const known: Record<string, z.ZodType<{ meeting: MeetingRef | null; effect: Effect }>> = {
  'meeting.started': z.object({ room: z.string().min(1), start_ts: time }).transform((p) => ({
    meeting: byRoom(p.room),
    effect: { kind: 'session-started' as const, at: toMs(p.start_ts) },
  })),
  'meeting.ended': z
    .object({ room: z.string().min(1), start_ts: time, end_ts: time })
    .transform((p) => ({ meeting: byRoom(p.room), effect: { kind: 'session-ended' as const, at: toMs(p.end_ts) } })),
  'participant.joined': participant.transform((p) => ({
    meeting: byRoom(p.room),
    effect: {
      kind: 'participant-joined' as const,
      participantId: p.session_id,
      userId: p.user_id,
      userName: p.user_name,
      at: toMs(p.joined_at),
    },
  })),
  'participant.left': participant.extend({ duration: z.number().nonnegative().optional() }).transform((p) => ({
    meeting: byRoom(p.room),
    effect: {
      kind: 'participant-left' as const,
      participantId: p.session_id,
      userId: p.user_id,
      userName: p.user_name,
      joinedAt: toMs(p.joined_at),
      at: toMs(p.joined_at) + Math.round((p.duration ?? 0) * 1000),
    },
  })),
  // The documented payload names no room; a room_name or room, where present, is used.
  'recording.started': z
    .object({
      recording_id: z.string().min(1),
      start_ts: time,
      instance_id: optionalText,
      room_name: optionalText,
      room: optionalText,
    })
    .transform((p) => ({
      meeting: (p.room_name ?? p.room) ? byRoom((p.room_name ?? p.room) as string) : null,
      effect: {
        kind: 'recording-started' as const,
        recordingId: p.recording_id,
        instanceId: p.instance_id,
        startedAt: toMs(p.start_ts),
      },
    })),
  'recording.ready-to-download': z
    .object({
      recording_id: z.string().min(1),
      room_name: z.string().min(1),
      start_ts: time,
      duration: z.number().nonnegative().optional(),
      s3_key: optionalText,
      tracks: z.array(track).nullish(),
    })
    .transform((p) => ({
      meeting: byRoom(p.room_name),
      effect: {
        kind: 'recording-ready' as const,
        recordingId: p.recording_id,
        providerRoomName: p.room_name,
        startedAt: toMs(p.start_ts),
        durationS: p.duration === undefined ? undefined : Math.round(p.duration),
        providerKey: p.s3_key,
        tracks: p.tracks?.length ? p.tracks : undefined,
      },
    })),
  'recording.error': z
    .object({ room_name: z.string().min(1), error_msg: z.string(), instance_id: optionalText, timestamp: time })
    .transform((p) => ({
      meeting: byRoom(p.room_name),
      effect: {
        kind: 'recording-failed' as const,
        instanceId: p.instance_id,
        error: p.error_msg || 'Daily reported a recording error',
        at: toMs(p.timestamp),
      },
    })),
};

const byRoom = (room: string): MeetingRef => ({ by: 'room-name', value: room });

/** Daily's check before it registers a webhook: `{"test":"test"}`, unsigned. */
function isDailyPing(raw: string): boolean {
  const parsed = parseJson(raw);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return false;
  const keys = Object.keys(parsed.value);
  return keys.length === 1 && (parsed.value as Record<string, unknown>).test === 'test';
}

function parseDailyWebhook(raw: string): ParsedWebhook {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const event = envelope.safeParse(json.value);
  if (!event.success)
    return { ok: false, reason: `the event is not Daily's envelope (${firstIssue(event.error.issues)})` };
  const { type, id, payload, event_ts } = event.data;
  const common = {
    platform: 'daily' as const,
    eventId: id,
    type,
    occurredAt: event_ts === undefined ? null : toMs(event_ts),
  };

  const schema = known[type];
  if (!schema) return { ok: true, event: { ...common, meeting: null, effect: null } };
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    return { ok: false, reason: `the ${type} payload is not as documented (${firstIssue(parsed.error.issues)})` };
  return { ok: true, event: { ...common, ...parsed.data } };
}

export const dailyReceiver: WebhookReceiver = {
  provider: 'Daily',
  platform: 'daily',
  path: '/daily/webhook',
  secret: (config) => config.dailyWebhookSecret(),
  verify: (secret, headers, rawBody, now) =>
    verifyDaily(
      secret,
      {
        signature: headers.get('x-webhook-signature') ?? undefined,
        timestamp: headers.get('x-webhook-timestamp') ?? undefined,
      },
      rawBody,
      now,
    ),
  parse: parseDailyWebhook,
  isPing: isDailyPing,
};
