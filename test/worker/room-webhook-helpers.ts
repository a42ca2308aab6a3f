import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Behaviour, ReceivedWebhook } from '../../dev/stand-ins/room-webhook-receiver';
import worker from '../../worker/index';
import type { RoomWebhookMessage } from '../../worker/room-webhooks/message';
import { servers } from './helpers';

// The room-webhook receiver of the tests (dev/stand-ins/room-webhook-receiver.ts), the room
// webhook queue's messages handed to the Worker's consumer by hand, and the signature checked
// the way a receiver would, with node:crypto.

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${servers.receiver.origin}/__control${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`receiver control ${method} ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

export const receiver = {
  reset: () => control('POST', '/reset'),
  behave: (behaviour: Behaviour) => control('PUT', '/behaviours', behaviour),
  received: (path: string) =>
    control('GET', `/received?path=${encodeURIComponent(path)}`) as Promise<ReceivedWebhook[]>,
};

/** A receiver URL of a path of its own, on a public https name the tests' network sends to the receiver. */
export const hookUrl = (path: string) => `${servers.receiver.publicOrigin}${path}`;

/** Whether the X-Webhook-Signature is Reflector's over that body with that secret, computed here with node:crypto. */
export function signatureHolds(headers: Record<string, string>, body: string, secret: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers['x-webhook-signature'] ?? '');
  if (!match) return false;
  const [, t, v1] = match as unknown as [string, string, string];
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${t}.${body}`, 'utf8').digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

export interface DeliveryRow {
  id: number;
  event_id: string;
  event: string;
  room_id: string;
  meeting_id: string | null;
  recording_id: string | null;
  status: string;
  attempts: number;
  next_attempt_at: number;
  queued_at: number | null;
  last_status: number | null;
  last_error: string | null;
  body: string | null;
}

export const deliveryRows = async (roomId?: string) =>
  (
    await env.DB.prepare(`SELECT * FROM room_webhook_deliveries ${roomId ? 'WHERE room_id = ?' : ''} ORDER BY id`)
      .bind(...(roomId ? [roomId] : []))
      .all<DeliveryRow>()
  ).results;

/** A message for the delivery's next attempt, as the outbox sends it. */
export const messageFor = (row: Pick<DeliveryRow, 'id' | 'attempts'>): RoomWebhookMessage => ({
  kind: 'room-webhook',
  deliveryId: row.id,
  attempt: row.attempts,
});

/** Hands messages to the Worker's queue handler as the room-webhooks queue would; what it sent back to the queue is captured. */
export async function deliver(messages: RoomWebhookMessage[]) {
  const sent: { body: RoomWebhookMessage; delaySeconds?: number }[] = [];
  const queue = {
    send: async (body: RoomWebhookMessage, options?: { delaySeconds?: number }) =>
      void sent.push({ body, delaySeconds: options?.delaySeconds }),
    sendBatch: async (batch: { body: RoomWebhookMessage; delaySeconds?: number }[]) => void sent.push(...batch),
  } as unknown as Queue;
  const batch = createMessageBatch<RoomWebhookMessage>(
    'room-webhooks',
    messages.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  const handler: ExportedHandler<Env, RoomWebhookMessage> = worker as ExportedHandler<Env, RoomWebhookMessage>;
  await handler.queue?.(batch, { ...env, ROOM_WEBHOOKS: queue }, ctx);
  const result = await getQueueResult(batch, ctx);
  return { result, sent };
}

/** Delivers every pending row's next attempt once, oldest first. */
export async function deliverPending(roomId?: string) {
  const rows = (await deliveryRows(roomId)).filter((row) => row.status === 'pending');
  return deliver(rows.map(messageFor));
}
