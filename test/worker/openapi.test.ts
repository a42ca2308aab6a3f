import { describe, expect, it } from 'vitest';
import { call } from './helpers';

describe('GET /v1/openapi.json', () => {
  it('documents every route of the API from the schemas that validate it', async () => {
    const response = await call('GET', '/v1/openapi.json');
    expect(response.status).toBe(200);
    const document = response.body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /v1/health',
        'GET /v1/rooms',
        'POST /v1/rooms',
        'GET /v1/rooms/{room_id}',
        'PATCH /v1/rooms/{room_id}',
        'DELETE /v1/rooms/{room_id}',
        'POST /v1/rooms/{room_name}/meeting',
        'POST /v1/meetings/{meeting_id}/consent',
        'GET /v1/flags',
        'PUT /v1/flags',
        'GET /v1/metrics',
        'POST /v1/daily/webhook',
        'POST /v1/whereby',
        'GET /v1/meetings/{meeting_id}/recordings',
        'POST /v1/recordings/{recording_id}/processed',
        'GET /v1/recordings/lookup',
        'POST /v1/rooms/{room_id}/webhook/test',
        'GET /v1/rooms/{room_id}/webhook/deliveries',
        'POST /v1/rooms/{room_id}/webhook/deliveries/{delivery_id}/resend',
        'POST /v1/rooms/{room_id}/webhook/deliveries/resend',
        'GET /v1/webhook-deliveries',
      ].sort(),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining([
        'Room',
        'RoomInput',
        'Meeting',
        'Error',
        'RolloutFlags',
        'Metrics',
        'PlatformFigures',
        'WebhookTestResult',
        'RoomWebhookDelivery',
        'RecordingStoredEvent',
      ]),
    );
    const roomInput = document.components.schemas.RoomInput as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(roomInput.properties).sort()).toEqual(
      [
        'is_locked',
        'is_shared',
        'name',
        'platform',
        'raw_tracks',
        'recording_trigger',
        'recording_type',
        'room_mode',
        'skip_consent',
        'webhook_url',
        'webhook_secret',
      ].sort(),
    );
  });
});
