import { z } from '@hono/zod-openapi';
import {
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
import type { Meeting, Room } from '../db/schema';

// The API's JSON shapes (SPEC §4): they validate requests, type handlers and make the OpenAPI
// document. Field names are snake_case, as the existing clients use them.

export const RoomName = z
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
  })
  .strict()
  .openapi('RoomInput');

export const RoomPatch = z
  .object({ name: RoomName, ...roomSettings })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change')
  .openapi('RoomPatch');

export const RoomSchema = z
  .object({ id: z.string(), name: z.string(), user_id: z.string(), created_at: z.string(), ...roomSettings })
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
  })
  .openapi('Meeting');

export const ConsentInput = z.object({ consent_given: z.boolean() }).strict().openapi('ConsentInput');
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

export const toRoomResponse = (room: Room): z.infer<typeof RoomSchema> => ({
  id: room.id,
  name: room.name,
  user_id: room.userId,
  created_at: room.createdAt,
  is_locked: room.isLocked,
  room_mode: room.roomMode,
  recording_type: room.recordingType,
  recording_trigger: room.recordingTrigger,
  is_shared: room.isShared,
  skip_consent: room.skipConsent,
  platform: room.platform,
  raw_tracks: room.rawTracks,
});

/** The meeting as one requester sees it: the links are chosen per requester by the caller. */
export const toMeetingResponse = (
  meeting: Meeting,
  room: Pick<Room, 'skipConsent'>,
  links: { roomUrl: string; hostRoomUrl: string | null },
): z.infer<typeof MeetingSchema> => ({
  id: meeting.id,
  room_name: meeting.roomName,
  room_url: links.roomUrl,
  host_room_url: links.hostRoomUrl,
  start_date: meeting.startDate,
  end_date: meeting.endDate,
  is_locked: meeting.isLocked,
  room_mode: meeting.roomMode,
  recording_type: meeting.recordingType,
  recording_trigger: meeting.recordingTrigger,
  skip_consent: room.skipConsent,
  num_clients: meeting.numClients,
  is_active: meeting.isActive,
  platform: meeting.platform,
});

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1).nullable();

export const PlatformFiguresSchema = z
  .object({
    meetings: z.object({ created: count }),
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
