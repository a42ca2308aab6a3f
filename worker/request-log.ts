import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env';
import { type LogFields, log } from './log';

/**
 * One log line per request, written when it is answered: its id (Hono's requestId middleware
 * sets it and the X-Request-Id header first), method, path, status and duration, with what the
 * route noted on the way.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  log(c.res.status >= 500 ? 'error' : 'info', 'request', {
    request_id: c.var.requestId,
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    duration_ms: Date.now() - started,
    ...c.var.logFields,
  });
});

/** Adds to the request's log line: the platform, room, meeting or outcome it concerned. */
export function noteOnRequestLog(c: Context<AppEnv>, fields: LogFields) {
  c.set('logFields', { ...c.var.logFields, ...fields });
}
