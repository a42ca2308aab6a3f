import { z } from '@hono/zod-openapi';
import {
  CONSENT_KEY_PATTERN,
  CONSENT_KEY_RULE,
  PLATFORMS,
  RECORDING_TRIGGERS,
  RECORDING_TYPES,
  RESERVED_ROOM_NAMES,
  ROOM_DEFAULTS,
  ROOM_MODES,
  ROOM_NAME_PATTERN,
  ROOM_NAME_RULE,
  type RoomSettings,
} from '../../domain/rooms';
import { fromApi, ROOM_SETTING_COLUMNS, toApi } from '../db/columns';
import type { Meeting, Room } from '../db/schema';

// The API's JSON shapes (SPEC §4): they validate requests, type handlers and make the OpenAPI
// document. Field names are snake_case, as the existing clients use them.

const RoomName = z
  .string()
  .regex(ROOM_NAME_PATTERN, ROOM_NAME_RULE)
  .refine((name) => !RESERVED_ROOM_NAMES.includes(name), ROOM_NAME_RULE)
  .openapi({ example: 'team-standup' });

const roomSettings = {
  is_locked: z.boolean(),
  room_mode: z.enum(ROOM_MODES),
  recording_type: z.enum(RECORDING_TYPES),
  recording_trigger: z.enum(RECORDING_TRIGGERS),
  is_shared: z.boolean(),
  skip_consent: z.boolean(),
  platform: z.enum(PLATFORMS),
  raw_tracks: z.boolean().openapi({
    description: "Daily: record each participant's tracks as files of their own (needs AWS_DAILY_ROLE_ARN)",
  }),
} satisfies { [S in keyof RoomSettings]: z.ZodType<RoomSettings[S]> };

/** Where the room's events go and what signs them (SPEC §11); the route checks the URL against the policy of its ENVIRONMENT. */
const roomWebhook = {
  webhook_url: z.string().max(2048).nullable().optional().openapi({
    description: 'https URL (http in development) of a public host that receives the room’s events; null: none',
  }),
  webhook_secret: z.string().max(256).nullable().optional().openapi({
    description: 'signs each event (X-Webhook-Signature); shown to the owner and admins only',
  }),
};

export const RoomInput = z
  .object({
    name: RoomName,
    is_locked: roomSettings.is_locked.default(ROOM_DEFAULTS.is_locked),
    room_mode: roomSettings.room_mode.default(ROOM_DEFAULTS.room_mode),
    recording_type: roomSettings.recording_type.default(ROOM_DEFAULTS.recording_type),
    recording_trigger: roomSettings.recording_trigger.default(ROOM_DEFAULTS.recording_trigger),
    is_shared: roomSettings.is_shared.default(ROOM_DEFAULTS.is_shared),
    skip_consent: roomSettings.skip_consent.default(ROOM_DEFAULTS.skip_consent),
    platform: roomSettings.platform.optional().openapi({ description: 'DEFAULT_VIDEO_PLATFORM when absent' }),
    raw_tracks: roomSettings.raw_tracks.default(ROOM_DEFAULTS.raw_tracks),
    ...roomWebhook,
  })
  .strict()
  .openapi('RoomInput');

export const RoomPatch = z
  .object({ name: RoomName, ...roomSettings, ...roomWebhook })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change')
  .openapi('RoomPatch');

const WebhookFailures = z
  .object({
    count: z.number().int(),
    last_error: z.string().nullable(),
    last_failed_at: z.string().nullable(),
  })
  .nullable()
  .openapi('WebhookFailures', {
    description:
      'the room’s webhook deliveries kept as failed, for its owner and admins; null when none (or not theirs)',
  });

export const RoomSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    user_id: z.string(),
    created_at: z.string(),
    ...roomSettings,
    webhook_url: z.string().nullable(),
    webhook_secret: z.string().nullable(),
    webhook_failures: WebhookFailures.optional(),
  })
  .openapi('Room');

export const RoomList = z
  .object({ items: z.array(RoomSchema), total: z.number().int(), page: z.number().int(), size: z.number().int() })
  .openapi('RoomList');

export const Pagination = z.object({
  page: z.coerce
    .number()
    .int()
    .min(1)
    .default(1)
    .openapi({ param: { in: 'query' } }),
  size: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .openapi({ param: { in: 'query' } }),
});

export const MeetingSchema = z
  .object({
    id: z.string(),
    room_name: z.string(),
    room_url: z.string(),
    host_room_url: z.string().nullable().openapi({ description: "the room owner's host link; null for everyone else" }),
    start_date: z.string(),
    end_date: z.string(),
    is_locked: z.boolean(),
    room_mode: z.enum(ROOM_MODES),
    recording_type: z.enum(RECORDING_TYPES),
    recording_trigger: z.enum(RECORDING_TRIGGERS),
    skip_consent: z.boolean(),
    num_clients: z.number().int(),
    is_active: z.boolean(),
    platform: z.enum(PLATFORMS),
    failover_from: z.enum(PLATFORMS).nullable().openapi({
      description:
        "the room's chosen platform, when it was failing and this meeting was made on the other one (SPEC §9); null otherwise",
    }),
  })
  .openapi('Meeting');

export const ConsentInput = z
  .object({
    consent_given: z.boolean(),
    consent_key: z.string().regex(CONSENT_KEY_PATTERN, CONSENT_KEY_RULE).optional().openapi({
      description:
        "a guest browser's own random id, made once and kept: its later answer to the meeting replaces the earlier one (ignored for signed-in people, whose sub counts)",
    }),
  })
  .strict()
  .openapi('ConsentInput');
export const ConsentResult = z
  .object({ status: z.literal('success'), consent_id: z.string() })
  .openapi('ConsentResult');

export const RolloutFlagsSchema = z
  .object({
    DAILY_MIGRATION_ENABLED: z
      .boolean()
      .openapi({ description: 'the master switch: false sends every new meeting to Whereby' }),
    DAILY_MIGRATION_ROOM_IDS: z
      .array(z.string().trim().min(1))
      .max(1000)
      .openapi({ description: 'room ids or names that move to Daily' }),
    DAILY_MIGRATION_PERCENT: z
      .number()
      .min(0)
      .max(100)
      .openapi({ description: 'share of all rooms on Daily, by a stable hash of the room id' }),
  })
  .strict()
  .openapi('RolloutFlags');

type RoomResponse = z.infer<typeof RoomSchema>;
type MeetingResponse = z.infer<typeof MeetingSchema>;

/** Each field of a room in the API and the room's column that keeps it. */
const ROOM_COLUMNS = {
  id: 'id',
  name: 'name',
  user_id: 'userId',
  created_at: 'createdAt',
  ...ROOM_SETTING_COLUMNS,
  webhook_url: 'webhookUrl',
  webhook_secret: 'webhookSecret',
} as const satisfies { readonly [F in Exclude<keyof RoomResponse, 'webhook_failures'>]: keyof Room };

/** The API's fields of a room, and of a room's name and settings given to POST or PATCH. */
export const toRoomResponse = (room: Room): RoomResponse => toApi(ROOM_COLUMNS, room);
export const roomFromApi = <
  Input extends { [F in keyof Input]: F extends keyof typeof ROOM_COLUMNS ? unknown : never },
>(
  input: Input,
) => fromApi(ROOM_COLUMNS, input);

const { is_locked, room_mode, recording_type, recording_trigger, platform } = ROOM_SETTING_COLUMNS;
/** Each field of a meeting in the API that its row keeps; the links and skip_consent come from elsewhere. */
const MEETING_COLUMNS = {
  id: 'id',
  room_name: 'roomName',
  start_date: 'startDate',
  end_date: 'endDate',
  is_locked,
  room_mode,
  recording_type,
  recording_trigger,
  num_clients: 'numClients',
  is_active: 'isActive',
  platform,
  failover_from: 'failoverFrom',
} as const satisfies {
  readonly [F in Exclude<keyof MeetingResponse, 'room_url' | 'host_room_url' | 'skip_consent'>]: keyof Meeting;
};

/** The meeting as one requester sees it: the links are chosen per requester by the caller. */
export const toMeetingResponse = (
  meeting: Meeting,
  room: Pick<Room, 'skipConsent'>,
  links: { roomUrl: string; hostRoomUrl: string | null },
): MeetingResponse => ({
  ...toApi(MEETING_COLUMNS, meeting),
  room_url: links.roomUrl,
  host_room_url: links.hostRoomUrl,
  skip_consent: room.skipConsent,
});

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1).nullable();

const PlatformFiguresSchema = z
  .object({
    meetings: z.object({ created: count }),
    failovers: z
      .object({
        from: count.openapi({
          description: 'meetings of rooms on this platform made on the other, as this one was failing',
        }),
        to: count.openapi({
          description: 'meetings this platform made for rooms on the other, as that one was failing',
        }),
      })
      .openapi({ description: 'meetings created in the window at the other platform than the chosen one (SPEC §9)' }),
    provider_calls: z.object({
      total: count,
      failed: count,
      error_rate: share.openapi({ description: 'failed / total; null without calls' }),
    }),
    webhooks: z.object({
      received: count,
      rejected: count.openapi({
        description: 'answered other than 2xx: unauthentic, malformed, too large, or not accepted',
      }),
      duplicates: count,
      applied: count,
      ignored: count.openapi({
        description: 'authentic events the service does not act on: unknown types and meetings',
      }),
      delay_ms: z
        .object({ p50: z.number().int().nullable(), p95: z.number().int().nullable() })
        .openapi({ description: "from the event's own time to its application, over the applied events" }),
    }),
    recordings: z
      .object({
        started: count,
        in_progress: count,
        stored: count,
        failed: count,
        deleted: count,
        success_rate: share.openapi({ description: '(stored + deleted) / (stored + deleted + failed)' }),
      })
      .openapi({ description: 'the recordings started in the window, by where they are now' }),
    reconciliation: z.object({ participant_corrections: count, meetings_ended: count, recordings_found: count }),
  })
  .openapi('PlatformFigures');

export type PlatformFigures = z.infer<typeof PlatformFiguresSchema>;

export const Metrics = z
  .object({
    window: z.string(),
    from: z.string().openapi({ description: 'start of the window, inclusive' }),
    to: z.string().openapi({ description: 'end of the window (now), exclusive' }),
    flags: RolloutFlagsSchema.openapi({ description: 'the rollout flags in effect now' }),
    platforms: z.object({ whereby: PlatformFiguresSchema, daily: PlatformFiguresSchema }),
  })
  .openapi('Metrics');

const BreakerSchema = z
  .object({
    state: z.enum(['closed', 'open', 'half-open']).openapi({
      description:
        'open: new meetings go to the other platform (PROVIDER_FAILOVER=true); half-open: one trial create goes through',
    }),
    calls: z.number().int().openapi({ description: 'meeting creates in the last 60 s' }),
    failures: z
      .number()
      .int()
      .openapi({ description: 'of those, the ones that failed by an outage (5xx, 429, timeout, unreachable)' }),
    failures_in_a_row: z.number().int(),
    retry_at: z.string().nullable().openapi({ description: 'while open: when it lets a trial create through' }),
  })
  .nullable()
  .openapi('Breaker', { description: "a provider's circuit breaker (SPEC §9); null when it could not be read" });

export const Health = z
  .object({
    status: z.literal('ok'),
    environment: z.string(),
    integrations: z.object({
      whereby: z.boolean(),
      daily: z.boolean(),
      recordings_bucket: z.boolean(),
      pipeline: z.boolean(),
      sign_in: z.enum(['identity-provider', 'misconfigured', 'development-login', 'none']),
    }),
    provider_failover: z.boolean().openapi({
      description:
        'PROVIDER_FAILOVER is on and both platforms are configured: a failing one’s new meetings go to the other',
    }),
    breakers: z.object({ whereby: BreakerSchema, daily: BreakerSchema }),
    database: z
      .literal('ok')
      .optional()
      .openapi({ description: 'with `deep=1` only: D1 answered a query (otherwise the answer is 503)' }),
  })
  .openapi('Health');
