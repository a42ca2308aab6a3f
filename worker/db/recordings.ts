import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  inArray,
  isNotNull,
  isNull,
  lt,
  notExists,
  or,
  type SQL,
  sql,
  type Table,
} from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Platform } from '../../domain/rooms';
import type { Database } from './client';
import { type ProviderCopyState, type Recording, type RecordingTrack, recordings } from './schema';

// Recording rows. Statuses only move forward (recording → ready → stored), so events in any
// order, and repeats, end in the same row. The caller decides the row's values (where a ready
// recording goes: recordings/effects.ts); these statements only keep the order.

/** Whose recording it is: the provider, and our meeting where the event names one. */
interface RecordingOwner {
  platform: Platform;
  meetingId: string | null;
}

const target = [recordings.platform, recordings.platformRecordingId];
const freshRow = ({ platform, meetingId }: RecordingOwner, now: number) => ({
  id: crypto.randomUUID(),
  platform,
  meetingId,
  createdAt: now,
  updatedAt: now,
});

/** The provider started a recording: a row unless it is known already. */
export const recordRecordingStarted = (
  db: Database,
  owner: RecordingOwner,
  recording: { platformRecordingId: string; instanceId?: string; startedAt: number },
  now: number,
) =>
  db
    .insert(recordings)
    .values({ ...freshRow(owner, now), ...recording, status: 'recording' })
    .onConflictDoNothing({ target });

/** A finished recording at the place decided for it: `ready` (to be copied or moved there) or already `stored`. */
export function recordRecordingReady(
  db: Database,
  owner: RecordingOwner,
  recording: {
    platformRecordingId: string;
    objectKey: string;
    status: 'ready' | 'stored';
    tracks: RecordingTrack[] | null;
    /** 'kept': the provider holds a copy of its own, which we copy (and then have it delete). */
    providerCopy: ProviderCopyState | null;
    durationS?: number;
    startedAt: number;
  },
  now: number,
) {
  const { platformRecordingId, durationS, ...placed } = recording;
  const row = { meetingId: owner.meetingId, ...placed, duration: durationS, updatedAt: now };
  return db
    .insert(recordings)
    .values({ ...freshRow(owner, now), ...row, platformRecordingId })
    .onConflictDoUpdate({ target, set: row, setWhere: eq(recordings.status, 'recording') });
}

/** The provider wrote the recording straight into the bucket, at this key. */
export function recordRecordingStored(
  db: Database,
  owner: RecordingOwner,
  recording: { platformRecordingId: string; objectKey: string },
  now: number,
) {
  const row = { meetingId: owner.meetingId, objectKey: recording.objectKey, status: 'stored' as const, updatedAt: now };
  return db
    .insert(recordings)
    .values({ ...freshRow(owner, now), ...row, platformRecordingId: recording.platformRecordingId })
    .onConflictDoUpdate({ target, set: row, setWhere: inArray(recordings.status, ['recording', 'ready']) });
}

/** A recording failed; the provider names its instance and room, not the recording. */
export function recordRecordingFailed(
  db: Database,
  owner: RecordingOwner,
  failure: { instanceId?: string; error: string },
  now: number,
): BatchItem<'sqlite'>[] {
  const { platform, meetingId } = owner;
  const names = [
    failure.instanceId ? eq(recordings.instanceId, failure.instanceId) : undefined,
    meetingId ? eq(recordings.meetingId, meetingId) : undefined,
  ].filter((condition) => condition !== undefined);
  const failedRow: Recording = {
    ...freshRow(owner, now),
    platformRecordingId: null,
    instanceId: failure.instanceId ?? null,
    objectKey: null,
    status: 'failed',
    size: null,
    duration: null,
    error: failure.error,
    startedAt: null,
    tracks: null,
    providerCopy: null,
    deletionDueAt: null,
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
    db.update(recordings).set({ status: 'failed', error: failure.error, updatedAt: now }).where(ofThisRecording),
  ];
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

/** Recordings that landed stored although their deletion was due, left so (their message lost) since before then. */
export const recordingsStuckDue = (db: Database, updatedBefore: number, limit: number) =>
  db
    .select()
    .from(recordings)
    .where(
      and(
        isNotNull(recordings.deletionDueAt),
        eq(recordings.status, 'stored'),
        lt(recordings.updatedAt, updatedBefore),
      ),
    )
    .orderBy(asc(recordings.updatedAt))
    .limit(limit);

/**
 * Someone declined and the recording is not stored yet: its deletion is due from now on. Only
 * a recording still recording or waiting for its copy; answers whether it was one.
 */
export async function markDeletionDue(db: Database, id: string, now = Date.now()): Promise<boolean> {
  const marked = await db
    .update(recordings)
    .set({ deletionDueAt: sql`coalesce(${recordings.deletionDueAt}, ${now})` })
    .where(and(eq(recordings.id, id), inArray(recordings.status, ['recording', 'ready'])))
    .returning({ id: recordings.id });
  return marked.length > 0;
}

export const touchRecording = (db: Database, id: string, at: number) =>
  db.update(recordings).set({ updatedAt: at }).where(eq(recordings.id, id));

/** The newest recording kept at that object key. */
export const findRecordingByObjectKey = async (db: Database, objectKey: string) =>
  (
    await db
      .select()
      .from(recordings)
      .where(eq(recordings.objectKey, objectKey))
      .orderBy(desc(recordings.createdAt))
      .limit(1)
  )[0];

export const findRecordingById = async (db: Database, id: string) =>
  (await db.select().from(recordings).where(eq(recordings.id, id)).limit(1))[0];

/**
 * The copy finished: only a recording still waiting for it, and not due for deletion, becomes
 * stored. Answers whether it did (one statement, so a deletion marked due meanwhile always wins).
 */
export async function markRecordingStored(db: Database, id: string, size: number, now = Date.now()) {
  const stored = await db
    .update(recordings)
    .set({ status: 'stored', size, error: null, updatedAt: now })
    .where(and(eq(recordings.id, id), eq(recordings.status, 'ready'), isNull(recordings.deletionDueAt)))
    .returning({ id: recordings.id });
  return stored.length > 0;
}

export const markRecordingFailed = (db: Database, id: string, error: string, now = Date.now()) =>
  db
    .update(recordings)
    .set({ status: 'failed', error, updatedAt: now })
    .where(and(eq(recordings.id, id), inArray(recordings.status, ['recording', 'ready'])));

/** A failed attempt that will be tried again: the reason is kept, the status stays. */
export const noteRecordingError = (db: Database, id: string, error: string) =>
  db.update(recordings).set({ error }).where(eq(recordings.id, id));

/** Provider copies that a failed delete left behind, of recordings stored or deleted here: the Cron's to delete. */
export const providerCopiesLeft = (db: Database, platforms: Platform[], limit: number) =>
  db
    .select()
    .from(recordings)
    .where(
      and(
        eq(recordings.providerCopy, 'kept'),
        inArray(recordings.status, ['stored', 'deleted']),
        inArray(recordings.platform, platforms),
      ),
    )
    .orderBy(asc(recordings.updatedAt))
    .limit(limit);

export const markProviderCopyDeleted = (db: Database, id: string) =>
  db.update(recordings).set({ providerCopy: 'deleted' }).where(eq(recordings.id, id));

export const recordingsOfMeeting = (db: Database, meetingId: string) =>
  db.select().from(recordings).where(eq(recordings.meetingId, meetingId)).orderBy(asc(recordings.createdAt));
