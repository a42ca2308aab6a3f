import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { findRoomDelivery, listDeliveries, resendDelivery, resendFailed } from '../db/room-webhook-deliveries';
import type { RoomWebhookDelivery } from '../db/schema';
import { conflict, notFound } from '../errors';
import { keyPart, rateLimit } from '../rate-limits';
import { testBody } from '../room-webhooks/payloads';
import { type SendOutcome, sendWebhook } from '../room-webhooks/send';
import { errorResponses, json, SECURITY } from './docs';
import { DeliveryList, DeliveryQuery, DeliverySchema, WebhookTestResult } from './room-webhook-shapes';
import { ownedRoom } from './rooms';

// A room's webhook as its owner and the admins see it (SPEC §10-11): "Send test", the deliveries
// with their failures, and re-sending them.

export const roomWebhookRoutes = new OpenAPIHono<AppEnv>();

const RoomId = z.object({ room_id: z.string() });

type TestResult = z.infer<typeof WebhookTestResult>;

const result = (fields: Partial<TestResult> & Pick<TestResult, 'success'>): TestResult => ({
  message: '',
  error: '',
  status_code: null,
  response_preview: null,
  ...fields,
});

/** What Reflector's test_webhook answers for each outcome, word for word where it has one. */
function testResult(outcome: SendOutcome): TestResult {
  switch (outcome.kind) {
    case 'answered':
      return result({
        success: outcome.ok,
        status_code: outcome.status,
        message: `Webhook test ${outcome.ok ? 'successful' : 'failed'}`,
        response_preview: outcome.text || null,
      });
    case 'timed-out':
      return result({ success: false, error: 'Webhook request timed out (10 seconds)' });
    case 'unreachable':
      return result({ success: false, error: `Could not connect to webhook URL: ${outcome.reason}` });
    case 'refused':
      return result({ success: false, error: outcome.problem });
  }
}

roomWebhookRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rooms/{room_id}/webhook/test',
    summary: "Sends a signed `test` event to the room's webhook_url now and says how the receiver answered",
    security: SECURITY.signedIn,
    request: { params: RoomId },
    responses: {
      200: {
        description: "the receiver's answer (success false when it failed or there is no URL)",
        ...json(WebhookTestResult),
      },
      ...errorResponses(401, 403, 404, 429),
    },
  }),
  async (c) => {
    const user = await c.var.auth.requireUser();
    const room = await ownedRoom(c.var.db, c.req.valid('param').room_id, user);
    if (!room.webhookUrl) return c.json(result({ success: false, error: 'No webhook URL configured' }), 200);
    // Each test makes the service call out: a few a minute per room and client are plenty.
    await rateLimit(
      c,
      'RATE_LIMIT_WEBHOOK_TESTS',
      `webhook-test:${keyPart(room.id)}`,
      "Too many tests of this room's webhook from your address; wait a minute, then try again.",
    );
    const outcome = await sendWebhook(
      { url: room.webhookUrl, event: 'test', body: testBody(room), secret: room.webhookSecret, retry: 0 },
      c.var.config.environment(),
    );
    return c.json(testResult(outcome), 200);
  },
);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const toDelivery = (row: RoomWebhookDelivery): z.infer<typeof DeliverySchema> => ({
  id: row.id,
  event: row.event,
  event_id: row.eventId,
  room_id: row.roomId,
  room_name: row.roomName,
  meeting_id: row.meetingId,
  recording_id: row.recordingId,
  status: row.status,
  attempts: row.attempts,
  occurred_at: new Date(row.occurredAt).toISOString(),
  last_attempt_at: iso(row.lastAttemptAt),
  next_attempt_at: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
  delivered_at: iso(row.deliveredAt),
  last_status: row.lastStatus,
  last_error: row.lastError,
});

roomWebhookRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/rooms/{room_id}/webhook/deliveries',
    summary: "The room's webhook deliveries, newest first, of one status or all",
    security: SECURITY.signedIn,
    request: { params: RoomId, query: DeliveryQuery },
    responses: {
      200: { description: 'a page of deliveries', ...json(DeliveryList) },
      ...errorResponses(401, 403, 404, 422),
    },
  }),
  async (c) => {
    const user = await c.var.auth.requireUser();
    const room = await ownedRoom(c.var.db, c.req.valid('param').room_id, user);
    const { page, size, status } = c.req.valid('query');
    const { items, total } = await listDeliveries(c.var.db, { roomId: room.id, status }, page, size);
    return c.json({ items: items.map(toDelivery), total, page, size }, 200);
  },
);

const DeliveryParams = RoomId.extend({
  delivery_id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { in: 'path' }, type: 'integer' }),
});

roomWebhookRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rooms/{room_id}/webhook/deliveries/{delivery_id}/resend',
    summary: 'Sends a failed (or delivered) delivery again: a new round of retries, the same event_id and body',
    security: SECURITY.signedIn,
    request: { params: DeliveryParams },
    responses: {
      202: { description: 'pending again, handed to the queue', ...json(DeliverySchema) },
      ...errorResponses(401, 403, 404, 409, 422),
    },
  }),
  async (c) => {
    const user = await c.var.auth.requireUser();
    const { room_id, delivery_id } = c.req.valid('param');
    const room = await ownedRoom(c.var.db, room_id, user);
    const resent = await resendDelivery(c.var.db, room.id, delivery_id, Date.now());
    if (resent) return c.json(toDelivery(resent), 202);
    if (!(await findRoomDelivery(c.var.db, room.id, delivery_id))) throw notFound('The delivery');
    throw conflict('The delivery is still pending: it is being delivered, or waits for its next retry.');
  },
);

roomWebhookRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rooms/{room_id}/webhook/deliveries/resend',
    summary: 'Sends every failed delivery of the room again',
    security: SECURITY.signedIn,
    request: { params: RoomId },
    responses: {
      202: { description: 'how many are pending again', ...json(z.object({ resent: z.number().int() })) },
      ...errorResponses(401, 403, 404),
    },
  }),
  async (c) => {
    const user = await c.var.auth.requireUser();
    const room = await ownedRoom(c.var.db, c.req.valid('param').room_id, user);
    return c.json({ resent: await resendFailed(c.var.db, room.id, Date.now()) }, 202);
  },
);

roomWebhookRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/webhook-deliveries',
    summary: "Every room's webhook deliveries, newest first, of one status or all (admins)",
    security: SECURITY.signedIn,
    request: { query: DeliveryQuery },
    responses: {
      200: { description: 'a page of deliveries', ...json(DeliveryList) },
      ...errorResponses(401, 403, 422),
    },
  }),
  async (c) => {
    await c.var.auth.requireAdmin();
    const { page, size, status } = c.req.valid('query');
    const { items, total } = await listDeliveries(c.var.db, { status }, page, size);
    return c.json({ items: items.map(toDelivery), total, page, size }, 200);
  },
);
