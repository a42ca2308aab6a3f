import { and, eq, getTableColumns, inArray, notExists, or, sql, type SQL, type Table } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Effect } from '../webhooks/events';
import type { Database } from './client';
import { meetings, participantSessions, recordings, webhookEvents, type Meeting, type Recording, type WebhookOutcome } from './schema';
import { recordingObjectKey } from '../recordings/keys';

// The statements a webhook event writes. Every effect is idempotent on its own (joins and
// leaves keep their first time, statuses only move forward), so even a repeat that slipped
// past the event log would change nothing.

type Statement = BatchItem<'sqlite'>;

export const isRecorded = async (db: Database, platform: Meeting['platform'], eventId: string) =>
  (await db.select({ id: webhookEvents.eventId }).from(webhookEvents).where(and(eq(webhookEvents.platform, platform), eq(webhookEvents.eventId, eventId))).limit(1))
    .length > 0;

export const logEvent = (
  db: Database,
  event: { platform: Meeting['platform']; eventId: string; type: string; meetingId: string | null; outcome: WebhookOutcome; eventAt: number | null; receivedAt: number },
) =>
  db.insert(webhookEvents).values({
    ...event,
    delayMs: event.eventAt === null ? null : Math.max(0, event.receivedAt - event.eventAt),
  });

/** The meeting's num_clients, counted from its sessions in the same statement: no read-modify-write. */
export const recountClients = (db: Database, meetingId: string) =>
  db
    .update(meetings)
    .set({
      numClients: sql`(SELECT count(*) FROM ${participantSessions} WHERE ${participantSessions.meetingId} = ${meetingId} AND ${participantSessions.joinedAt} IS NOT NULL AND ${participantSessions.leftAt} IS NULL)`,
    })
    .where(eq(meetings.id, meetingId));

/** In an upsert: keep the stored value where there is one, else take the new one. */
const keepFirst = (column: SQLiteColumn) => sql`coalesce(${column}, excluded.${sql.identifier(column.name)})`;

export const recordJoin = (db: Database, meetingId: string, p: { participantId: string; userId?: string; userName?: string; at: number }) =>
  db
    .insert(participantSessions)
    .values({ meetingId, participantId: p.participantId, userId: p.userId, userName: p.userName, joinedAt: p.at })
    .onConflictDoUpdate({
      target: [participantSessions.meetingId, participantSessions.participantId],
      set: {
        joinedAt: keepFirst(participantSessions.joinedAt),
        userId: keepFirst(participantSessions.userId),
        userName: keepFirst(participantSessions.userName),
      },
    });

export const recordLeave = (
  db: Database,
  meetingId: string,
  p: { participantId: string; userId?: string; userName?: string; joinedAt?: number; at: number },
) =>
  db
    .insert(participantSessions)
    .values({ meetingId, participantId: p.participantId, userId: p.userId, userName: p.userName, joinedAt: p.joinedAt, leftAt: p.at })
    .onConflictDoUpdate({
      target: [participantSessions.meetingId, participantSessions.participantId],
      set: {
        leftAt: keepFirst(participantSessions.leftAt),
        joinedAt: keepFirst(participantSessions.joinedAt),
        userId: keepFirst(participantSessions.userId),
        userName: keepFirst(participantSessions.userName),
      },
    });

export const recordSessionStart = (db: Database, meetingId: string, at: number) =>
  db
    .update(meetings)
    .set({ sessionStartedAt: sql`max(coalesce(${meetings.sessionStartedAt}, 0), ${at})` })
    .where(eq(meetings.id, meetingId));

/**
 * The provider's session ended: everyone left. The meeting retires unless a later session has
 * started or people are still counted in it (their leaves may yet arrive; then it stays
 * reusable, the safe side, until the reconciliation ends it).
 */
export const recordSessionEnd = (db: Database, meetingId: string, at: number) =>
  db
    .update(meetings)
    .set({
      sessionEndedAt: sql`max(coalesce(${meetings.sessionEndedAt}, 0), ${at})`,
      isActive: sql`CASE WHEN ${at} >= coalesce(${meetings.sessionStartedAt}, 0) AND ${meetings.numClients} = 0 THEN 0 ELSE ${meetings.isActive} END`,
    })
    .where(eq(meetings.id, meetingId));

export function recordingStatements(db: Database, meeting: Meeting | null, effect: Effect, now: number): Statement[] {
  const platform = meeting?.platform ?? 'daily';
  const meetingId = meeting?.id ?? null;
  const target = [recordings.platform, recordings.platformRecordingId];
  const fresh = { id: crypto.randomUUID(), platform, meetingId, createdAt: now, updatedAt: now };

  switch (effect.kind) {
    case 'recording-started':
      return [
        db
          .insert(recordings)
          .values({ ...fresh, platformRecordingId: effect.recordingId, instanceId: effect.instanceId, status: 'recording', startedAt: effect.startedAt })
          .onConflictDoNothing({ target }),
      ];
    case 'recording-ready': {
      // Rooms made while AWS_DAILY_ROLE_ARN was set record into our bucket: Daily's key is final.
      const direct = meeting?.recordsToBucket === true && effect.providerKey !== undefined;
      const row = {
        meetingId,
        objectKey: direct ? effect.providerKey : recordingObjectKey(effect.providerRoomName, effect.startedAt),
        status: direct ? ('stored' as const) : ('ready' as const),
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
      };
      const ofThisRecording = names.length ? and(eq(recordings.platform, platform), eq(recordings.status, 'recording'), or(...names)) : sql`0`;
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

/** A SELECT of constants shaped as the table's columns, in order: the source of an INSERT ... SELECT. */
function constantRow<T extends Table>(table: T, row: T['$inferSelect']) {
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => [key, sql`${(row as Record<string, unknown>)[key] ?? null}`.as(column.name)]),
  ) as Record<keyof T['$inferSelect'], SQL.Aliased>;
}

export const findRecordingByPlatformId = async (db: Database, platform: Meeting['platform'], platformRecordingId: string) =>
  (await db.select().from(recordings).where(and(eq(recordings.platform, platform), eq(recordings.platformRecordingId, platformRecordingId))).limit(1))[0];
