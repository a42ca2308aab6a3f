import { eq, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Database } from './client';
import { meetings, participantSessions } from './schema';

// Participant sessions and the count derived from them. Each statement is idempotent: a join
// or leave keeps its first time, so repeats and reorderings leave the same rows.

/** In an upsert: keep the stored value where there is one, else take the new one. */
const keepFirst = (column: SQLiteColumn) => sql`coalesce(${column}, excluded.${sql.identifier(column.name)})`;

/**
 * The meeting's num_clients, counted from its sessions in the same statement: no
 * read-modify-write. It answers the new count (see recountedClients).
 */
export const recountClients = (db: Database, meetingId: string) =>
  db
    .update(meetings)
    .set({
      numClients: sql`(SELECT count(*) FROM ${participantSessions} WHERE ${participantSessions.meetingId} = ${meetingId} AND ${participantSessions.joinedAt} IS NOT NULL AND ${participantSessions.leftAt} IS NULL)`,
    })
    .where(eq(meetings.id, meetingId))
    .returning({ numClients: meetings.numClients });

/** The count a recountClients statement answered, from its place among a batch's answers. */
export function recountedClients(answer: unknown): number | null {
  const [row] = Array.isArray(answer) ? (answer as unknown[]) : [];
  return typeof row === 'object' && row !== null && 'numClients' in row && typeof row.numClients === 'number'
    ? row.numClients
    : null;
}

export const recordJoin = (
  db: Database,
  meetingId: string,
  p: { participantId: string; userId?: string; userName?: string; at: number },
) =>
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
    .values({
      meetingId,
      participantId: p.participantId,
      userId: p.userId,
      userName: p.userName,
      joinedAt: p.joinedAt,
      leftAt: p.at,
    })
    .onConflictDoUpdate({
      target: [participantSessions.meetingId, participantSessions.participantId],
      set: {
        leftAt: keepFirst(participantSessions.leftAt),
        joinedAt: keepFirst(participantSessions.joinedAt),
        userId: keepFirst(participantSessions.userId),
        userName: keepFirst(participantSessions.userName),
      },
    });

/** Every session the meeting has a row for, open or not. */
export const sessionsOf = (db: Database, meetingId: string) =>
  db.select().from(participantSessions).where(eq(participantSessions.meetingId, meetingId));
