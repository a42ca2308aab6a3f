import { z } from '@hono/zod-openapi';
import { DELIVERY_STATUSES, ROOM_WEBHOOK_EVENTS } from '../../domain/room-webhooks';
import { Pagination } from './shapes';

// The JSON shapes of a room's webhook routes (routes/room-webhooks.ts); the client takes their types.

/** Reflector's WebhookTestResult (server/reflector/views/rooms.py), with its defaults filled in. */
export const WebhookTestResult = z
  .object({
    success: z.boolean(),
    message: z.string(),
    error: z.string(),
    status_code: z.number().int().nullable(),
    response_preview: z.string().nullable(),
  })
  .openapi('WebhookTestResult');
export const DeliverySchema = z
  .object({
    id: z.number().int(),
    event: z.enum(ROOM_WEBHOOK_EVENTS),
    event_id: z.string(),
    room_id: z.string(),
    room_name: z.string(),
    meeting_id: z.string().nullable(),
    recording_id: z.string().nullable(),
    status: z.enum(DELIVERY_STATUSES).openapi({
      description: 'pending: being delivered or waiting for a retry; failed: every retry failed, kept until re-sent',
    }),
    attempts: z.number().int(),
    occurred_at: z.string().openapi({ description: 'when its cause happened' }),
    last_attempt_at: z.string().nullable(),
    next_attempt_at: z.string().nullable().openapi({ description: 'while pending: when it is tried next' }),
    delivered_at: z.string().nullable(),
    last_status: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "the receiver's last HTTP status; null: no answer" }),
    last_error: z.string().nullable(),
  })
  .openapi('RoomWebhookDelivery');

export const DeliveryList = z
  .object({ items: z.array(DeliverySchema), total: z.number().int(), page: z.number().int(), size: z.number().int() })
  .openapi('RoomWebhookDeliveryList');

export const DeliveryQuery = Pagination.extend({
  status: z
    .enum(DELIVERY_STATUSES)
    .optional()
    .openapi({ param: { in: 'query' } }),
});
