import { and, asc, eq, gt, gte, inArray, isNotNull, lt, lte, not, or, type SQLWrapper, sql } from 'drizzle-orm';
import type { Platform } from '../../domain/rooms';
import type { ErrorCode } from '../errors';
import type { Database } from './client';
import {
  CONSENT_BY_KEY,
  CONSENT_BY_USER,
  CONSENT_KEYLESS,
  type Meeting,
  meetingClaimFailures,
  meetingClaims,
  meetingConsent,
  meetings,
} from './schema';

export type NewMeeting = typeof meetings.$inferInsert;

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

/** A meeting's retirement: no longer active here, and from now on its room is due to be ended at its provider. */
const retirement = (now: number) => ({ isActive: false, retiredAt: now, providerEndDueAt: now });

/** Ends the meeting's life in our records, noting when; the next join creates a new one. Answers it if it was active. */
export const retireMeeting = (db: Database, id: string, now = Date.now()) =>
  db
    .update(meetings)
    .set(retirement(now))
    .where(and(eq(meetings.id, id), eq(meetings.isActive, true)))
    .returning();

export const retireActiveMeetings = (db: Database, roomId: string, now = Date.now()) =>
  db
    .update(meetings)
    .set(retirement(now))
    .where(and(eq(meetings.roomId, roomId), eq(meetings.isActive, true)))
    .returning();

/** A meeting whose row could not become active: on record, retired, only so that its provider room is ended. */
export const insertRetiredMeeting = (db: Database, meeting: NewMeeting, now = Date.now()) =>
  insertMeeting(db, { ...meeting, ...retirement(now) });

export const markEndedAtProvider = (db: Database, id: string) =>
  db
    .update(meetings)
    .set({ providerEndDueAt: null })
    .where(and(eq(meetings.id, id), eq(meetings.isActive, false)));

/** Retired meetings whose provider rooms are still to be ended, longest due first. */
export const meetingsDueAtProvider = (db: Database, limit: number) =>
  db
    .select()
    .from(meetings)
    .where(isNotNull(meetings.providerEndDueAt))
    .orderBy(asc(meetings.providerEndDueAt))
    .limit(limit);

/** Its provider failed to end the room: it goes to the back of the line. */
export const postponeProviderEnd = (db: Database, id: string, at: number) =>
  db
    .update(meetings)
    .set({ providerEndDueAt: at })
    .where(and(eq(meetings.id, id), isNotNull(meetings.providerEndDueAt)));

/**
 * Moves an active meeting's end later, never earlier (of two extensions at once the later
 * stands); answers the row as it now is, or undefined when the meeting is no longer active.
 */
export const extendMeetingEnd = async (db: Database, id: string, endDate: string): Promise<Meeting | undefined> =>
  (
    await db
      .update(meetings)
      .set({ endDate: sql`max(${meetings.endDate}, ${endDate})` })
      .where(and(eq(meetings.id, id), eq(meetings.isActive, true)))
      .returning()
  )[0];

/**
 * Active meetings with people counted in them on those platforms whose end comes before
 * `before`, the soonest first: what the partial index meetings_occupied_end holds.
 */
export const occupiedMeetingsEndingBefore = async (
  db: Database,
  platforms: readonly Platform[],
  before: string,
  limit: number,
): Promise<Meeting[]> =>
  platforms.length === 0
    ? []
    : db
        .select()
        .from(meetings)
        .where(
          and(
            eq(meetings.isActive, true),
            gt(meetings.numClients, 0),
            lt(meetings.endDate, before),
            inArray(meetings.platform, [...platforms]),
          ),
        )
        .orderBy(asc(meetings.endDate))
        .limit(limit);

/** A failed creation as the requests that waited on it are told. */
interface ClaimFailure {
  code: ErrorCode;
  detail: string;
}

/**
 * Lost: `holder` is the claim waited on now; `failure` that of the claim waited on before, which
 * failed (the waiter takes it rather than try again).
 */
type Claim = { won: true } | { won: false; holder?: string; failure?: ClaimFailure };

/** Whether the claim of that token failed. */
const failed = (token: SQLWrapper) =>
  sql`EXISTS (SELECT 1 FROM ${meetingClaimFailures} WHERE ${meetingClaimFailures.token} = ${token})`;

/**
 * Takes the right to create the room's next meeting, unless another request holds it: a claim
 * whose lease has not run out and that has not failed. A request that waited on a claim that
 * failed (`waitingOn`) never takes the next one: it takes that failure. Atomic in D1: one
 * transaction decides between simultaneous requests.
 */
export async function claimMeetingCreation(
  db: Database,
  roomId: string,
  token: string,
  waitingOn: string | undefined,
  leaseMs: number,
  now = Date.now(),
): Promise<Claim> {
  // A request that waited on no claim yet stands on its own token, which has not failed.
  const waited = waitingOn ?? token;
  const [taken, [held], [failure]] = await db.batch([
    db
      .insert(meetingClaims)
      .values({ roomId, token, expiresAt: now + leaseMs })
      .onConflictDoUpdate({
        target: meetingClaims.roomId,
        set: { token, expiresAt: now + leaseMs },
        setWhere: and(not(failed(sql`${waited}`)), or(lte(meetingClaims.expiresAt, now), failed(meetingClaims.token))),
      })
      .returning({ token: meetingClaims.token }),
    db.select({ token: meetingClaims.token }).from(meetingClaims).where(eq(meetingClaims.roomId, roomId)).limit(1),
    db
      .select({ code: meetingClaimFailures.errorCode, detail: meetingClaimFailures.errorDetail })
      .from(meetingClaimFailures)
      .where(eq(meetingClaimFailures.token, waited))
      .limit(1),
  ]);
  if (taken[0]?.token === token) return { won: true };
  return { won: false, holder: held?.token, failure };
}

export const releaseClaim = (db: Database, roomId: string, token: string) =>
  db.delete(meetingClaims).where(and(eq(meetingClaims.roomId, roomId), eq(meetingClaims.token, token)));

/**
 * Records the claim's failure for the requests waiting on it; the claim is then free for the
 * next request. Failures older than any wait (`keptMs`) are dropped on the way.
 */
export const failClaim = (
  db: Database,
  roomId: string,
  token: string,
  error: ClaimFailure,
  keptMs: number,
  now = Date.now(),
) =>
  db.batch([
    db
      .insert(meetingClaimFailures)
      .values({ token, roomId, errorCode: error.code, errorDetail: error.detail, failedAt: now }),
    db.delete(meetingClaimFailures).where(lt(meetingClaimFailures.failedAt, now - keptMs)),
  ]);

/** Who answers the consent question: a signed-in person, a browser by its key, or a guest without one. */
export type ConsentAnswerer = { userId: string } | { consentKey: string } | 'keyless guest';

/**
 * Stores an answer as its answerer's one answer to the meeting (SPEC §14), in one statement: a
 * later answer replaces the earlier one (same id, the new answer and its time); the same answer
 * again leaves the row as it was. Keyless guests share one row per answer. Returns the row's id.
 */
export async function recordConsent(
  db: Database,
  meetingId: string,
  answerer: ConsentAnswerer,
  consentGiven: boolean,
  now = new Date(),
): Promise<string> {
  const who =
    answerer === 'keyless guest'
      ? { values: {}, target: meetingConsent.consentGiven, targetWhere: CONSENT_KEYLESS }
      : 'userId' in answerer
        ? { values: { userId: answerer.userId }, target: meetingConsent.userId, targetWhere: CONSENT_BY_USER }
        : {
            values: { consentKey: answerer.consentKey },
            target: meetingConsent.consentKey,
            targetWhere: CONSENT_BY_KEY,
          };
  const [row] = await db
    .insert(meetingConsent)
    .values({ id: crypto.randomUUID(), meetingId, consentGiven, consentTimestamp: now.toISOString(), ...who.values })
    .onConflictDoUpdate({
      target: [meetingConsent.meetingId, who.target],
      targetWhere: who.targetWhere,
      set: {
        consentGiven: sql`excluded.consent_given`,
        // An unchanged answer keeps the time it was first given.
        consentTimestamp: sql`CASE WHEN ${meetingConsent.consentGiven} = excluded.consent_given THEN ${meetingConsent.consentTimestamp} ELSE excluded.consent_timestamp END`,
      },
    })
    .returning({ id: meetingConsent.id });
  if (!row) throw new Error('the consent upsert returned no row');
  return row.id;
}

export const recordSessionStart = (db: Database, meetingId: string, at: number) =>
  db
    .update(meetings)
    .set({ sessionStartedAt: sql`max(coalesce(${meetings.sessionStartedAt}, 0), ${at})` })
    .where(eq(meetings.id, meetingId));

/** Whether a session end at `at` leaves the meeting over: no later session started, nobody counted in it. */
const sessionOver = (at: number) =>
  sql`${at} >= coalesce(${meetings.sessionStartedAt}, 0) AND ${meetings.numClients} = 0`;

/**
 * The provider's session ended: everyone left. The meeting retires (its room then due to be
 * ended, as every retired meeting's) unless a later session has started or people are still
 * counted in it (their leaves may yet arrive; then it stays reusable, the safe side, until the
 * reconciliation ends it).
 */
export const recordSessionEnd = (db: Database, meetingId: string, at: number) =>
  db
    .update(meetings)
    .set({
      sessionEndedAt: sql`max(coalesce(${meetings.sessionEndedAt}, 0), ${at})`,
      isActive: sql`CASE WHEN ${sessionOver(at)} THEN 0 ELSE ${meetings.isActive} END`,
      // The right-hand sides read the row as it was: retired now if it was active and is over.
      retiredAt: sql`CASE WHEN ${meetings.isActive} = 1 AND ${sessionOver(at)} THEN ${at} ELSE ${meetings.retiredAt} END`,
      providerEndDueAt: sql`CASE WHEN ${meetings.isActive} = 1 AND ${sessionOver(at)} THEN ${at} ELSE ${meetings.providerEndDueAt} END`,
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
