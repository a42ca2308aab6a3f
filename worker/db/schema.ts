import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Mirrors migrations/ exactly; test/worker/schema.test.ts compares the two.

export const PLATFORMS = ['whereby', 'daily'] as const;
export const ROOM_MODES = ['normal', 'group'] as const;
export const RECORDING_TYPES = ['none', 'local', 'cloud'] as const;
export const RECORDING_TRIGGERS = ['none', 'prompt', 'automatic', 'automatic-2nd-participant'] as const;

export type Platform = (typeof PLATFORMS)[number];
export type RoomMode = (typeof ROOM_MODES)[number];
export type RecordingType = (typeof RECORDING_TYPES)[number];
export type RecordingTrigger = (typeof RECORDING_TRIGGERS)[number];

export const rooms = sqliteTable(
  'rooms',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull().unique(),
    userId: text('user_id').notNull(),
    createdAt: text('created_at').notNull(),
    isLocked: integer('is_locked', { mode: 'boolean' }).notNull().default(false),
    roomMode: text('room_mode', { enum: ROOM_MODES }).notNull().default('normal'),
    recordingType: text('recording_type', { enum: RECORDING_TYPES }).notNull().default('cloud'),
    recordingTrigger: text('recording_trigger', { enum: RECORDING_TRIGGERS })
      .notNull()
      .default('automatic-2nd-participant'),
    isShared: integer('is_shared', { mode: 'boolean' }).notNull().default(false),
    skipConsent: integer('skip_consent', { mode: 'boolean' }).notNull().default(false),
    platform: text('platform', { enum: PLATFORMS }).notNull().default('whereby'),
  },
  (t) => [index('rooms_user_id').on(t.userId)],
);

export const meetings = sqliteTable(
  'meetings',
  {
    id: text('id').primaryKey(),
    roomId: text('room_id').references(() => rooms.id, { onDelete: 'set null' }),
    roomName: text('room_name').notNull(),
    roomUrl: text('room_url').notNull(),
    hostRoomUrl: text('host_room_url').notNull(),
    startDate: text('start_date').notNull(),
    endDate: text('end_date').notNull(),
    isLocked: integer('is_locked', { mode: 'boolean' }).notNull().default(false),
    roomMode: text('room_mode', { enum: ROOM_MODES }).notNull().default('normal'),
    recordingType: text('recording_type', { enum: RECORDING_TYPES }).notNull().default('cloud'),
    recordingTrigger: text('recording_trigger', { enum: RECORDING_TRIGGERS })
      .notNull()
      .default('automatic-2nd-participant'),
    numClients: integer('num_clients').notNull().default(0),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    platform: text('platform', { enum: PLATFORMS }).notNull().default('whereby'),
    platformMeetingId: text('platform_meeting_id'),
  },
  (t) => [
    index('meetings_room_id').on(t.roomId),
    index('meetings_platform_meeting').on(t.platform, t.platformMeetingId),
    index('meetings_platform_room_name').on(t.platform, t.roomName),
    uniqueIndex('meetings_one_active_per_room').on(t.roomId).where(sql`is_active = 1`),
  ],
);

export const meetingConsent = sqliteTable(
  'meeting_consent',
  {
    id: text('id').primaryKey(),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    userId: text('user_id'),
    consentGiven: integer('consent_given', { mode: 'boolean' }).notNull(),
    consentTimestamp: text('consent_timestamp').notNull(),
  },
  (t) => [index('meeting_consent_meeting_id').on(t.meetingId)],
);

export const meetingClaims = sqliteTable('meeting_claims', {
  roomId: text('room_id')
    .primaryKey()
    .references(() => rooms.id, { onDelete: 'cascade' }),
  token: text('token').notNull(),
  expiresAt: integer('expires_at').notNull(),
  errorStatus: integer('error_status'),
  errorDetail: text('error_detail'),
});

export type Room = typeof rooms.$inferSelect;
export type Meeting = typeof meetings.$inferSelect;
