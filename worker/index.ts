import { app } from './app';
import { reconcile } from './scheduled/reconcile';

export default {
  fetch: app.fetch,
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(reconcile(env));
  },
} satisfies ExportedHandler<Env>;
