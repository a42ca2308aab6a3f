import { app } from './app';
import { config } from './config';
import { database } from './db/client';
import { counting, dropOldCounts } from './metrics/counters';
import { breakers } from './platforms/breaker-object';
import { platforms } from './platforms/registry';
import { consumeRecordingCopies } from './recordings/consumer';
import type { RecordingCopyMessage } from './recordings/copy-message';
import { recordDashboardEdits } from './rollout/kv-dashboard';
import { consumeRoomWebhooks } from './room-webhooks/consumer';
import type { RoomWebhookMessage } from './room-webhooks/message';
import { queueLostDeliveries, queueNewDeliveries } from './room-webhooks/outbox';
import { sweepDeclinedAudio } from './scheduled/consent-sweep';
import { extendLeases } from './scheduled/lease-extensions';
import { deleteLeftProviderCopies } from './scheduled/provider-copies';
import { reconcile } from './scheduled/reconcile';
import { endRetiredMeetings } from './scheduled/retired-meetings';
import { judgeRamp } from './scheduled/rollout-ramp';

// The Durable Object class of the providers' circuit breakers (wrangler.toml's BREAKERS).
export { ProviderBreaker } from './platforms/breaker-object';

/** The room-webhooks queue (a deployment may suffix its name); every other batch is recording copies. */
const isRoomWebhooks = (batch: MessageBatch<unknown>): batch is MessageBatch<RoomWebhookMessage> =>
  batch.queue.startsWith('room-webhooks');

export default {
  fetch: app.fetch,
  async queue(batch, env, ctx) {
    if (isRoomWebhooks(batch)) return consumeRoomWebhooks(batch, env);
    await consumeRecordingCopies(batch as MessageBatch<RecordingCopyMessage>, env, ctx);
    // A recording stored or deleted is an event of its room's webhook.
    await queueNewDeliveries(database(env), env.ROOM_WEBHOOKS);
  },
  scheduled(_controller, env, ctx) {
    const providers = platforms(config(env), counting(env, ctx), breakers(env.BREAKERS));
    const passes = Promise.all([
      reconcile(env, providers),
      extendLeases(env, providers),
      endRetiredMeetings(env, providers),
      sweepDeclinedAudio(env, providers),
      deleteLeftProviderCopies(env, providers),
      dropOldCounts(env),
      // The dashboard's edits first, so the ramp's own writes are never taken for one; the ramp
      // runs even if that pass fails: a rollback must not wait on the history.
      recordDashboardEdits(database(env), env.FLAGS).then(
        () => judgeRamp(env),
        async (error: unknown) => {
          await judgeRamp(env);
          throw error;
        },
      ),
    ]);
    // After the passes that end meetings and delete audio: their events go out with the lost ones.
    ctx.waitUntil(passes);
    ctx.waitUntil(passes.catch(() => undefined).then(() => queueLostDeliveries(database(env), env.ROOM_WEBHOOKS)));
  },
} satisfies ExportedHandler<Env, RecordingCopyMessage | RoomWebhookMessage>;
