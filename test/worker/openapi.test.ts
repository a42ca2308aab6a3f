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
        'GET /v1/me',
        'GET /v1/rooms',
        'GET /v1/rooms/name/{room_name}',
        'GET /v1/rooms/{room_name}/meetings/active',
        'GET /v1/rooms/{room_name}/meetings/{meeting_id}',
        'PATCH /v1/meetings/{meeting_id}/deactivate',
        'POST /v1/rooms',
        'GET /v1/rooms/{room_id}',
        'PATCH /v1/rooms/{room_id}',
        'DELETE /v1/rooms/{room_id}',
        'POST /v1/rooms/{room_name}/meeting',
        'GET /v1/rooms/{room_name}/meetings',
        'GET /v1/rooms/{room_name}/meetings/upcoming',
        'GET /v1/rooms/{room_name}/ics/status',
        'POST /v1/rooms/{room_name}/ics/sync',
        'POST /v1/rooms/{room_name}/meetings/{meeting_id}/join',
        'POST /v1/meetings/{meeting_id}/recordings/start',
        'POST /v1/meetings/{meeting_id}/consent',
        'POST /v1/meetings/{meeting_id}/quality',
        'POST /v1/meetings/{meeting_id}/rating',
        'GET /v1/flags',
        'PUT /v1/flags',
        'GET /v1/rollout/plan',
        'PUT /v1/rollout/plan',
        'POST /v1/rollout/plan/pause',
        'POST /v1/rollout/plan/resume',
        'GET /v1/metrics',
        'GET /v1/flags/history',
        'GET /v1/metrics/series',
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
        'RoomPatch',
        'RoomList',
        'RoomDeleted',
        'Meeting',
        'JoinInput',
        'MeetingDeactivated',
        'Me',
        'Error',
        'RolloutFlags',
        'Metrics',
        'PlatformFigures',
        'WebhookTestResult',
        'RoomWebhookDelivery',
        'RecordingStoredEvent',
        'QualityReportInput',
        'RatingInput',
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
        // Reflector's CreateRoom (SPEC §10).
        'zulip_auto_post',
        'zulip_stream',
        'zulip_topic',
        'webhook_url',
        'webhook_secret',
        'ics_url',
        'ics_enabled',
        'ics_fetch_interval',
        'email_transcript_to',
        'store_video',
      ].sort(),
    );
    expect(roomInput.required).toEqual(['name']);
  });

  it("documents Reflector's shapes: the rooms' fields, the list's pages, the meeting's host link as a string", async () => {
    const { body } = await call('GET', '/v1/openapi.json');
    type Schema = { properties: Record<string, { type?: unknown; anyOf?: unknown }>; required: string[] };
    const schemas = body?.components.schemas as Record<string, Schema>;
    expect(schemas.Room?.required).toEqual(
      expect.arrayContaining(['webhook_url', 'webhook_secret', 'ics_last_sync', 'zulip_stream', 'store_video']),
    );
    expect(schemas.RoomList?.required).toContain('pages');
    expect(schemas.Meeting?.properties.host_room_url).toMatchObject({ type: 'string' });
    expect(schemas.Meeting?.required).toEqual(expect.arrayContaining(['room_id', 'user_id', 'calendar_event_id']));
    const deletion = body?.paths['/v1/rooms/{room_id}'].delete.responses;
    expect(Object.keys(deletion)).toContain('200');
    const join = body?.paths['/v1/rooms/{room_name}/meeting'].post;
    expect(join.requestBody).toMatchObject({ required: false });
  });

  it('documents the recording start’s body as Reflector’s StartRecordingRequest, and the join’s answer as a meeting', async () => {
    const document = (await call('GET', '/v1/openapi.json')).body as Record<string, any>;
    const start = document.paths['/v1/meetings/{meeting_id}/recordings/start'].post;
    expect(start.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/RecordingStartInput',
    });
    expect(document.components.schemas.RecordingStartInput).toMatchObject({
      type: 'object',
      required: ['type', 'instanceId'],
      additionalProperties: false,
      properties: { type: { enum: ['cloud', 'raw-tracks'] }, instanceId: { format: 'uuid' } },
    });
    expect(Object.keys(start.responses).sort()).toEqual([
      '200',
      '400',
      '404',
      '409',
      '422',
      '429',
      '500',
      '502',
      '503',
    ]);
    const join = document.paths['/v1/rooms/{room_name}/meetings/{meeting_id}/join'].post;
    expect(join.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Meeting' });
    expect(Object.keys(join.responses).sort()).toEqual(['200', '400', '401', '404', '429', '500', '502', '503']);
  });
});
