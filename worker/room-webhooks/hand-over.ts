import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { log } from '../log';
import { queueNewDeliveries } from './outbox';

// A request that wrote to D1 may have caused room webhook events: D1's triggers recorded them
// with their causes (a meeting started or ended, a recording stored or deleted), whichever route
// or shared function wrote the cause. After the answer they are handed to the queue, so they are
// delivered within seconds; what this misses, the Cron hands over. A request that only read (a
// join of a meeting in progress) costs nothing more.

export const handOverRoomWebhooks = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (!c.var.wroteToDb()) return;
  c.executionCtx.waitUntil(
    queueNewDeliveries(c.var.db, c.env.ROOM_WEBHOOKS).catch((error: unknown) =>
      log('error', 'room webhooks not handed to the queue; the Cron will', {
        request_id: c.var.requestId,
        error: String(error),
      }),
    ),
  );
});
