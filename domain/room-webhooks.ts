// Room webhooks (SPEC §11) as both the Worker and the client know them. No imports.

/** The events of a room's meetings and recordings that its webhook receives; `test` is sent, never kept. */
export const ROOM_WEBHOOK_EVENTS = [
  'meeting.started',
  'meeting.ended',
  'recording.stored',
  'recording.deleted',
] as const;
export type RoomWebhookEvent = (typeof ROOM_WEBHOOK_EVENTS)[number];

/** pending: being delivered or waiting for a retry; failed: every retry failed, kept until re-sent. */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
