import { beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_RAMP_PLAN } from '../../dev/ramp-plan';
import { call, createRoom, OWNER, resetWorld } from './helpers';
import { type ProtectedRoute, securitySuite } from './security-suite';

// Every route that needs a signed-in caller runs the shared security suite; the last test
// checks against the OpenAPI document that none was left out.

const ownersRoom = async () =>
  `/v1/rooms/${(await createRoom(OWNER, { name: `own-${crypto.randomUUID().slice(0, 8)}` })).id}`;
const ownersMeeting = (action: string) => async () => {
  const name = `met-${crypto.randomUUID().slice(0, 8)}`;
  await createRoom(OWNER, { name });
  const meeting = await call('POST', `/v1/rooms/${name}/meeting`);
  return `/v1/meetings/${meeting.body?.id}/${action}`;
};
const ownersRoomByName = async () =>
  `/v1/rooms/name/${(await createRoom(OWNER, { name: `own-${crypto.randomUUID().slice(0, 8)}` })).name}`;
const flags = { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 10 };

const PROTECTED: Record<string, ProtectedRoute> = {
  'GET /v1/rooms': { method: 'GET', path: () => '/v1/rooms', access: 'signed-in' },
  'POST /v1/rooms': { method: 'POST', path: () => '/v1/rooms', body: { name: 'a-new-room' }, access: 'signed-in' },
  'GET /v1/rooms/{room_id}': { method: 'GET', path: ownersRoom, access: 'owner' },
  'PATCH /v1/rooms/{room_id}': { method: 'PATCH', path: ownersRoom, body: { is_locked: true }, access: 'owner' },
  'DELETE /v1/rooms/{room_id}': { method: 'DELETE', path: ownersRoom, access: 'owner' },
  'GET /v1/rooms/name/{room_name}': { method: 'GET', path: ownersRoomByName, access: 'owner' },
  'GET /v1/meetings/{meeting_id}/recordings': { method: 'GET', path: ownersMeeting('recordings'), access: 'owner' },
  'PATCH /v1/meetings/{meeting_id}/deactivate': {
    method: 'PATCH',
    path: ownersMeeting('deactivate'),
    access: 'owner',
  },
  'GET /v1/flags': { method: 'GET', path: () => '/v1/flags', access: 'admin' },
  'PUT /v1/flags': { method: 'PUT', path: () => '/v1/flags', body: flags, access: 'admin' },
  'GET /v1/metrics': { method: 'GET', path: () => '/v1/metrics?window=1h', access: 'admin' },
  'GET /v1/rollout/plan': { method: 'GET', path: () => '/v1/rollout/plan', access: 'admin' },
  'PUT /v1/rollout/plan': { method: 'PUT', path: () => '/v1/rollout/plan', body: EXAMPLE_RAMP_PLAN, access: 'admin' },
  'POST /v1/rollout/plan/pause': { method: 'POST', path: () => '/v1/rollout/plan/pause', access: 'admin' },
  'POST /v1/rollout/plan/resume': { method: 'POST', path: () => '/v1/rollout/plan/resume', access: 'admin' },
  'GET /v1/flags/history': { method: 'GET', path: () => '/v1/flags/history', access: 'admin' },
  'GET /v1/metrics/series': { method: 'GET', path: () => '/v1/metrics/series?window=1h', access: 'admin' },
  'POST /v1/rooms/{room_id}/webhook/test': {
    method: 'POST',
    path: async () => `${await ownersRoom()}/webhook/test`,
    access: 'owner',
  },
  'GET /v1/rooms/{room_id}/webhook/deliveries': {
    method: 'GET',
    path: async () => `${await ownersRoom()}/webhook/deliveries`,
    access: 'owner',
  },
  'POST /v1/rooms/{room_id}/webhook/deliveries/{delivery_id}/resend': {
    method: 'POST',
    path: async () => `${await ownersRoom()}/webhook/deliveries/1/resend`,
    access: 'owner',
  },
  'POST /v1/rooms/{room_id}/webhook/deliveries/resend': {
    method: 'POST',
    path: async () => `${await ownersRoom()}/webhook/deliveries/resend`,
    access: 'owner',
  },
  'GET /v1/rooms/{room_name}/ics/status': {
    method: 'GET',
    path: async () => `${(await ownersRoomByName()).replace('/name/', '/')}/ics/status`,
    access: 'owner',
  },
  'POST /v1/rooms/{room_name}/ics/sync': {
    method: 'POST',
    path: async () => `${(await ownersRoomByName()).replace('/name/', '/')}/ics/sync`,
    access: 'owner',
  },
  'GET /v1/webhook-deliveries': { method: 'GET', path: () => '/v1/webhook-deliveries?status=failed', access: 'admin' },
};

beforeEach(resetWorld);

for (const [operation, route] of Object.entries(PROTECTED)) describe(operation, () => securitySuite(route));

it('covers every operation the OpenAPI document says needs a signed-in caller', async () => {
  const { body } = await call('GET', '/v1/openapi.json');
  const paths = body?.paths as Record<string, Record<string, { security: Record<string, string[]>[] }>>;
  const signedInOnly = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(
        ([, operation]) =>
          operation.security.length > 0 &&
          operation.security.every(
            (scheme) => 'bearer' in scheme || 'accessHeader' in scheme || 'accessCookie' in scheme,
          ),
      )
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
  // A room, by id or by name, is open to anyone when shared; otherwise it is the owner's.
  expect([...signedInOnly, 'GET /v1/rooms/{room_id}', 'GET /v1/rooms/name/{room_name}'].sort()).toEqual(
    Object.keys(PROTECTED).sort(),
  );
});
