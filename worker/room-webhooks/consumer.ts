import { config } from '../config';
import { database } from '../db/client';
import {
  claimAttempt,
  earlierPending,
  findDeliveryWithRoom,
  recordDelivered,
  recordFailure,
} from '../db/room-webhook-deliveries';
import { log } from '../log';
import type { RoomWebhookMessage } from './message';
import { eventBody } from './payloads';
import { retryDelaySeconds } from './schedule';
import { type SendOutcome, sendWebhook } from './send';

// The ROOM_WEBHOOKS consumer: each message is one attempt of one delivery. The attempt is taken
// in D1 first (a repeated message finds it taken), then sent; a failure schedules the next
// attempt as a new message with its own delay and records when it is due, so that the Cron can
// send it again should that message be lost. A room's deliveries go out in the order of their
// causes: one waits while an older one of its room is pending.

/** How long a delivery held back behind an older one of its room waits before it looks again, at most. */
const HOLD_MAX_SECONDS = 15 * 60;

const AS_FAILURE_TEXT = 500;

/** What a failed send says, for the owner's list; null status when there was no answer. */
function failureOf(outcome: Exclude<SendOutcome, { kind: 'answered'; ok: true }>): {
  status: number | null;
  error: string;
} {
  switch (outcome.kind) {
    case 'answered':
      return {
        status: outcome.status,
        error: `the receiver answered ${outcome.status}${outcome.text ? `: ${outcome.text.slice(0, AS_FAILURE_TEXT)}` : ''}`,
      };
    case 'timed-out':
      return { status: null, error: 'the receiver did not answer within 10 s' };
    case 'unreachable':
      return { status: null, error: `the receiver could not be reached: ${outcome.reason}` };
    case 'refused':
      return { status: null, error: outcome.problem };
  }
}

const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));

async function attempt(message: Message<RoomWebhookMessage>, env: Env) {
  const db = database(env);
  const settings = config(env);
  const queue: Queue<RoomWebhookMessage> = env.ROOM_WEBHOOKS;
  const now = Date.now();
  const found = await findDeliveryWithRoom(db, message.body.deliveryId);
  const delivery = found?.delivery;
  // Delivered, failed, or this attempt made already: a stale message.
  if (!found || !delivery || delivery.status !== 'pending' || delivery.attempts !== message.body.attempt) return;

  const earlier = await earlierPending(db, delivery.roomId, delivery.id);
  const heldUntil = earlier ? Math.max(earlier.nextAttemptAt, now) : delivery.nextAttemptAt;
  if (earlier || heldUntil > now + 1000) {
    // Not an attempt: the same message comes again once the older one may have gone (or when due).
    await queue.send(message.body, { delaySeconds: Math.min(secondsUntil(heldUntil, now), HOLD_MAX_SECONDS) });
    return;
  }

  const body = delivery.body ?? (await eventBody(db, settings, delivery));
  const about = {
    delivery_id: delivery.id,
    event: delivery.event,
    room_id: delivery.roomId,
    attempt: delivery.attempts,
  };
  if (body === null) {
    const taken = await claimAttempt(db, delivery.id, delivery.attempts, '', now);
    if (taken)
      await recordFailure(
        db,
        delivery.id,
        { status: null, error: 'what the event is about no longer exists' },
        null,
        now,
      );
    log('warn', 'room webhook not sent: its meeting or recording is gone', about);
    return;
  }
  const taken = await claimAttempt(db, delivery.id, delivery.attempts, body, now);
  if (!taken) return;

  // The room's settings as they are now; a deleted room's as they were at the cause.
  const url = found.roomFound ? found.roomUrl : delivery.url;
  const secret = found.roomFound ? found.roomSecret : delivery.secret;
  const outcome: SendOutcome = url
    ? await sendWebhook(
        { url, event: delivery.event, body: taken.body ?? body, secret, retry: delivery.attempts },
        settings.environment(),
      )
    : { kind: 'refused', problem: 'the room has no webhook_url any more' };
  const done = Date.now();
  if (outcome.kind === 'answered' && outcome.ok) {
    await recordDelivered(db, delivery.id, outcome.status, done);
    log('info', 'room webhook delivered', { ...about, status: outcome.status, duration_ms: done - now });
    return;
  }
  const failure = failureOf(outcome);
  // A URL the policy refuses stays refused: retrying would only repeat it.
  const delay = outcome.kind === 'refused' ? null : retryDelaySeconds(taken.attempts - taken.roundStart);
  await recordFailure(db, delivery.id, failure, delay === null ? null : done + delay * 1000, done);
  log(
    delay === null ? 'error' : 'warn',
    delay === null ? 'room webhook failed; kept as failed' : 'room webhook will be retried',
    {
      ...about,
      status: failure.status,
      error: failure.error,
      retry_in_s: delay,
    },
  );
  if (delay !== null)
    await queue
      .send({ ...message.body, attempt: taken.attempts }, { delaySeconds: delay })
      .catch((error: unknown) =>
        log('error', 'room webhook retry not queued; the Cron will queue it', { ...about, error: String(error) }),
      );
}

/** The `room-webhooks` consumer: the attempts run side by side, each cut at 10 s. */
export async function consumeRoomWebhooks(batch: MessageBatch<RoomWebhookMessage>, env: Env): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await attempt(message, env);
        message.ack();
      } catch (error) {
        // D1 or the queue failed us: the queue gives the message again; a taken attempt is the Cron's.
        log('error', 'room webhook attempt failed on our side', {
          delivery_id: message.body.deliveryId,
          error: String(error),
        });
        message.retry({ delaySeconds: 10 });
      }
    }),
  );
}
