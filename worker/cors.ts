import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from './app-env';

// CORS for a separately hosted frontend, such as Reflector's (SPEC §10): an origin listed in
// CORS_ALLOWED_ORIGINS may call the API from the browser with credentials; any other origin gets
// no CORS headers at all, so the browser keeps the answer from it. Hono's own middleware would
// say `Access-Control-Allow-Credentials` to every origin and answer every preflight, so it runs
// only for a listed origin.

const forListedOrigin = cors({
  origin: (origin) => origin,
  credentials: true,
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['authorization', 'content-type'],
  // What a client may read of an answer besides the simple headers: the request id errors name,
  // the wait of a 429, and the read bookmark (SPEC §14).
  exposeHeaders: ['x-request-id', 'retry-after', 'x-d1-bookmark'],
  maxAge: 600,
});

export const corsForListedOrigins: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header('origin');
  // Same-origin requests (this service's own pages send an Origin on their POSTs) need no CORS.
  if (!origin || origin === new URL(c.req.url).origin) return next();
  const listed = c.var.config.corsAllowedOrigins();
  // The answer differs by Origin wherever origins are listed; caches must keep them apart.
  if (listed.size) c.header('vary', 'Origin', { append: true });
  return listed.has(origin) ? forListedOrigin(c, next) : next();
};
