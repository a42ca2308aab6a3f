import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Platform } from '../../domain/rooms';
import type { AppEnv } from '../app-env';
import { ConfigError, malformed, unauthenticated } from '../errors';
import { log } from '../log';
import { rateLimit } from '../rate-limits';
import { startRecordingOnTrigger } from '../recordings/start-on-trigger';
import { noteOnRequestLog } from '../request-log';
import { applyWebhookEvent } from '../webhooks/apply';
import type { WebhookReceiver } from '../webhooks/receiver';
import { WEBHOOK_RECEIVERS } from '../webhooks/registry';
import { bodyOfAtMost } from './body-limit';
import { errorResponses, SECURITY } from './docs';

// The providers' webhook receivers (SPEC §5), one route per receiver of webhooks/registry.ts:
// raw body read once, signature verified, event parsed, then recorded and applied in one
// transaction before the 200.

export const webhookRoutes = new OpenAPIHono<AppEnv>();

const limitBody = bodyOfAtMost(1024 * 1024, 'The webhook body is over 1 MB.');
/** Deliveries refused (any answer but 2xx) are counted: they leave no row of their own. */
const countRefusals = (platform: Platform) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (c.res.status >= 300) c.var.count(platform, 'webhooks_rejected');
  });

const Received = z
  .object({ status: z.enum(['applied', 'duplicate', 'unknown-type', 'unknown-meeting', 'ok']) })
  .openapi('WebhookReceived');

const receiverRoute = (path: string, summary: string, security: (typeof SECURITY)[keyof typeof SECURITY]) =>
  createRoute({
    method: 'post',
    path,
    summary,
    security,
    responses: {
      200: {
        description: 'recorded (or a repeat, or an event the service ignores)',
        content: { 'application/json': { schema: Received } },
      },
      ...errorResponses(400, 401, 413, 429, 503),
    },
  });

/**
 * A refusal (401 not authentic, 400 malformed) counts against the client's IP at this receiver
 * (SPEC §14); past the limit it is answered 429 instead. Only refusals count, and only a refusal
 * is ever turned into a 429: a delivery that verifies and parses is applied whatever the count, so
 * a provider's real deliveries are never held back, even from an address that also sent forgeries.
 */
const countRefusal = (c: Context<AppEnv>, receiver: WebhookReceiver) =>
  rateLimit(
    c,
    'RATE_LIMIT_WEBHOOKS',
    `receiver:${receiver.platform}`,
    `Too many refused ${receiver.provider} webhooks from your address; wait a minute, then try again.`,
  );

async function receive(c: Context<AppEnv>, raw: string, receiver: WebhookReceiver) {
  let secret: string;
  try {
    secret = receiver.secret(c.var.config);
  } catch (error) {
    // Fail closed: without its secret nothing from this provider is accepted.
    if (error instanceof ConfigError)
      log('error', `${receiver.provider} webhook refused: ${error.detail}`, { request_id: c.var.requestId });
    throw error;
  }

  const verdict = await receiver.verify(secret, c.req.raw.headers, raw);
  if (!verdict.ok) {
    log('warn', 'webhook rejected', {
      provider: receiver.provider,
      reason: verdict.reason,
      request_id: c.var.requestId,
    });
    await countRefusal(c, receiver);
    throw unauthenticated(`The ${receiver.provider} webhook is not authentic: ${verdict.reason}.`);
  }

  const parsed = receiver.parse(raw);
  if (!parsed.ok) {
    log('warn', 'webhook malformed', {
      provider: receiver.provider,
      reason: parsed.reason,
      request_id: c.var.requestId,
    });
    await countRefusal(c, receiver);
    throw malformed(`The ${receiver.provider} webhook is malformed: ${parsed.reason}.`);
  }

  const { event } = parsed;
  const applied = await applyWebhookEvent(c.var.db, c.env.RECORDING_COPIES, event);
  if (applied.outcome === 'duplicate') c.var.count(event.platform, 'webhooks_duplicate');
  // The provider gets its 200 at once; a recording the join triggers is started after it.
  if (
    applied.outcome === 'applied' &&
    applied.meeting &&
    applied.numClients !== null &&
    event.effect?.kind === 'participant-joined'
  ) {
    c.executionCtx.waitUntil(startRecordingOnTrigger(c.var.platforms, applied.meeting, applied.numClients));
  }
  // One line per delivery: the request's, with the event on it.
  noteOnRequestLog(c, {
    platform: event.platform,
    event_id: event.eventId,
    type: event.type,
    meeting_id: applied.meeting?.id ?? null,
    outcome: applied.outcome,
  });
  return c.json({ status: applied.outcome }, 200);
}

for (const receiver of WEBHOOK_RECEIVERS) {
  webhookRoutes.on('POST', receiver.path, countRefusals(receiver.platform), limitBody);
  webhookRoutes.openapi(
    receiverRoute(receiver.path, `${receiver.provider}'s webhook events`, SECURITY[receiver.platform]),
    async (c) => {
      const raw = await c.req.text();
      // A provider's check of the URL (Daily's unsigned {"test":"test"}) comes before any secret.
      if (receiver.isPing(raw)) return c.json({ status: 'ok' as const }, 200);
      return receive(c, raw, receiver);
    },
  );
}
