/** A message of the ROOM_WEBHOOKS queue: one attempt of one delivery (room_webhook_deliveries.id). */
export interface RoomWebhookMessage {
  kind: 'room-webhook';
  deliveryId: number;
  /** The delivery's `attempts` when the message was sent: a message of an attempt already made is stale. */
  attempt: number;
}

export const roomWebhookMessage = (delivery: { id: number; attempts: number }): RoomWebhookMessage => ({
  kind: 'room-webhook',
  deliveryId: delivery.id,
  attempt: delivery.attempts,
});

export const isRoomWebhookMessage = (body: unknown): body is RoomWebhookMessage =>
  typeof body === 'object' && body !== null && (body as RoomWebhookMessage).kind === 'room-webhook';
