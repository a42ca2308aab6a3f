import { app } from './app';
import { config } from './config';
import { counting, dropOldCounts } from './metrics/counters';
import { breakers } from './platforms/breaker-object';
import { platforms } from './platforms/registry';
import { consumeRecordingCopies } from './recordings/consumer';
import type { RecordingCopyMessage } from './recordings/copy-message';
import { sweepDeclinedAudio } from './scheduled/consent-sweep';
import { extendLeases } from './scheduled/lease-extensions';
import { deleteLeftProviderCopies } from './scheduled/provider-copies';
import { reconcile } from './scheduled/reconcile';
import { endRetiredMeetings } from './scheduled/retired-meetings';

// The Durable Object class of the providers' circuit breakers (wrangler.toml's BREAKERS).
export { ProviderBreaker } from './platforms/breaker-object';

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => consumeRecordingCopies(batch, env, ctx),
  scheduled(_controller, env, ctx) {
    const providers = platforms(config(env), counting(env, ctx), breakers(env.BREAKERS));
    ctx.waitUntil(
      Promise.all([
        reconcile(env, providers),
        extendLeases(env, providers),
        endRetiredMeetings(env, providers),
        sweepDeclinedAudio(env, providers),
        deleteLeftProviderCopies(env, providers),
        dropOldCounts(env),
      ]),
    );
  },
} satisfies ExportedHandler<Env, RecordingCopyMessage>;
