import type { Database } from '../db/client';
import { takeLost, takeUnqueued } from '../db/room-webhook-deliveries';
import { log } from '../log';
import { type RoomWebhookMessage, roomWebhookMessage } from './message';

// From the outbox (room_webhook_deliveries, written with each cause) to the ROOM_WEBHOOKS queue.
// A request that may have caused events hands the new rows over after its answer; the Cron hands
// over whatever that missed: rows whose message was never sent or was lost.

/** A due attempt whose message has not been taken this long after it was due was lost. */
const LOST_AFTER_MS = 60_000;

async function hand(queue: Queue<RoomWebhookMessage>, rows: { id: number; attempts: number }[], why: string) {
  if (rows.length === 0) return 0;
  try {
    await queue.sendBatch(rows.map((row) => ({ body: roomWebhookMessage(row) })));
  } catch (error) {
    // Marked as handed already: the Cron's next pass finds them lost and hands them again.
    log('error', 'room webhooks not queued; the Cron will queue them', {
      why,
      count: rows.length,
      error: String(error),
    });
    return 0;
  }
  return rows.length;
}

/** Hands the rows that no one handed to the queue yet; answers how many. */
export async function queueNewDeliveries(db: Database, queue: Queue<RoomWebhookMessage>, now = Date.now()) {
  return hand(queue, await takeUnqueued(db, now), 'new');
}

/** The Cron's pass: rows whose attempt is overdue with no message taken, and rows never handed over. */
export async function queueLostDeliveries(db: Database, queue: Queue<RoomWebhookMessage>, now = Date.now()) {
  const lost = await hand(queue, await takeLost(db, now, LOST_AFTER_MS), 'lost');
  if (lost) log('warn', 'room webhooks queued again after their message was lost', { count: lost });
  return lost + (await queueNewDeliveries(db, queue, now));
}
