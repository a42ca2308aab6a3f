import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { DELIVERY_STATUSES, ROOM_WEBHOOK_EVENTS } from '../../domain/room-webhooks';
import { PLATFORMS, RECORDING_TRIGGERS, RECORDING_TYPES, ROOM_MODES } from '../../domain/rooms';
import { ERROR_CODES } from '../errors';
import { FLAG_KEYS } from '../rollout/flags';
import { PLAN_STATES, RAMP_DECISIONS, type RampSettings, type VerdictFigures } from '../rollout/ramp-decision';

// Mirrors migrations/ exactly; test/worker/schema.test.ts compares the two.

/**
 * The settings a meeting is made with: a room's current ones, and a meeting's own copy of those
 * it was created with (a function, as each table needs column builders of its own).
 */
const meetingSettings = () => ({
  isLocked: integer('is_locked', { mode: 'boolean' }).notNull().default(false),
  roomMode: text('room_mode', { enum: ROOM_MODES }).notNull().default('normal'),
  recordingType: text('recording_type', { enum: RECORDING_TYPES }).notNull().default('cloud'),
  recordingTrigger: text('recording_trigger', { enum: RECORDING_TRIGGERS })
    .notNull()
    .default('automatic-2nd-participant'),
  rawTracks: integer('raw_tracks', { mode: 'boolean' }).notNull().default(false),
});

export const rooms = sqliteTable(
  'rooms',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull().unique(),
    userId: text('user_id').notNull(),
    createdAt: text('created_at').notNull(),
    ...meetingSettings(),
    isShared: integer('is_shared', { mode: 'boolean' }).notNull().default(false),
    skipConsent: integer('skip_consent', { mode: 'boolean' }).notNull().default(false),
    platform: text('platform', { enum: PLATFORMS }).notNull().default('whereby'),
    // Reflector's fields (SPEC §10, migration 0014).
    zulipAutoPost: integer('zulip_auto_post', { mode: 'boolean' }).notNull().default(false),
    zulipStream: text('zulip_stream').notNull().default(''),
    zulipTopic: text('zulip_topic').notNull().default(''),
    /** Where the room's events go (SPEC §11); null: nowhere. */
    webhookUrl: text('webhook_url'),
    /** Signs the room's events when set; shown to the owner and admins only. */
    webhookSecret: text('webhook_secret'),
    icsUrl: text('ics_url'),
    icsEnabled: integer('ics_enabled', { mode: 'boolean' }).notNull().default(false),
    icsFetchInterval: integer('ics_fetch_interval').notNull().default(300),
    icsLastSync: text('ics_last_sync'),
    icsLastEtag: text('ics_last_etag'),
    emailTranscriptTo: text('email_transcript_to'),
    storeVideo: integer('store_video', { mode: 'boolean' }).notNull().default(false),
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
    ...meetingSettings(),
    numClients: integer('num_clients').notNull().default(0),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    platform: text('platform', { enum: PLATFORMS }).notNull().default('whereby'),
    platformMeetingId: text('platform_meeting_id'),
    sessionStartedAt: integer('session_started_at'),
    sessionEndedAt: integer('session_ended_at'),
    reconciledAt: integer('reconciled_at'),
    recordsToBucket: integer('records_to_bucket', { mode: 'boolean' }).notNull().default(false),
    recordingsCheckedAt: integer('recordings_checked_at'),
    /** When it stopped being active here (unix ms); null while active, and for rows of before 0009. */
    retiredAt: integer('retired_at'),
    /** Retired, and since when its room is to be ended at its provider (unix ms); null while active and once ended. */
    providerEndDueAt: integer('provider_end_due_at'),
    /** The room's chosen platform, when it was failing and this meeting was made on the other (SPEC §9). */
    failoverFrom: text('failover_from', { enum: PLATFORMS }),
  },
  (t) => [
    index('meetings_room_id').on(t.roomId),
    index('meetings_platform_meeting').on(t.platform, t.platformMeetingId),
    index('meetings_platform_room_name').on(t.platform, t.roomName),
    uniqueIndex('meetings_one_active_per_room').on(t.roomId).where(sql`is_active = 1`),
    index('meetings_active_reconciled').on(t.isActive, t.reconciledAt),
    index('meetings_recordings_checked').on(t.platform, t.recordingsCheckedAt),
    index('meetings_start_date').on(t.startDate, t.platform, t.failoverFrom),
    index('meetings_occupied_end').on(t.platform, t.endDate).where(sql`is_active = 1 AND num_clients > 0`),
    index('meetings_provider_end_due').on(t.providerEndDueAt).where(sql`provider_end_due_at IS NOT NULL`),
  ],
);

/**
 * Which answers each unique index of meeting_consent holds, as the migration words them: an upsert
 * names the same condition to reach its index.
 */
export const CONSENT_BY_USER = sql.raw('user_id IS NOT NULL');
export const CONSENT_BY_KEY = sql.raw('user_id IS NULL AND consent_key IS NOT NULL');
export const CONSENT_KEYLESS = sql.raw('user_id IS NULL AND consent_key IS NULL');

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
    /** The browser's own random id, for a guest's answers; null for signed-in people and keyless guests. */
    consentKey: text('consent_key'),
  },
  (t) => [
    index('meeting_consent_meeting_id').on(t.meetingId),
    // One answer per person, per browser, and per answer of the keyless guests (migration 0009).
    uniqueIndex('meeting_consent_one_per_user').on(t.meetingId, t.userId).where(CONSENT_BY_USER),
    uniqueIndex('meeting_consent_one_per_key').on(t.meetingId, t.consentKey).where(CONSENT_BY_KEY),
    uniqueIndex('meeting_consent_one_keyless_answer').on(t.meetingId, t.consentGiven).where(CONSENT_KEYLESS),
  ],
);

/** The right to create (or extend) a room's meeting: one holder at a time, its token one generation of tries. */
export const meetingClaims = sqliteTable('meeting_claims', {
  roomId: text('room_id')
    .primaryKey()
    .references(() => rooms.id, { onDelete: 'cascade' }),
  token: text('token').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

/** A claim that failed, by its token: what the requests that waited on that claim are told. */
export const meetingClaimFailures = sqliteTable(
  'meeting_claim_failures',
  {
    token: text('token').primaryKey(),
    roomId: text('room_id')
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    errorCode: text('error_code', { enum: ERROR_CODES }).notNull(),
    errorDetail: text('error_detail').notNull(),
    failedAt: integer('failed_at').notNull(),
  },
  (t) => [index('meeting_claim_failures_failed_at').on(t.failedAt)],
);

const WEBHOOK_OUTCOMES = ['applied', 'unknown-type', 'unknown-meeting'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export const webhookEvents = sqliteTable(
  'webhook_events',
  {
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    meetingId: text('meeting_id').references(() => meetings.id, { onDelete: 'set null' }),
    outcome: text('outcome', { enum: WEBHOOK_OUTCOMES }).notNull(),
    eventAt: integer('event_at'),
    receivedAt: integer('received_at').notNull(),
    delayMs: integer('delay_ms'),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.eventId] }),
    index('webhook_events_received').on(t.receivedAt, t.platform),
  ],
);

export const participantSessions = sqliteTable(
  'participant_sessions',
  {
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    participantId: text('participant_id').notNull(),
    userId: text('user_id'),
    userName: text('user_name'),
    joinedAt: integer('joined_at'),
    leftAt: integer('left_at'),
  },
  (t) => [
    primaryKey({ columns: [t.meetingId, t.participantId] }),
    index('participant_sessions_open').on(t.meetingId).where(sql`joined_at IS NOT NULL AND left_at IS NULL`),
  ],
);

/** One file of a raw-tracks recording: where it is kept, its kind, and where Daily wrote it. */
export interface RecordingTrack {
  key: string;
  type: string;
  source_key: string;
}

export const RECORDING_STATUSES = ['recording', 'ready', 'stored', 'failed', 'deleted'] as const;

/** The provider's own copy of a recording: still kept there, or deleted on our word (null: it never held one). */
export const PROVIDER_COPY_STATES = ['kept', 'deleted'] as const;
export type ProviderCopyState = (typeof PROVIDER_COPY_STATES)[number];

export const recordings = sqliteTable(
  'recordings',
  {
    id: text('id').primaryKey(),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    meetingId: text('meeting_id').references(() => meetings.id, { onDelete: 'set null' }),
    platformRecordingId: text('platform_recording_id'),
    instanceId: text('instance_id'),
    objectKey: text('object_key'),
    status: text('status', { enum: RECORDING_STATUSES }).notNull(),
    size: integer('size'),
    duration: integer('duration'),
    error: text('error'),
    startedAt: integer('started_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    tracks: text('tracks', { mode: 'json' }).$type<RecordingTrack[]>(),
    providerCopy: text('provider_copy', { enum: PROVIDER_COPY_STATES }),
    /** Someone declined and the pipeline reported before the recording was stored: it must never be kept. */
    deletionDueAt: integer('deletion_due_at'),
  },
  (t) => [
    uniqueIndex('recordings_platform_recording').on(t.platform, t.platformRecordingId),
    index('recordings_meeting').on(t.meetingId),
    index('recordings_status_updated').on(t.status, t.updatedAt),
    index('recordings_created').on(t.createdAt, t.platform),
    index('recordings_provider_copy_kept').on(t.updatedAt).where(sql`provider_copy = 'kept'`),
    index('recordings_deletion_due').on(t.status, t.updatedAt).where(sql`deletion_due_at IS NOT NULL`),
    index('recordings_object_key').on(t.objectKey),
  ],
);

const CORRECTION_KINDS = ['participant-added', 'participant-closed', 'meeting-ended', 'recording-found'] as const;

export const meetingCorrections = sqliteTable(
  'meeting_corrections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: text('meeting_id').references(() => meetings.id, { onDelete: 'set null' }),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    kind: text('kind', { enum: CORRECTION_KINDS }).notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('meeting_corrections_at').on(t.at, t.platform)],
);

const METRIC_COUNTERS = ['provider_calls', 'provider_failures', 'webhooks_rejected', 'webhooks_duplicate'] as const;
export type MetricCounter = (typeof METRIC_COUNTERS)[number];

export const metricCounts = sqliteTable(
  'metric_counts',
  {
    /** Minutes since the epoch. */
    minute: integer('minute').notNull(),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    name: text('name', { enum: METRIC_COUNTERS }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.minute, t.platform, t.name] })],
);

/**
 * Each event for a room's webhook and how its delivery stands. The migration's triggers write the
 * rows, in the statement of the cause; worker/room-webhooks/ delivers them.
 */
export const roomWebhookDeliveries = sqliteTable(
  'room_webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventId: text('event_id').notNull().unique(),
    event: text('event', { enum: ROOM_WEBHOOK_EVENTS }).notNull(),
    /** No foreign key: a deleted room's last events are still delivered. */
    roomId: text('room_id').notNull(),
    roomName: text('room_name').notNull(),
    /** The room's webhook_url and secret at the cause: used once the room is gone. */
    url: text('url').notNull(),
    secret: text('secret'),
    meetingId: text('meeting_id'),
    recordingId: text('recording_id'),
    occurredAt: integer('occurred_at').notNull(),
    /** Made at the first attempt, then sent unchanged. */
    body: text('body'),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    /** `attempts` when the current round of retries began (a re-send begins one). */
    roundStart: integer('round_start').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    /** When the next attempt was handed to the queue; null: not yet. */
    queuedAt: integer('queued_at'),
    lastAttemptAt: integer('last_attempt_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    index('room_webhook_deliveries_unqueued').on(t.id).where(sql`queued_at IS NULL`),
    index('room_webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('room_webhook_deliveries_room').on(t.roomId, t.status, t.id),
    index('room_webhook_deliveries_status').on(t.status, t.id),
  ],
);

/** Every change of a rollout flag (SPEC §12); values are KV's texts, null for an absent key. */
export const flagChanges = sqliteTable(
  'flag_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** An admin's sub, `ramp`, or `kv-dashboard`. */
    by: text('by').notNull(),
    key: text('key', { enum: FLAG_KEYS }).notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    reason: text('reason').notNull(),
  },
  (t) => [index('flag_changes_at').on(t.at, t.id), index('flag_changes_key').on(t.key, t.id)],
);

/** What a browser saw of a call (SPEC §13), one row per visit of the join page. */
export const callReports = sqliteTable(
  'call_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    reportKey: text('report_key'),
    reportedAt: integer('reported_at').notNull(),
    joined: integer('joined', { mode: 'boolean' }).notNull(),
    failureReason: text('failure_reason'),
    secondsToJoin: real('seconds_to_join'),
    connectedSeconds: real('connected_seconds'),
    degradedSeconds: real('degraded_seconds'),
  },
  (t) => [
    uniqueIndex('call_reports_one_per_visit').on(t.meetingId, t.reportKey).where(sql`report_key IS NOT NULL`),
    index('call_reports_reported').on(t.reportedAt, t.platform),
  ],
);

/** The "you left" page's ratings (SPEC §13), one per meeting per browser. */
export const meetingRatings = sqliteTable(
  'meeting_ratings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    meetingId: text('meeting_id')
      .notNull()
      .references(() => meetings.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: PLATFORMS }).notNull(),
    ratingKey: text('rating_key'),
    ratedAt: integer('rated_at').notNull(),
    rating: integer('rating').notNull(),
    comment: text('comment'),
  },
  (t) => [
    uniqueIndex('meeting_ratings_one_per_browser').on(t.meetingId, t.ratingKey).where(sql`rating_key IS NOT NULL`),
    index('meeting_ratings_rated').on(t.ratedAt, t.platform),
  ],
);

export type Room = typeof rooms.$inferSelect;
export type Meeting = typeof meetings.$inferSelect;
export type Recording = typeof recordings.$inferSelect;
export type RoomWebhookDelivery = typeof roomWebhookDeliveries.$inferSelect;
export type FlagChange = typeof flagChanges.$inferSelect;

/** The guarded ramp's plans (SPEC §12); the current one is the newest. */
export const rolloutPlans = sqliteTable('rollout_plans', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  settings: text('settings', { mode: 'json' }).notNull().$type<RampSettings>(),
  state: text('state', { enum: PLAN_STATES }).notNull(),
  stepIndex: integer('step_index').notNull(),
  /** When the current step's percent was written; null: the next Cron run writes it. */
  stepStartedAt: integer('step_started_at'),
  /** Since when the step has lacked enough Daily meetings; null once it has them. */
  waitingSince: integer('waiting_since'),
  nextCheckAt: integer('next_check_at').notNull(),
  putBy: text('put_by').notNull(),
  putAt: integer('put_at').notNull(),
});

/** Every judgement of a running plan, with the figures it used. */
export const rolloutVerdicts = sqliteTable(
  'rollout_verdicts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    planId: integer('plan_id')
      .notNull()
      .references(() => rolloutPlans.id, { onDelete: 'cascade' }),
    at: integer('at').notNull(),
    stepIndex: integer('step_index').notNull(),
    decision: text('decision', { enum: RAMP_DECISIONS }).notNull(),
    reason: text('reason').notNull(),
    figures: text('figures', { mode: 'json' }).notNull().$type<VerdictFigures>(),
  },
  (t) => [index('rollout_verdicts_plan').on(t.planId, t.id)],
);

export type RolloutPlan = typeof rolloutPlans.$inferSelect;
export type RolloutVerdict = typeof rolloutVerdicts.$inferSelect;
