// The hostile requests at a room's webhook routes (SPEC §10-11) and at the pipeline's lookup:
// no or bad credentials, other people's rooms, bad ids and queries, refused webhook URLs, and the
// lookup without its token or with a bad key. Each is refused, and nothing changes.

import { type Attack, json } from './attack.ts';
import { type Fixture, ROOMS, type Secrets, type Tokens } from './setup.ts';
import { bearer, J } from './wire.ts';

export function roomWebhookAttacks(fixture: Fixture, tokens: Tokens, secrets: Secrets): Attack[] {
  const list: Attack[] = [];
  const add = (attack: Attack) => list.push(attack);
  const room = fixture.rooms[ROOMS.whereby]!;
  const other = fixture.rooms[ROOMS.other]!;
  const base = `/v1/rooms/${room.id}/webhook`;

  const routes: { operation: string; method: string; path: (roomId: string) => string }[] = [
    {
      operation: 'POST /v1/rooms/{room_id}/webhook/test',
      method: 'POST',
      path: (id) => `/v1/rooms/${id}/webhook/test`,
    },
    {
      operation: 'GET /v1/rooms/{room_id}/webhook/deliveries',
      method: 'GET',
      path: (id) => `/v1/rooms/${id}/webhook/deliveries`,
    },
    {
      operation: 'POST /v1/rooms/{room_id}/webhook/deliveries/{delivery_id}/resend',
      method: 'POST',
      path: (id) => `/v1/rooms/${id}/webhook/deliveries/1/resend`,
    },
    {
      operation: 'POST /v1/rooms/{room_id}/webhook/deliveries/resend',
      method: 'POST',
      path: (id) => `/v1/rooms/${id}/webhook/deliveries/resend`,
    },
  ];
  for (const route of routes) {
    for (const credential of tokens.bad)
      add({
        kind: 'missing/forged/expired/garbage credentials',
        operation: route.operation,
        what: credential.name,
        method: route.method,
        path: route.path(room.id),
        headers: credential.headers,
        expect: [401],
      });
    // The owner's rooms (every room of the fixture is the owner's) as a stranger.
    for (const [roomId, token] of [
      [room.id, tokens.stranger],
      [other.id, tokens.stranger],
    ] as const)
      add({
        kind: 'not allowed (non-owner, non-admin)',
        operation: route.operation,
        what: `${route.method} ${route.path(roomId)} as a user without the right`,
        method: route.method,
        path: route.path(roomId),
        headers: bearer(token),
        expect: [403],
      });
    for (const id of ['nope', 'x'.repeat(4000), '%00'])
      add({
        kind: 'unknown ids and paths',
        operation: route.operation,
        what: `room ${id.length > 40 ? `${id.length} characters` : id}`,
        method: route.method,
        path: route.path(id),
        headers: bearer(tokens.admin),
        expect: [404],
      });
  }
  for (const credential of tokens.bad)
    add({
      kind: 'missing/forged/expired/garbage credentials',
      operation: 'GET /v1/webhook-deliveries',
      what: credential.name,
      method: 'GET',
      path: '/v1/webhook-deliveries?status=failed',
      headers: credential.headers,
      expect: [401],
    });
  for (const token of [tokens.owner, tokens.stranger])
    add({
      kind: 'not allowed (non-owner, non-admin)',
      operation: 'GET /v1/webhook-deliveries',
      what: 'GET /v1/webhook-deliveries as a user who is not an administrator',
      method: 'GET',
      path: '/v1/webhook-deliveries?status=failed',
      headers: bearer(token),
      expect: [403],
    });

  // Bad delivery ids and queries, as the owner.
  for (const id of ['nope', '-1', '0', '1.5', '1e3', 'x'.repeat(4000)])
    add({
      kind: 'unknown ids and paths',
      operation: 'POST /v1/rooms/{room_id}/webhook/deliveries/{delivery_id}/resend',
      what: `delivery ${id.length > 40 ? `${id.length} characters` : id}`,
      method: 'POST',
      path: `${base}/deliveries/${id}/resend`,
      headers: bearer(tokens.owner),
      expect: [404, 422],
    });
  add({
    kind: 'unknown ids and paths',
    operation: 'POST /v1/rooms/{room_id}/webhook/deliveries/{delivery_id}/resend',
    what: 'a delivery that does not exist',
    method: 'POST',
    path: `${base}/deliveries/999999999/resend`,
    headers: bearer(tokens.owner),
    expect: [404],
  });
  for (const query of ['status=lost', 'status=', 'size=0', 'size=101', 'page=0', 'page=abc'])
    for (const [operation, path, token] of [
      ['GET /v1/rooms/{room_id}/webhook/deliveries', `${base}/deliveries`, tokens.owner],
      ['GET /v1/webhook-deliveries', '/v1/webhook-deliveries', tokens.admin],
    ] as const)
      add({
        kind: 'bad query',
        operation,
        what: query,
        method: 'GET',
        path: `${path}?${query}`,
        headers: bearer(token),
        expect: [422],
      });

  // A room without a webhook_url: Reflector's answer, and nothing is sent or kept.
  add({
    kind: 'not allowed (non-owner, non-admin)',
    operation: 'POST /v1/rooms/{room_id}/webhook/test',
    what: 'a test of a room without a webhook_url',
    method: 'POST',
    path: `${base}/test`,
    headers: bearer(tokens.owner),
    expect: [200],
    expectBody: { success: false, error: 'No webhook URL configured' },
  });

  // Webhook URLs no environment takes, at POST and PATCH.
  for (const url of [
    'not a url',
    'ftp://hooks.example.com/in',
    'javascript:alert(1)',
    '//hooks.example.com',
    'x'.repeat(3000),
  ])
    for (const [operation, method, path] of [
      ['POST /v1/rooms', 'POST', '/v1/rooms'],
      ['PATCH /v1/rooms/{room_id}', 'PATCH', `/v1/rooms/${room.id}`],
    ] as const)
      add({
        kind: 'wrong types',
        operation,
        what: `webhook_url ${url.length > 40 ? `of ${url.length} characters` : url}`,
        method,
        path,
        headers: json(tokens.owner),
        body: J({ ...(method === 'POST' ? { name: 'proof-never-created' } : {}), webhook_url: url }),
        expect: [422],
      });

  // The pipeline's lookup: its token, then its key.
  const lookup = (query: string) => `/v1/recordings/lookup${query}`;
  for (const [what, headers] of [
    ['no token', {}],
    ['wrong token', bearer('wrong-token')],
    ['the token with a character more', bearer(`${secrets.pipeline}x`)],
    ['an admin’s JWT', bearer(tokens.admin)],
  ] as const)
    add({
      kind: 'wrong pipeline token',
      operation: 'GET /v1/recordings/lookup',
      what,
      method: 'GET',
      path: lookup('?object_key=proof.mp4'),
      headers,
      expect: [401],
    });
  for (const [what, query, status] of [
    ['no object_key', '', 422],
    ['an empty object_key', '?object_key=', 422],
    ['an object_key over 1024 characters', `?object_key=${'k'.repeat(1025)}`, 422],
    ['an unknown object_key', '?object_key=proof-nothing-here.mp4', 404],
    ['a key like SQL', `?object_key=${encodeURIComponent("x' OR '1'='1")}`, 404],
  ] as const)
    add({
      kind: 'bad query',
      operation: 'GET /v1/recordings/lookup',
      what,
      method: 'GET',
      path: lookup(query),
      headers: bearer(secrets.pipeline),
      expect: [status],
    });
  return list;
}
