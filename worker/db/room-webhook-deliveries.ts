import { and, count, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { DeliveryStatus } from '../../domain/room-webhooks';
import type { Database } from './client';
import { roomWebhookDeliveries as deliveries, rooms } from './schema';

// The queries of room_webhook_deliveries. Its rows are written by the migration's triggers, in
// the statement of each cause; these hand them to the queue, claim each attempt once, record how
// it went, and list and re-send them.

/** At most this many rows are handed to the queue at once (a queue batch's limit). */
const QUEUE_BATCH = 100;

const queued = { id: deliveries.id, attempts: deliveries.attempts };

/** Rows not yet handed to the queue, now marked as handed: each taker gets its own. */
export const takeUnqueued = (db: Database, now: number) =>
  db
    .update(deliveries)
    .set({ queuedAt: now })
    .where(
      inArray(
        deliveries.id,
        db.select({ id: deliveries.id }).from(deliveries).where(isNull(deliveries.queuedAt)).limit(QUEUE_BATCH),
      ),
    )
    .returning(queued);

/**
 * Pending rows whose attempt was due `graceMs` ago and that were not handed to the queue since:
 * their message was lost (or never sent). Marked as handed again.
 */
export const takeLost = (db: Database, now: number, graceMs: number) =>
  db
    .update(deliveries)
    .set({ queuedAt: now })
    .where(
      inArray(
        deliveries.id,
        db
          .select({ id: deliveries.id })
          .from(deliveries)
          .where(
            and(
              eq(deliveries.status, 'pending'),
              lte(deliveries.nextAttemptAt, now - graceMs),
              or(isNull(deliveries.queuedAt), lte(deliveries.queuedAt, now - graceMs)),
            ),
          )
          .limit(QUEUE_BATCH),
      ),
    )
    .returning(queued);

/** The delivery with its room's current webhook settings (`roomFound` false once the room is deleted). */
export const findDeliveryWithRoom = async (db: Database, id: number) =>
  (
    await db
      .select({
        delivery: deliveries,
        roomFound: sql<number>`${rooms.id} IS NOT NULL`.mapWith(Boolean),
        roomUrl: rooms.webhookUrl,
        roomSecret: rooms.webhookSecret,
      })
      .from(deliveries)
      .leftJoin(rooms, eq(rooms.id, deliveries.roomId))
      .where(eq(deliveries.id, id))
      .limit(1)
  )[0];

/** The room's oldest pending delivery older than this one: this one waits for it (causes in order). */
export const earlierPending = async (db: Database, roomId: string, id: number) =>
  (
    await db
      .select({ id: deliveries.id, nextAttemptAt: deliveries.nextAttemptAt })
      .from(deliveries)
      .where(and(eq(deliveries.roomId, roomId), eq(deliveries.status, 'pending'), lt(deliveries.id, id)))
      .orderBy(deliveries.id)
      .limit(1)
  )[0];

/**
 * Takes attempt number `attempt` of the delivery, once: the message of an attempt already taken
 * (a repeat, the Cron's re-send of one that was only late) finds nothing. The body is kept at the
 * first attempt, and every later one sends it unchanged.
 */
export const claimAttempt = async (db: Database, id: number, attempt: number, body: string, now: number) =>
  (
    await db
      .update(deliveries)
      .set({
        attempts: sql`${deliveries.attempts} + 1`,
        lastAttemptAt: now,
        body: sql`coalesce(${deliveries.body}, ${body})`,
      })
      .where(and(eq(deliveries.id, id), eq(deliveries.attempts, attempt), eq(deliveries.status, 'pending')))
      .returning()
  )[0];

export const recordDelivered = (db: Database, id: number, status: number, now: number) =>
  db
    .update(deliveries)
    .set({ status: 'delivered', deliveredAt: now, lastStatus: status, lastError: null })
    .where(eq(deliveries.id, id));

/** A failed attempt: tried again at `nextAttemptAt` (its message handed to the queue now), or, with null, kept as failed. */
export const recordFailure = (
  db: Database,
  id: number,
  failure: { status: number | null; error: string },
  nextAttemptAt: number | null,
  now: number,
) =>
  db
    .update(deliveries)
    .set({
      lastStatus: failure.status,
      lastError: failure.error,
      ...(nextAttemptAt === null ? { status: 'failed' as const } : { nextAttemptAt, queuedAt: now }),
    })
    .where(eq(deliveries.id, id));

/** Another round of attempts for deliveries that failed (or were delivered): pending now, to be handed to the queue. */
const resend = (db: Database, now: number, which: ReturnType<typeof and>) =>
  db
    .update(deliveries)
    .set({ status: 'pending', roundStart: deliveries.attempts, nextAttemptAt: now, queuedAt: null })
    .where(which)
    .returning();

export const resendDelivery = async (db: Database, roomId: string, id: number, now: number) =>
  (
    await resend(
      db,
      now,
      and(eq(deliveries.id, id), eq(deliveries.roomId, roomId), inArray(deliveries.status, ['failed', 'delivered'])),
    )
  )[0];

export const resendFailed = async (db: Database, roomId: string, now: number) =>
  (await resend(db, now, and(eq(deliveries.roomId, roomId), eq(deliveries.status, 'failed')))).length;

export const findRoomDelivery = async (db: Database, roomId: string, id: number) =>
  (
    await db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.id, id), eq(deliveries.roomId, roomId)))
      .limit(1)
  )[0];

/** A page of deliveries, newest first, of one room or of all, of one status or any. */
export async function listDeliveries(
  db: Database,
  filter: { roomId?: string; status?: DeliveryStatus },
  page: number,
  size: number,
) {
  const where = and(
    filter.roomId === undefined ? undefined : eq(deliveries.roomId, filter.roomId),
    filter.status === undefined ? undefined : eq(deliveries.status, filter.status),
  );
  const [items, [total]] = await db.batch([
    db
      .select()
      .from(deliveries)
      .where(where)
      .orderBy(desc(deliveries.id))
      .limit(size)
      .offset((page - 1) * size),
    db.select({ total: count() }).from(deliveries).where(where),
  ]);
  return { items, total: total?.total ?? 0 };
}

export interface FailureSummary {
  count: number;
  lastError: string | null;
  lastFailedAt: number | null;
}

/** Of each of these rooms that has failed deliveries: how many, and the newest one's error and time. */
export async function failureSummaries(db: Database, roomIds: string[]): Promise<Map<string, FailureSummary>> {
  if (roomIds.length === 0) return new Map();
  const rows = await db
    .select({
      roomId: deliveries.roomId,
      count: count(),
      newest: sql<number>`max(${deliveries.id})`,
    })
    .from(deliveries)
    .where(and(inArray(deliveries.roomId, roomIds), eq(deliveries.status, 'failed')))
    .groupBy(deliveries.roomId);
  if (rows.length === 0) return new Map();
  const newest = await db
    .select({ id: deliveries.id, lastError: deliveries.lastError, lastAttemptAt: deliveries.lastAttemptAt })
    .from(deliveries)
    .where(
      inArray(
        deliveries.id,
        rows.map((row) => row.newest),
      ),
    );
  const byId = new Map(newest.map((row) => [row.id, row]));
  return new Map(
    rows.map((row) => [
      row.roomId,
      {
        count: row.count,
        lastError: byId.get(row.newest)?.lastError ?? null,
        lastFailedAt: byId.get(row.newest)?.lastAttemptAt ?? null,
      },
    ]),
  );
}
