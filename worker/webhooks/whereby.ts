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

/** What an event of a known type says, once the envelope's time is known. */
type Known = (at: number) => { meeting: MeetingRef | null; effect: Effect };

const byMeetingId = (meetingId: string): MeetingRef => ({ by: 'platform-meeting-id', value: meetingId });

/** A client's join or leave: the same payload, told apart by the event's type. */
const clientEvent = (kind: 'participant-joined' | 'participant-left') =>
  client.transform((d) => (at: number) => ({
    meeting: byMeetingId(d.meetingId),
    effect: {
      kind,
      participantId: d.participantId,
      userId: d.externalId ?? undefined,
      userName: d.displayName ?? undefined,
      at,
    },
  }));

/**
 * For each type acted on: the data's shape, the meeting it names and its effect at the event's
 * time. Built once: building a schema costs more than parsing an event with it.
 */
const known: Record<string, z.ZodType<Known>> = {
  'room.client.joined': clientEvent('participant-joined'),
  'room.client.left': clientEvent('participant-left'),
  'room.session.started': room.transform((d) => (at: number) => ({
    meeting: byMeetingId(d.meetingId),
    effect: { kind: 'session-started' as const, at },
  })),
  'room.session.ended': room.transform((d) => (at: number) => ({
    meeting: byMeetingId(d.meetingId),
    effect: { kind: 'session-ended' as const, at },
  })),
  // The documented payload names the room, not always the meeting: either finds it.
  'recording.finished': z
    .object({
      recordingId: z.string().min(1),
      filename: z.string().min(1),
      roomName: z.string().min(1),
      meetingId: z.string().min(1).optional(),
    })
    .transform((d) => () => ({
      meeting: d.meetingId
        ? byMeetingId(d.meetingId)
        : { by: 'room-name' as const, value: d.roomName.replace(/^\//, '') },
      effect: { kind: 'recording-stored' as const, recordingId: d.recordingId, objectKey: d.filename },
    })),
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

  const schema = known[type];
  if (!schema) return { ok: true, event: { ...common, meeting: null, effect: null } };
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    return { ok: false, reason: `the ${type} data is not as documented (${firstIssue(parsed.error.issues)})` };
  return { ok: true, event: { ...common, ...parsed.data(at) } };
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
