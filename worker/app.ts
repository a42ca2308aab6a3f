import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './app-env';
import { authOf, presentedToken } from './auth';
import { type Config, config } from './config';
import { corsForListedOrigins } from './cors';
import { requestDatabase, withoutSessions } from './db/sessions';
import { ApiError, invalid, RateLimitedError, toApiError } from './errors';
import { log } from './log';
import { counting } from './metrics/counters';
import { servePage } from './pages';
import { breakers } from './platforms/breaker-object';
import { platforms } from './platforms/registry';
import { noteOnRequestLog, requestLog } from './request-log';
import { handOverRoomWebhooks } from './room-webhooks/hand-over';
import { calendarRoutes } from './routes/calendar';
import { callReportRoutes } from './routes/call-reports';
import { SECURITY_SCHEMES } from './routes/docs';
import { flagHistoryRoutes } from './routes/flag-history';
import { flagRoutes } from './routes/flags';
import { healthRoutes } from './routes/health';
import { joinRoutes } from './routes/join';
import { meRoutes } from './routes/me';
import { meetingRoutes } from './routes/meetings';
import { metricRoutes } from './routes/metrics';
import { metricSeriesRoutes } from './routes/metrics-series';
import { recordingStartRoutes } from './routes/recording-start';
import { recordingRoutes } from './routes/recordings';
import { rolloutPlanRoutes } from './routes/rollout-plan';
import { roomMeetingRoutes } from './routes/room-meetings';
import { roomWebhookRoutes } from './routes/room-webhooks';
import { roomRoutes } from './routes/rooms';
import { webhookRoutes } from './routes/webhooks';
import { API_CACHE_CONTROL, API_HEADERS } from './security-headers';

interface ValidationIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

/**
 * Invalid input answers 422 with the first problem in words and the input at fault in `field`:
 * the issue's path, or for an unknown key that key.
 */
const defaultHook = (result: { success: boolean; error?: { issues: ValidationIssue[] } }) => {
  if (result.success) return;
  const issue = result.error?.issues[0];
  if (!issue) throw invalid(undefined, 'The request is not valid.');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys?.[0]) path.push(issue.keys[0]);
  const field = path.length ? path.join('.') : undefined;
  throw invalid(field, `${issue.path.length ? `${issue.path.map(String).join('.')}: ` : ''}${issue.message}`);
};

const isApiPath = (path: string) => path === '/v1' || path.startsWith('/v1/');

/** Every error answer, in one shape: `{detail, code, field?, request_id}`. */
function errorAnswer(c: Context<AppEnv>, error: ApiError) {
  noteOnRequestLog(c, { code: error.code, detail: error.detail });
  if (error instanceof RateLimitedError) c.header('Retry-After', String(error.retryAfterSeconds));
  const body = { detail: error.detail, code: error.code, ...(error.field ? { field: error.field } : {}) };
  return c.json({ ...body, request_id: c.var.requestId }, error.status);
}

export const app = new OpenAPIHono<AppEnv>({ defaultHook });

const BOOKMARK_HEADER = 'x-d1-bookmark';

/**
 * `D1_SESSIONS=off`: no sessions, every query through the plain binding, no bookmarks. A switch
 * for the benchmark that measures what the sessions cost; not a production setting (to keep
 * every read at the primary there, turn the database's read replication off).
 */
const sessionsOff = (env: Env) => (env as unknown as Record<string, unknown>).D1_SESSIONS === 'off';

/**
 * The settings' readers, once per bindings object: the runtime hands every request of an
 * isolate the same env, and building the readers each time cost a dozen closures a request.
 * They read the bindings when asked, so a kept one answers as a new one would.
 */
const configs = new WeakMap<Env, Config>();
const configOf = (env: Env) => {
  const kept = configs.get(env);
  if (kept) return kept;
  const settings = config(env);
  configs.set(env, settings);
  return settings;
};

// What every handler needs, on the context; the providers' calls are counted for the rollout's figures.
app.use(requestId(), requestLog, async (c, next) => {
  const settings = configOf(c.env);
  const d1 = sessionsOff(c.env) ? withoutSessions(c.env) : requestDatabase(c.env.DB, c.req.header(BOOKMARK_HEADER));
  const count = counting(c.env, c.executionCtx, d1.primary);
  c.set('config', settings);
  c.set('db', d1.primary);
  c.set('nearestDb', d1.nearest);
  c.set('wroteToDb', d1.wrote);
  c.set('auth', authOf(presentedToken(c), settings));
  c.set('count', count);
  c.set('platforms', platforms(settings, count, breakers(c.env.BREAKERS)));
  await next();
  // Every answer, errors too, says how fresh a read it saw; sent back, the next reads are at least as fresh.
  const bookmark = d1.bookmark();
  if (bookmark) c.header(BOOKMARK_HEADER, bookmark);
});

app.onError((error, c) => {
  const known = toApiError(error);
  if (known) return errorAnswer(c, known);
  // The error's kind, message and frames; of a failed statement its SQL, never its parameters (log.ts).
  log('error', 'unhandled error', { request_id: c.var.requestId, error });
  return errorAnswer(c, new ApiError('internal', 'Something went wrong on our side; it has been logged.'));
});

app.notFound((c) => errorAnswer(c, new ApiError('not-found', `There is no ${c.req.method} ${c.req.path}.`)));

// Before the routes, so that a listed origin's preflight is answered here and its errors carry CORS too.
app.use('/v1/*', corsForListedOrigins);

// Every API answer, errors included (onError's answer passes back through here).
app.use('/v1/*', async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(API_HEADERS)) c.res.headers.set(name, value);
  if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', API_CACHE_CONTROL);
});

app.use('/v1/*', handOverRoomWebhooks);

// The pages: any path outside /v1 (and /assets/, which never reaches the Worker) is a page of the
// client, served from the static assets with the pages' headers (pages.ts).
app.on(['GET', 'HEAD'], '*', async (c, next) => (isApiPath(c.req.path) ? next() : servePage(c)));

const v1 = new OpenAPIHono<AppEnv>({ defaultHook })
  .route('/', healthRoutes)
  .route('/', meRoutes)
  .route('/', roomRoutes)
  // Before the meetings: `/rooms/{name}/meetings/upcoming` is not a meeting's id.
  .route('/', calendarRoutes)
  .route('/', meetingRoutes)
  .route('/', callReportRoutes)
  .route('/', roomMeetingRoutes)
  .route('/', joinRoutes)
  .route('/', recordingStartRoutes)
  .route('/', flagRoutes)
  .route('/', rolloutPlanRoutes)
  .route('/', flagHistoryRoutes)
  .route('/', metricRoutes)
  .route('/', metricSeriesRoutes)
  .route('/', recordingRoutes)
  .route('/', roomWebhookRoutes)
  .route('/', webhookRoutes);

app.route('/v1', v1);

for (const [name, scheme] of Object.entries(SECURITY_SCHEMES))
  app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);

app.doc31('/v1/openapi.json', {
  openapi: '3.1.0',
  info: { title: 'Meeting rooms on Whereby and Daily', version: '1.0.0' },
});
