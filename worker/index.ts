import { app } from './app';
import type { RecordingCopyMessage } from './recordings/copy-message';
import { consumeRecordingCopies } from './recordings/consumer';
import { sweepDeclinedAudio } from './scheduled/consent-sweep';
import { reconcile } from './scheduled/reconcile';

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeRecordingCopies(batch, env),
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(Promise.all([reconcile(env), sweepDeclinedAudio(env)]));
  },
} satisfies ExportedHandler<Env, RecordingCopyMessage>;
