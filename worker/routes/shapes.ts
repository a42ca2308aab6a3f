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
import { USER_ID_PATTERN } from '../rollout/flags';

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

/** What Reflector's fields of a room may hold (SPEC §10): generous for people's text, bounded all the same. */
const TEXT_MAX = 500;
const URL_MAX = 2048;

/** Calendar sync is Reflector's, not this service's: a room may only say it is off. */
export const CALENDAR_SYNC_REFUSAL =
  'calendar sync (ICS) is not part of this service: ics_enabled must be false; keep syncing calendars in Reflector';

/** Text that may be absent: Reflector's frontend sends "" for none, and none is stored as null. */
const textOrNone = (max: number) =>
  z
    .string()
    .max(max)
    .nullable()
    .transform((text) => (text === '' ? null : text));

/** Reflector's fields as its CreateRoom and UpdateRoom bodies carry them. */
const reflectorInput = {
  zulip_auto_post: z.boolean(),
  zulip_stream: z.string().max(TEXT_MAX),
  zulip_topic: z.string().max(TEXT_MAX),
  webhook_url: textOrNone(URL_MAX).openapi({
    description: 'where the room\'s events go (SPEC §11): https:// to a public host; "" or null for none',
  }),
  webhook_secret: textOrNone(TEXT_MAX).openapi({ description: 'signs the room\'s events; "" or null for none' }),
  ics_url: textOrNone(URL_MAX),
  ics_enabled: z.boolean().refine((enabled) => !enabled, CALENDAR_SYNC_REFUSAL),
  ics_fetch_interval: z.number().int().positive(),
  email_transcript_to: textOrNone(TEXT_MAX),
  store_video: z.boolean(),
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
    // Reflector's CreateRoom sends them all; this service's own clients may leave them to the columns' defaults.
    ...z.object(reflectorInput).partial().shape,
  })
  .strict()
  .openapi('RoomInput', { description: "this service's own fields, and Reflector's CreateRoom" });

/**
 * Reflector's UpdateRoom: every field optional. Reflector stores what it is sent
 * (`exclude_unset`), so a null empties a field that can be empty (webhook_url, webhook_secret,
 * ics_url, email_transcript_to), as there; for any other field Reflector's own database refuses
 * the null, and here it is refused with 422, changing nothing.
 */
export const RoomPatch = z
  .object({ name: RoomName, ...roomSettings, ...reflectorInput })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change')
  .openapi('RoomPatch', { description: "this service's own fields, and Reflector's UpdateRoom" });

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
    zulip_auto_post: z.boolean(),
    zulip_stream: z.string(),
    zulip_topic: z.string(),
    webhook_url: z.string().nullable().openapi({ description: "shown to the room's owner and admins; null to others" }),
    webhook_secret: z
      .string()
      .nullable()
      .openapi({ description: "shown to the room's owner and admins; null to others" }),
    ics_url: z.string().nullable(),
    ics_enabled: z.boolean().openapi({ description: 'always false: calendar sync is not part of this service' }),
    ics_fetch_interval: z.number().int(),
    ics_last_sync: z.string().nullable(),
    ics_last_etag: z.string().nullable(),
    email_transcript_to: z.string().nullable(),
    store_video: z.boolean(),
    webhook_failures: WebhookFailures.optional(),
  })
  .openapi('Room', { description: "this service's room, with every field of Reflector's RoomDetails" });

/** A page of a list, as every paginated list of this API answers it (Reflector's `Page`). */
export const pageOf = <Item extends z.ZodTypeAny>(item: Item) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    size: z.number().int(),
    pages: z.number().int().openapi({ description: 'ceil(total / size); 0 when there are none' }),
  });

/** The answer of a paginated list: `pages` as fastapi-pagination's Page counts them, which Reflector's frontend reads. */
export const listPage = <Item>(items: Item[], total: number, { page, size }: { page: number; size: number }) => ({
  items,
  total,
  page,
  size,
  pages: Math.ceil(total / size),
});

export const RoomList = pageOf(RoomSchema).openapi('RoomList');

/** Reflector's DeletionStatus. */
export const RoomDeleted = z.object({ status: z.literal('ok') }).openapi('RoomDeleted');

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
    host_room_url: z.string().openapi({ description: 'the room owner\'s host link; "" for everyone else' }),
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
    room_id: z.string(),
    user_id: z.string().openapi({ description: "the room owner's" }),
    // Reflector's, of features this service does not have (calendar events, Daily's composed video).
    calendar_event_id: z.null(),
    calendar_metadata: z.null(),
    daily_composed_video_s3_key: z.null(),
    daily_composed_video_duration: z.null(),
  })
  .openapi('Meeting', { description: "a meeting, in Reflector's shape" });

/** Reflector's CreateRoomMeeting: a room has one active meeting all the same, so the field changes nothing. */
export const JoinInput = z
  .object({
    allow_duplicated: z
      .boolean()
      .nullish()
      .openapi({ description: "Reflector's; ignored: a room has one active meeting (SPEC §4)" }),
  })
  .strict()
  .openapi('JoinInput');

/** Reflector's answer to PATCH /v1/meetings/{meeting_id}/deactivate. */
export const MeetingDeactivated = z
  .object({ status: z.literal('success'), meeting_id: z.string() })
  .openapi('MeetingDeactivated');

/** Reflector's UserInfo: who the caller is; null for an anonymous one. */
export const Me = z.object({ sub: z.string(), email: z.string().nullable() }).nullable().openapi('Me');

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
    DAILY_MIGRATION_USER_IDS: z
      .array(z.string().trim().regex(USER_ID_PATTERN, 'a user id is 1 to 255 printable characters, no space or comma'))
      .max(1000)
      .openapi({ description: "room owners' user ids (sub): every room they own moves to Daily" }),
    DAILY_MIGRATION_PERCENT: z
      .number()
      .min(0)
      .max(100)
      .openapi({ description: 'share of all rooms on Daily, by a stable hash of the room id' }),
  })
  .strict()
  .openapi('RolloutFlags');

/**
 * What PUT /v1/flags takes: the flags, of which DAILY_MIGRATION_USER_IDS may be left out to keep
 * its value, and why, for the flags' history.
 */
export const RolloutFlagsInput = RolloutFlagsSchema.partial({ DAILY_MIGRATION_USER_IDS: true })
  .extend({
    reason: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: "why, for the flags' history (SPEC §12); default: set through the API" }),
  })
  .openapi('RolloutFlagsInput');

type RoomResponse = z.infer<typeof RoomSchema>;
type MeetingResponse = z.infer<typeof MeetingSchema>;

/** Each field of a room in the API and the room's column that keeps it. */
const ROOM_COLUMNS = {
  id: 'id',
  name: 'name',
  user_id: 'userId',
  created_at: 'createdAt',
  ...ROOM_SETTING_COLUMNS,
  zulip_auto_post: 'zulipAutoPost',
  zulip_stream: 'zulipStream',
  zulip_topic: 'zulipTopic',
  webhook_url: 'webhookUrl',
  webhook_secret: 'webhookSecret',
  ics_url: 'icsUrl',
  ics_enabled: 'icsEnabled',
  ics_fetch_interval: 'icsFetchInterval',
  ics_last_sync: 'icsLastSync',
  ics_last_etag: 'icsLastEtag',
  email_transcript_to: 'emailTranscriptTo',
  store_video: 'storeVideo',
} as const satisfies { readonly [F in Exclude<keyof RoomResponse, 'webhook_failures'>]: keyof Room };

/** Who looks at a room: a signed-in user (worker/auth.ts's User), or null for an anonymous caller. */
type Viewer = { id: string; isAdmin: boolean } | null;

/** Whether the viewer may see where the room's events go, what signs them and what failed: its owner and admins only. */
export const managesRoom = (room: Pick<Room, 'userId'>, viewer: Viewer) =>
  viewer !== null && (viewer.isAdmin || viewer.id === room.userId);

/**
 * The API's fields of a room as one viewer sees it, and of a room's name and settings given to
 * POST or PATCH.
 */
export const toRoomResponse = (room: Room, viewer: Viewer): RoomResponse => {
  const fields = toApi(ROOM_COLUMNS, room);
  return managesRoom(room, viewer) ? fields : { ...fields, webhook_url: null, webhook_secret: null };
};
export const roomFromApi = <
  Input extends { [F in keyof Input]: F extends keyof typeof ROOM_COLUMNS ? unknown : never },
>(
  input: Input,
) => fromApi(ROOM_COLUMNS, input);

const { is_locked, room_mode, recording_type, recording_trigger, platform } = ROOM_SETTING_COLUMNS;
/** Each field of a meeting in the API that its row keeps; the links and the room's fields come from elsewhere. */
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
  readonly [F in Exclude<keyof MeetingResponse, RoomMeetingField>]: keyof Meeting;
};
type RoomMeetingField =
  | 'room_url'
  | 'host_room_url'
  | 'skip_consent'
  | 'room_id'
  | 'user_id'
  | 'calendar_event_id'
  | 'calendar_metadata'
  | 'daily_composed_video_s3_key'
  | 'daily_composed_video_duration';

/** The meeting as one requester sees it: the links are chosen per requester by the caller. */
export const toMeetingResponse = (
  meeting: Meeting,
  room: Pick<Room, 'id' | 'userId' | 'skipConsent'>,
  links: { roomUrl: string; hostRoomUrl: string | null },
): MeetingResponse => ({
  ...toApi(MEETING_COLUMNS, meeting),
  room_url: links.roomUrl,
  // Reflector's clients read a string: "" is no host link.
  host_room_url: links.hostRoomUrl ?? '',
  skip_consent: room.skipConsent,
  room_id: room.id,
  user_id: room.userId,
  calendar_event_id: null,
  calendar_metadata: null,
  daily_composed_video_s3_key: null,
  daily_composed_video_duration: null,
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
    // What the people in the calls felt (SPEC §13), from the join page's reports and ratings in the window.
    join_success_rate: share.openapi({ description: 'reports of a joined call / all reports; null without reports' }),
    median_seconds_to_join: z
      .number()
      .nullable()
      .openapi({ description: 'from page open to joined, over the joined calls; null without any' }),
    degraded_share: share.openapi({
      description: 'seconds with a degraded connection / seconds connected; null without connected time',
    }),
    rating_count: count,
    rating_mean: z.number().min(1).max(5).nullable().openapi({ description: 'mean 1–5 rating; null without ratings' }),
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
