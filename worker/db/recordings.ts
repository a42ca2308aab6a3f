import { and, asc, eq, getTableColumns, inArray, lt, notExists, or, type SQL, sql, type Table } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { recordingKeyPrefix, recordingObjectKey } from '../recordings/keys';
import type { Effect } from '../webhooks/events';
import type { Database } from './client';
import type { EventMeeting } from './meeting-lookup';
import { type Platform, type Recording, recordings } from './schema';

// Recording rows. Statuses only move forward (recording → ready → stored), so events in any
// order, and repeats, end in the same row.

export function recordingStatements(
  db: Database,
  meeting: EventMeeting | null,
  effect: Effect,
  now: number,
): BatchItem<'sqlite'>[] {
  const platform = meeting?.platform ?? 'daily';
  const meetingId = meeting?.id ?? null;
  const target = [recordings.platform, recordings.platformRecordingId];
  const fresh = { id: crypto.randomUUID(), platform, meetingId, createdAt: now, updatedAt: now };

  switch (effect.kind) {
    case 'recording-started':
      return [
        db
          .insert(recordings)
          .values({
            ...fresh,
            platformRecordingId: effect.recordingId,
            instanceId: effect.instanceId,
            status: 'recording',
            startedAt: effect.startedAt,
          })
          .onConflictDoNothing({ target }),
      ];
    case 'recording-ready': {
      const row = {
        meetingId,
        ...placement(meeting, effect),
        duration: effect.durationS,
        startedAt: effect.startedAt,
        updatedAt: now,
      };
      return [
        db
          .insert(recordings)
          .values({ ...fresh, ...row, platformRecordingId: effect.recordingId })
          .onConflictDoUpdate({ target, set: row, setWhere: eq(recordings.status, 'recording') }),
      ];
    }
    case 'recording-stored': {
      const row = { meetingId, objectKey: effect.objectKey, status: 'stored' as const, updatedAt: now };
      return [
        db
          .insert(recordings)
          .values({ ...fresh, ...row, platformRecordingId: effect.recordingId })
          .onConflictDoUpdate({ target, set: row, setWhere: inArray(recordings.status, ['recording', 'ready']) }),
      ];
    }
    case 'recording-failed': {
      // The error names the recording's instance and room, not the recording.
      const names = [
        effect.instanceId ? eq(recordings.instanceId, effect.instanceId) : undefined,
        meetingId ? eq(recordings.meetingId, meetingId) : undefined,
      ].filter((condition) => condition !== undefined);
      const failedRow: Recording = {
        ...fresh,
        platformRecordingId: null,
        instanceId: effect.instanceId ?? null,
        objectKey: null,
        status: 'failed',
        size: null,
        duration: null,
        error: effect.error,
        startedAt: null,
        tracks: null,
      };
      const ofThisRecording = names.length
        ? and(eq(recordings.platform, platform), eq(recordings.status, 'recording'), or(...names))
        : sql`0`;
      return [
        // A failure whose recording never announced itself still counts: it gets a row.
        db.insert(recordings).select(
          db
            .select(constantRow(recordings, failedRow))
            .from(sql`(SELECT 1)`)
            .where(notExists(db.select({ one: sql`1` }).from(recordings).where(ofThisRecording))),
        ),
        db.update(recordings).set({ status: 'failed', error: effect.error, updatedAt: now }).where(ofThisRecording),
      ];
    }
    default:
      return [];
  }
}

/**
 * Where a ready recording goes and whether it still has to be moved there. Rooms made while
 * AWS_DAILY_ROLE_ARN was set record into our bucket, where Daily's key is final for a composite;
 * raw tracks are moved under the recording's key prefix, and a composite elsewhere is copied in.
 */
function placement(meeting: EventMeeting | null, effect: Extract<Effect, { kind: 'recording-ready' }>) {
  if (effect.tracks) {
    const prefix = recordingKeyPrefix(effect.providerRoomName, effect.startedAt);
    const tracks = effect.tracks.map((track) => ({
      key: `${prefix}${track.sourceKey.split('/').pop()}`,
      type: track.type,
      source_key: track.sourceKey,
    }));
    return { objectKey: prefix, status: 'ready' as const, tracks };
  }
  if (meeting?.recordsToBucket && effect.providerKey)
    return { objectKey: effect.providerKey, status: 'stored' as const, tracks: null };
  return {
    objectKey: recordingObjectKey(effect.providerRoomName, effect.startedAt),
    status: 'ready' as const,
    tracks: null,
  };
}

/** A SELECT of constants shaped as the table's columns, in order: the source of an INSERT ... SELECT. */
function constantRow<T extends Table>(table: T, row: T['$inferSelect']) {
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => [
      key,
      sql`${(row as Record<string, unknown>)[key] ?? null}`.as(column.name),
    ]),
  ) as Record<keyof T['$inferSelect'], SQL.Aliased>;
}

export const findRecordingByPlatformId = async (db: Database, platform: Platform, platformRecordingId: string) =>
  (
    await db
      .select()
      .from(recordings)
      .where(and(eq(recordings.platform, platform), eq(recordings.platformRecordingId, platformRecordingId)))
      .limit(1)
  )[0];

/** Recordings left `ready` (their copy message lost or dead) since before then. */
export const recordingsStuckReady = (db: Database, updatedBefore: number, limit: number) =>
  db
    .select()
    .from(recordings)
    .where(and(eq(recordings.status, 'ready'), lt(recordings.updatedAt, updatedBefore)))
    .orderBy(asc(recordings.updatedAt))
    .limit(limit);

export const touchRecording = (db: Database, id: string, at: number) =>
  db.update(recordings).set({ updatedAt: at }).where(eq(recordings.id, id));

export const findRecordingById = async (db: Database, id: string) =>
  (await db.select().from(recordings).where(eq(recordings.id, id)).limit(1))[0];

/** The copy finished: only a recording still waiting for it becomes stored. */
export const markRecordingStored = (db: Database, id: string, size: number, now = Date.now()) =>
  db
    .update(recordings)
    .set({ status: 'stored', size, error: null, updatedAt: now })
    .where(and(eq(recordings.id, id), eq(recordings.status, 'ready')));

export const markRecordingFailed = (db: Database, id: string, error: string, now = Date.now()) =>
  db
    .update(recordings)
    .set({ status: 'failed', error, updatedAt: now })
    .where(and(eq(recordings.id, id), inArray(recordings.status, ['recording', 'ready'])));

/** A failed attempt that will be tried again: the reason is kept, the status stays. */
export const noteRecordingError = (db: Database, id: string, error: string) =>
  db.update(recordings).set({ error }).where(eq(recordings.id, id));

export const recordingsOfMeeting = (db: Database, meetingId: string) =>
  db.select().from(recordings).where(eq(recordings.meetingId, meetingId)).orderBy(asc(recordings.createdAt));
