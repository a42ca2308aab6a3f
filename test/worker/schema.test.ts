import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { database, isUniqueViolation } from '../../worker/db/client';
import { findRoomByName } from '../../worker/db/rooms';
import * as schema from '../../worker/db/schema';
import { anyoneDeclined } from '../../worker/recordings/consent';

const tables = [
  schema.rooms,
  schema.meetings,
  schema.meetingConsent,
  schema.meetingClaims,
  schema.meetingClaimFailures,
  schema.webhookEvents,
  schema.participantSessions,
  schema.recordings,
  schema.meetingCorrections,
  schema.metricCounts,
  schema.roomWebhookDeliveries,
  schema.flagChanges,
  schema.callReports,
  schema.meetingRatings,
  schema.rolloutPlans,
  schema.rolloutVerdicts,
];

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

describe('the drizzle schema', () => {
  it.each(tables.map((table) => [getTableConfig(table).name, table] as const))(
    'matches the migrated table %s column by column',
    async (name, table: SQLiteTable) => {
      const config = getTableConfig(table);
      const { results } = await env.DB.prepare(`PRAGMA table_info(${name})`).all<ColumnInfo>();
      const migrated = results.map((column) => ({
        name: column.name,
        type: column.type.toLowerCase(),
        notNull: column.notnull === 1 || column.pk > 0,
        primaryKey: column.pk > 0,
      }));
      const compositeKey = new Set(config.primaryKeys.flatMap((key) => key.columns.map((column) => column.name)));
      const declared = config.columns.map((column) => ({
        name: column.name,
        type: column.getSQLType().toLowerCase(),
        notNull: column.notNull || compositeKey.has(column.name),
        primaryKey: column.primary || compositeKey.has(column.name),
      }));
      expect(declared.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        migrated.sort((a, b) => a.name.localeCompare(b.name)),
      );
    },
  );

  it.each(tables.map((table) => [getTableConfig(table).name, table] as const))(
    'declares the indexes of table %s',
    async (name, table: SQLiteTable) => {
      const { results } = await env.DB.prepare(`PRAGMA index_list(${name})`).all<{
        name: string;
        unique: number;
        origin: string;
        partial: number;
      }>();
      const migrated = results
        .filter((index) => index.origin === 'c')
        .map((index) => ({ name: index.name, unique: index.unique === 1, partial: index.partial === 1 }));
      const declared = getTableConfig(table).indexes.map((index) => ({
        name: index.config.name,
        unique: index.config.unique,
        partial: index.config.where !== undefined,
      }));
      expect(declared.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        migrated.sort((a, b) => a.name.localeCompare(b.name)),
      );
    },
  );
});

describe('the migrations', () => {
  it('turn rows of the Whereby-era schema into Whereby rows, keeping them whole', async () => {
    const db = env.MIGRATION_DB;
    const [first, ...rest] = env.TEST_MIGRATIONS;
    if (!first) throw new Error('no migrations');
    await applyD1Migrations(db, [first]);

    const room = (id: string, name: string) =>
      db
        .prepare(
          "INSERT INTO rooms (id, name, user_id, created_at, recording_type) VALUES (?, ?, 'old-owner', '2025-01-01T00:00:00Z', 'cloud')",
        )
        .bind(id, name);
    const meeting = (id: string, roomId: string, start: string, active: number) =>
      db
        .prepare(
          `INSERT INTO meetings (id, room_id, room_name, room_url, host_room_url, start_date, end_date, is_active)
           VALUES (?, ?, '/old-' || ?, 'https://x.whereby.com/old', 'https://x.whereby.com/old?roomKey=k', ?, '2099-01-01T00:00:00Z', ?)`,
        )
        .bind(id, roomId, id, start, active);
    const consent = (id: string, meetingId: string, userId: string | null, given: number, time: string) =>
      db
        .prepare(
          'INSERT INTO meeting_consent (id, meeting_id, user_id, consent_given, consent_timestamp) VALUES (?, ?, ?, ?, ?)',
        )
        .bind(id, meetingId, userId, given, `2025-01-02T${time}:00Z`);
    await db.batch([
      room('r1', 'legacy-room'),
      room('r2', 'other-room'),
      // The old service could leave two active meetings in one room; only the newest stays active.
      meeting('111', 'r1', '2025-01-01T10:00:00Z', 1),
      meeting('222', 'r1', '2025-01-02T10:00:00Z', 1),
      meeting('333', 'r2', '2025-01-01T10:00:00Z', 0),
      db.prepare(
        "INSERT INTO meeting_consent (id, meeting_id, consent_given, consent_timestamp) VALUES ('c1', '111', 0, '2025-01-01T10:05:00Z')",
      ),
      // The old service stored every answer: repeats by guests and by people, changed minds.
      consent('c2', '111', null, 0, '10:06'),
      consent('c3', '111', null, 1, '10:07'),
      consent('c4', '111', null, 1, '10:08'),
      consent('c5', '222', 'u1', 1, '10:00'),
      consent('c6', '222', 'u1', 0, '10:05'),
      consent('c7', '222', 'u1', 1, '10:10'),
      consent('c8', '222', 'u2', 1, '10:00'),
      consent('c9', '222', 'u2', 1, '10:20'),
      consent('c10', '333', 'u1', 1, '10:00'),
    ]);

    await applyD1Migrations(db, rest);

    const { results: rooms } = await db
      .prepare('SELECT id, name, platform, recording_type FROM rooms ORDER BY id')
      .all();
    expect(rooms).toEqual([
      { id: 'r1', name: 'legacy-room', platform: 'whereby', recording_type: 'cloud' },
      { id: 'r2', name: 'other-room', platform: 'whereby', recording_type: 'cloud' },
    ]);
    const { results: meetings } = await db
      .prepare('SELECT id, platform, platform_meeting_id, is_active FROM meetings ORDER BY id')
      .all();
    expect(meetings).toEqual([
      { id: '111', platform: 'whereby', platform_meeting_id: '111', is_active: 0 },
      { id: '222', platform: 'whereby', platform_meeting_id: '222', is_active: 1 },
      { id: '333', platform: 'whereby', platform_meeting_id: '333', is_active: 0 },
    ]);
    // One answer per person and meeting, and per answer for the guests, a "no" kept wherever there
    // was one: every meeting's audio keeps the fate the old answers gave it.
    const { results: answers } = await db
      .prepare('SELECT id, meeting_id, user_id, consent_given, consent_key FROM meeting_consent ORDER BY id')
      .all();
    expect(answers).toEqual([
      { id: 'c1', meeting_id: '111', user_id: null, consent_given: 0, consent_key: null },
      { id: 'c10', meeting_id: '333', user_id: 'u1', consent_given: 1, consent_key: null },
      { id: 'c3', meeting_id: '111', user_id: null, consent_given: 1, consent_key: null },
      { id: 'c6', meeting_id: '222', user_id: 'u1', consent_given: 0, consent_key: null },
      { id: 'c9', meeting_id: '222', user_id: 'u2', consent_given: 1, consent_key: null },
    ]);
    const declined = database({ ...env, DB: db });
    expect(await anyoneDeclined(declined, '111')).toBe(true);
    expect(await anyoneDeclined(declined, '222')).toBe(true);
    expect(await anyoneDeclined(declined, '333')).toBe(false);
    // Their meetings have no retirement time: the end date stands for it.
    expect((await db.prepare('SELECT count(*) AS n FROM meetings WHERE retired_at IS NOT NULL').first())?.n).toBe(0);

    // And the Worker's own code reads them as Whereby rooms.
    const legacy = await findRoomByName(database({ ...env, DB: db }), 'legacy-room');
    expect(legacy).toMatchObject({ platform: 'whereby', isLocked: false, recordingType: 'cloud' });
  });

  it('leave Daily holding its copies of the recordings copied before Daily was told to delete them', async () => {
    const db = env.LATE_MIGRATION_DB;
    const at = env.TEST_MIGRATIONS.findIndex((migration) => migration.name.startsWith('0010_'));
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, at));
    const meeting = (id: string, recordsToBucket: number) =>
      db
        .prepare(
          `INSERT INTO meetings (id, room_name, room_url, host_room_url, start_date, end_date, platform, records_to_bucket)
           VALUES (?, ?, 'https://x.daily.co/r', 'https://x.daily.co/r', '2026-01-01', '2026-01-02', 'daily', ?)`,
        )
        .bind(id, `room-${id}`, recordsToBucket);
    const recording = (id: string, platform: string, meetingId: string, status: string, tracks: string | null) =>
      db
        .prepare(
          `INSERT INTO recordings (id, platform, meeting_id, platform_recording_id, object_key, status, created_at, updated_at, tracks)
           VALUES (?, ?, ?, ?, 'k', ?, 1, 1, ?)`,
        )
        .bind(id, platform, meetingId, `p-${id}`, status, tracks);
    await db.batch([
      meeting('copied', 0),
      meeting('in-bucket', 1),
      recording('stored', 'daily', 'copied', 'stored', null),
      recording('deleted', 'daily', 'copied', 'deleted', null),
      recording('ready', 'daily', 'copied', 'ready', null),
      recording('recording', 'daily', 'copied', 'recording', null),
      recording('tracks', 'daily', 'copied', 'stored', '[]'),
      recording('bucket', 'daily', 'in-bucket', 'stored', null),
      recording('whereby', 'whereby', 'copied', 'stored', null),
    ]);

    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(at));

    const { results } = await db.prepare('SELECT id, provider_copy FROM recordings ORDER BY id').all();
    expect(Object.fromEntries(results.map((row) => [row.id, row.provider_copy]))).toEqual({
      stored: 'kept',
      deleted: 'kept',
      ready: 'kept',
      // Set when it is ready; Daily never held copies of raw tracks or of what it wrote into our bucket.
      recording: null,
      tracks: null,
      bucket: null,
      whereby: null,
    });
  });

  it('leave the rooms of meetings retired before to be ended at their provider, where they are still open', async () => {
    const db = env.HOLD_MIGRATION_DB;
    const at = env.TEST_MIGRATIONS.findIndex((migration) => migration.name.startsWith('0012_'));
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, at));
    const hour = 3_600_000;
    const meeting = (id: string, platform: string, active: number, endInMs: number, retiredAt: number | null) =>
      db
        .prepare(
          `INSERT INTO meetings (id, room_name, room_url, host_room_url, start_date, end_date, platform, is_active, retired_at)
           VALUES (?, ?, 'u', 'h', '2026-01-01', ?, ?, ?, ?)`,
        )
        .bind(id, `room-${id}`, new Date(Date.now() + endInMs).toISOString(), platform, active, retiredAt);
    await db.batch([
      meeting('daily-retired', 'daily', 0, -48 * hour, 5),
      meeting('daily-retired-before-0009', 'daily', 0, -48 * hour, null),
      meeting('daily-active', 'daily', 1, hour, null),
      // A Whereby room works until an hour after its end: still open, and closed by itself.
      meeting('whereby-still-open', 'whereby', 0, -0.5 * hour, 7),
      meeting('whereby-closed', 'whereby', 0, -2 * hour, 7),
      meeting('whereby-active', 'whereby', 1, hour, null),
    ]);

    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(at));

    const { results } = await db.prepare('SELECT id, provider_end_due_at FROM meetings ORDER BY id').all();
    expect(Object.fromEntries(results.map((row) => [row.id, row.provider_end_due_at]))).toEqual({
      'daily-active': null,
      'daily-retired': 5,
      'daily-retired-before-0009': 0,
      'whereby-active': null,
      'whereby-closed': null,
      'whereby-still-open': 7,
    });
  });

  it('keep one active meeting per room in the database itself', async () => {
    await env.DB.prepare(
      "INSERT INTO rooms (id, name, user_id, created_at) VALUES ('r', 'guarded', 'u', '2026-01-01')",
    ).run();
    const insert = (id: string) =>
      env.DB.prepare(
        "INSERT INTO meetings (id, room_id, room_name, room_url, host_room_url, start_date, end_date) VALUES (?, 'r', 'n', 'u', 'h', 's', 'e')",
      ).bind(id);
    await insert('m1').run();
    await expect(insert('m2').run()).rejects.toThrow(/UNIQUE constraint failed/);
  });
});

describe('a unique violation', () => {
  it('is told apart by its constraint, through drizzle as D1 raises it', async () => {
    const db = database(env);
    const room = { id: 'unique-1', name: 'unique-name', userId: 'u', createdAt: '2026-01-01' };
    await db.insert(schema.rooms).values(room);
    const failure = await db
      .insert(schema.rooms)
      .values({ ...room, id: 'unique-2' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isUniqueViolation(failure, 'rooms.name')).toBe(true);
    expect(isUniqueViolation(failure, 'rooms')).toBe(true);
    expect(isUniqueViolation(failure, 'rooms.id')).toBe(false);
    expect(isUniqueViolation(failure, 'webhook_events')).toBe(false);

    const event = { platform: 'daily' as const, eventId: 'e-1', type: 't', outcome: 'applied' as const, receivedAt: 1 };
    await db.insert(schema.webhookEvents).values(event);
    const repeat = await db
      .insert(schema.webhookEvents)
      .values(event)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isUniqueViolation(repeat, 'webhook_events')).toBe(true);
    expect(isUniqueViolation(repeat, 'rooms.name')).toBe(false);
    expect(isUniqueViolation(new Error('no such table: rooms'), 'rooms')).toBe(false);
  });
});
