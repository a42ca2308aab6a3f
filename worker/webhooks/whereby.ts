import { z } from 'zod';
import { type Effect, firstIssue, type MeetingRef, type ParsedWebhook, parseJson } from './events';
import type { WebhookReceiver } from './receiver';
import { verifyWhereby } from './signatures';

// Whereby's webhook events (PROVIDERS.md): `{id, apiVersion, createdAt, type, data}`.

const envelope = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});

const room = z.object({ meetingId: z.string().min(1), roomName: z.string().optional() });
const client = room.extend({
  participantId: z.string().min(1),
  displayName: z.string().nullish(),
  externalId: z.string().nullish(),
});

type Known = (data: unknown, at: number) => z.ZodSafeParseResult<{ meeting: MeetingRef | null; effect: Effect }>;

const byMeetingId = (meetingId: string): MeetingRef => ({ by: 'platform-meeting-id', value: meetingId });

/** A client's join or leave: the same payload, told apart by the event's type. */
const clientEvent = (kind: 'participant-joined' | 'participant-left', data: unknown, at: number) =>
  client
    .transform((d) => ({
      meeting: byMeetingId(d.meetingId),
      effect: {
        kind,
        participantId: d.participantId,
        userId: d.externalId ?? undefined,
        userName: d.displayName ?? undefined,
        at,
      },
    }))
    .safeParse(data);

const known: Record<string, Known> = {
  'room.client.joined': (data, at) => clientEvent('participant-joined', data, at),
  'room.client.left': (data, at) => clientEvent('participant-left', data, at),
  'room.session.started': (data, at) =>
    room
      .transform((d) => ({ meeting: byMeetingId(d.meetingId), effect: { kind: 'session-started' as const, at } }))
      .safeParse(data),
  'room.session.ended': (data, at) =>
    room
      .transform((d) => ({ meeting: byMeetingId(d.meetingId), effect: { kind: 'session-ended' as const, at } }))
      .safeParse(data),
  // The documented payload names the room, not always the meeting: either finds it.
  'recording.finished': (data) =>
    z
      .object({
        recordingId: z.string().min(1),
        filename: z.string().min(1),
        roomName: z.string().min(1),
        meetingId: z.string().min(1).optional(),
      })
      .transform((d) => ({
        meeting: d.meetingId
          ? byMeetingId(d.meetingId)
          : { by: 'room-name' as const, value: d.roomName.replace(/^\//, '') },
        effect: { kind: 'recording-stored' as const, recordingId: d.recordingId, objectKey: d.filename },
      }))
      .safeParse(data),
};

function parseWherebyWebhook(raw: string): ParsedWebhook {
  const json = parseJson(raw);
  if (!json.ok) return json;
  const event = envelope.safeParse(json.value);
  if (!event.success)
    return { ok: false, reason: `the event is not Whereby's envelope (${firstIssue(event.error.issues)})` };
  const { id, type, createdAt, data } = event.data;
  const at = Date.parse(createdAt);
  const common = { platform: 'whereby' as const, eventId: id, type, occurredAt: at };

  const parse = known[type];
  if (!parse) return { ok: true, event: { ...common, meeting: null, effect: null } };
  const parsed = parse(data, at);
  if (!parsed.success)
    return { ok: false, reason: `the ${type} data is not as documented (${firstIssue(parsed.error.issues)})` };
  return { ok: true, event: { ...common, ...parsed.data } };
}

export const wherebyReceiver: WebhookReceiver = {
  provider: 'Whereby',
  platform: 'whereby',
  path: '/whereby',
  secret: (config) => config.wherebyWebhookSecret(),
  verify: (secret, headers, rawBody, now) =>
    verifyWhereby(secret, headers.get('whereby-signature') ?? undefined, rawBody, now),
  parse: parseWherebyWebhook,
  // Whereby sends no check of the URL: every request must be signed.
  isPing: () => false,
};
