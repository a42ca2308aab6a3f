import { and, asc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Platform } from '../../domain/rooms';
import type { ErrorCode } from '../errors';
import type { Database } from './client';
import { type Meeting, meetingClaims, meetingConsent, meetings } from './schema';

type NewMeeting = typeof meetings.$inferInsert;

export const findMeetingById = async (db: Database, id: string) =>
  (await db.select().from(meetings).where(eq(meetings.id, id)).limit(1))[0];

export const findActiveMeeting = async (db: Database, roomId: string) =>
  (
    await db
      .select()
      .from(meetings)
      .where(and(eq(meetings.roomId, roomId), eq(meetings.isActive, true)))
      .limit(1)
  )[0];

export const insertMeeting = async (db: Database, meeting: NewMeeting): Promise<Meeting> => {
  const [created] = await db.insert(meetings).values(meeting).returning();
  if (!created) throw new Error('the meeting insert returned no row');
  return created;
};

/** Ends the meeting's life in our records; the next join creates a new one. */
export const retireMeeting = (db: Database, id: string) =>
  db
    .update(meetings)
    .set({ isActive: false })
    .where(and(eq(meetings.id, id), eq(meetings.isActive, true)));

export const retireActiveMeetings = (db: Database, roomId: string) =>
  db
    .update(meetings)
    .set({ isActive: false })
    .where(and(eq(meetings.roomId, roomId), eq(meetings.isActive, true)))
    .returning();

/** A failed creation as the requests that waited on it are told. */
interface ClaimFailure {
  code: ErrorCode;
  detail: string;
}

type Claim = { won: true } | { won: false; error?: ClaimFailure };

/**
 * Takes the right to create the room's next meeting, unless another request holds it and its
 * lease has not run out. Atomic in D1: one statement decides between simultaneous requests.
 */
export async function claimMeetingCreation(
  db: Database,
  roomId: string,
  token: string,
  leaseMs: number,
  now = Date.now(),
): Promise<Claim> {
  const [row] = await db
    .insert(meetingClaims)
    .values({ roomId, token, expiresAt: now + leaseMs })
    .onConflictDoUpdate({
      target: meetingClaims.roomId,
      set: { token, expiresAt: now + leaseMs, errorCode: null, errorDetail: null },
      setWhere: lte(meetingClaims.expiresAt, now),
    })
    .returning({ token: meetingClaims.token });
  if (row?.token === token) return { won: true };

  const [held] = await db.select().from(meetingClaims).where(eq(meetingClaims.roomId, roomId)).limit(1);
  if (held?.errorCode && held.errorDetail)
    return { won: false, error: { code: held.errorCode, detail: held.errorDetail } };
  return { won: false };
}

export const releaseClaim = (db: Database, roomId: string, token: string) =>
  db.delete(meetingClaims).where(and(eq(meetingClaims.roomId, roomId), eq(meetingClaims.token, token)));

/** Keeps a failed creation's error for a moment, so the requests waiting on it share it. */
export const failClaim = (db: Database, roomId: string, token: string, error: ClaimFailure, untilMs: number) =>
  db
    .update(meetingClaims)
    .set({ errorCode: error.code, errorDetail: error.detail, expiresAt: untilMs })
    .where(and(eq(meetingClaims.roomId, roomId), eq(meetingClaims.token, token)));

export async function recordConsent(db: Database, meetingId: string, userId: string | null, consentGiven: boolean) {
  const [row] = await db
    .insert(meetingConsent)
    .values({ id: crypto.randomUUID(), meetingId, userId, consentGiven, consentTimestamp: new Date().toISOString() })
    .returning({ id: meetingConsent.id });
  if (!row) throw new Error('the consent insert returned no row');
  return row.id;
}

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

/** Active meetings, those the reconciliation looked at longest ago first. */
export const meetingsDueForReconciliation = (db: Database, limit: number) =>
  db
    .select()
    .from(meetings)
    .where(eq(meetings.isActive, true))
    .orderBy(asc(sql`coalesce(${meetings.reconciledAt}, 0)`))
    .limit(limit);

export const markReconciled = (db: Database, id: string, at: number) =>
  db.update(meetings).set({ reconciledAt: at }).where(eq(meetings.id, id));

/**
 * Meetings of those platforms recorded in the cloud that started since then and whose copies
 * are ours to make, those whose recordings were asked for longest ago first.
 */
export const meetingsToCopyFrom = async (
  db: Database,
  platforms: readonly Platform[],
  since: string,
  limit: number,
): Promise<Meeting[]> =>
  platforms.length === 0
    ? []
    : db
        .select()
        .from(meetings)
        .where(
          and(
            inArray(meetings.platform, [...platforms]),
            eq(meetings.recordingType, 'cloud'),
            eq(meetings.recordsToBucket, false),
            gte(meetings.startDate, since),
          ),
        )
        .orderBy(asc(sql`coalesce(${meetings.recordingsCheckedAt}, 0)`))
        .limit(limit);

export const markRecordingsChecked = (db: Database, id: string, at: number) =>
  db.update(meetings).set({ recordingsCheckedAt: at }).where(eq(meetings.id, id));
