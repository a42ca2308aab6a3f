import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env';
import { config } from './config';
import { ApiError } from './errors';
import { log } from './log';
import { counting } from './metrics/counters';
import { platforms } from './platforms/registry';
import { noteOnRequestLog, requestLog } from './request-log';
import { flagRoutes } from './routes/flags';
import { healthRoutes } from './routes/health';
import { meetingRoutes } from './routes/meetings';
import { metricRoutes } from './routes/metrics';
import { recordingRoutes } from './routes/recordings';
import { roomRoutes } from './routes/rooms';
import { webhookRoutes } from './routes/webhooks';

/** Invalid input answers 422 with the first problem in words, naming the field. */
const defaultHook = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => {
  if (result.success) return;
  const issue = result.error?.issues[0];
  const field = issue?.path.map(String).join('.');
  throw new ApiError(422, issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'The request is not valid.');
};

export const app = new OpenAPIHono<AppEnv>({ defaultHook });

// Each request's providers, whose calls are counted for the rollout's figures after the answer.
app.use(requestLog, async (c, next) => {
  const count = counting(c.env, c.executionCtx);
  c.set('count', count);
  c.set('platforms', platforms(config(c.env), count));
  await next();
});

app.onError((error, c) => {
  if (error instanceof ApiError) {
    noteOnRequestLog(c, { detail: error.detail });
    return c.json({ detail: error.detail }, error.status);
  }
  if (error instanceof HTTPException)
    return c.json({ detail: error.message || 'The request could not be handled.' }, error.status);
  log('error', 'unhandled error', {
    request_id: c.var.requestId,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return c.json({ detail: 'Something went wrong on our side; it has been logged.' }, 500);
});

app.notFound((c) => c.json({ detail: `There is no ${c.req.method} ${c.req.path}.` }, 404));

const v1 = new OpenAPIHono<AppEnv>({ defaultHook })
  .route('/', healthRoutes)
  .route('/', roomRoutes)
  .route('/', meetingRoutes)
  .route('/', flagRoutes)
  .route('/', metricRoutes)
  .route('/', recordingRoutes)
  .route('/', webhookRoutes);

app.route('/v1', v1);

app.doc31('/v1/openapi.json', {
  openapi: '3.1.0',
  info: { title: 'Meeting rooms on Whereby and Daily', version: '1.0.0' },
});
