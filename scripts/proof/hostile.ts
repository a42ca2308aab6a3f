// The hostile requests: the lists of them for the API's operations (the webhooks' are in
// webhook-attacks.ts, the rate limits' in rate-limit-attacks.ts) and generic ones for any
// operation of the OpenAPI document the lists do not name. Sending and judging are in attack.ts.

import { randomUUID } from 'node:crypto';
import { EXAMPLE_RAMP_PLAN } from '../../dev/ramp-plan.ts';
import { RESERVED_ROOM_NAMES } from '../../domain/rooms.ts';
import { type Attack, json, type Kind } from './attack.ts';
import { callReportAttacks } from './call-report-attacks.ts';
import { rolloutReadAttacks } from './rollout-read-attacks.ts';
import { roomWebhookAttacks } from './room-webhook-attacks.ts';
import { ADMIN, type Fixture, PROOF_CONSENT_KEY, ROOMS, type Secrets, type Tokens } from './setup.ts';
import { webhookAttacks } from './webhook-attacks.ts';
import { bearer, type Headers, J, type Json } from './wire.ts';

/** Names that break the rule of SPEC §4 (or are a page's name). */
const INVALID_NAMES = [
  '',
  '-room',
  'room-',
  'Room',
  'ROOM',
  'my room',
  'my_room',
  'my.room',
  'my/room',
  'räume',
  'room😀',
  'a\u0000b',
  ' room',
  'room ',
  ...RESERVED_ROOM_NAMES,
  '..',
  '<script>alert(1)</script>',
  "x'; DROP TABLE rooms;--",
];
const LONG_NAMES = ['a'.repeat(65), `${'ab-'.repeat(21)}ab`, 'a'.repeat(1000), 'a'.repeat(100_000)];
const MALFORMED_JSON = [
  '{',
  '{"name":',
  'not json',
  "{'name':'x'}",
  '{"name":"x",}',
  '{"name":"x"} trailing',
  '[1,2',
  '{"name":"a"}{"name":"b"}',
  '\u0000',
  '',
];
const NOT_OBJECTS = ['null', '[]', '123', '"room"', 'true'];

export async function attacks(fixture: Fixture, tokens: Tokens, secrets: Secrets): Promise<Attack[]> {
  const list: Attack[] = [];
  const add = (attack: Attack) => list.push(attack);
  const room = fixture.rooms[ROOMS.whereby]!;
  const other = fixture.rooms[ROOMS.other]!;
  const meeting = fixture.meetings[ROOMS.whereby]!;
  const dailyMeeting = fixture.meetings[ROOMS.daily]!;
  const recording = fixture.recordings[0]!;
  const validRoom = J({ name: 'proof-never-created' });
  const validFlags = J({
    DAILY_MIGRATION_ENABLED: false,
    DAILY_MIGRATION_ROOM_IDS: ['proof-whereby'],
    DAILY_MIGRATION_PERCENT: 100,
  });

  // --- Credentials, at every operation that needs a user (a valid body, so the credentials decide).
  const needsUser: { operation: string; method: string; path: string; body?: string; anonymousOk?: boolean }[] = [
    { operation: 'GET /v1/rooms', method: 'GET', path: '/v1/rooms' },
    { operation: 'POST /v1/rooms', method: 'POST', path: '/v1/rooms', body: validRoom },
    { operation: 'GET /v1/rooms/{room_id}', method: 'GET', path: `/v1/rooms/${room.id}` },
    {
      operation: 'PATCH /v1/rooms/{room_id}',
      method: 'PATCH',
      path: `/v1/rooms/${room.id}`,
      body: J({ is_locked: true, platform: 'daily' }),
    },
    { operation: 'DELETE /v1/rooms/{room_id}', method: 'DELETE', path: `/v1/rooms/${room.id}` },
    {
      operation: 'GET /v1/meetings/{meeting_id}/recordings',
      method: 'GET',
      path: `/v1/meetings/${dailyMeeting.id}/recordings`,
    },
    { operation: 'GET /v1/rooms/name/{room_name}', method: 'GET', path: `/v1/rooms/name/${room.name}` },
    {
      operation: 'PATCH /v1/meetings/{meeting_id}/deactivate',
      method: 'PATCH',
      path: `/v1/meetings/${meeting.id}/deactivate`,
    },
    { operation: 'GET /v1/flags', method: 'GET', path: '/v1/flags' },
    { operation: 'PUT /v1/flags', method: 'PUT', path: '/v1/flags', body: validFlags },
    { operation: 'GET /v1/me', method: 'GET', path: '/v1/me', anonymousOk: true },
    {
      operation: 'GET /v1/rooms/{room_name}/meetings/active',
      method: 'GET',
      path: `/v1/rooms/${ROOMS.whereby}/meetings/active`,
      anonymousOk: true,
    },
    {
      operation: 'GET /v1/rooms/{room_name}/meetings/{meeting_id}',
      method: 'GET',
      path: `/v1/rooms/${ROOMS.daily}/meetings/${dailyMeeting.id}`,
      anonymousOk: true,
    },
    // Anyone may join or answer consent; a presented token that is not valid is still refused.
    {
      operation: 'POST /v1/rooms/{room_name}/meeting',
      method: 'POST',
      path: `/v1/rooms/${ROOMS.whereby}/meeting`,
      anonymousOk: true,
    },
    {
      operation: 'POST /v1/rooms/{room_name}/meeting',
      method: 'POST',
      path: `/v1/rooms/${ROOMS.daily}/meeting`,
      anonymousOk: true,
    },
    {
      operation: 'POST /v1/meetings/{meeting_id}/consent',
      method: 'POST',
      path: `/v1/meetings/${meeting.id}/consent`,
      body: J({ consent_given: false }),
      anonymousOk: true,
    },
    // A refused token must not have extended a lease or minted a meeting token on the way.
    {
      operation: JOIN,
      method: 'POST',
      path: `/v1/rooms/${ROOMS.daily}/meetings/${dailyMeeting.id}/join`,
      anonymousOk: true,
    },
  ];
  for (const target of needsUser) {
    for (const credential of tokens.bad) {
      if (target.anonymousOk && credential.anonymous) continue;
      add({
        kind: 'missing/forged/expired/garbage credentials',
        operation: target.operation,
        what: `${credential.name}`,
        method: target.method,
        path: target.path,
        headers: { ...(target.body ? { 'content-type': 'application/json' } : {}), ...credential.headers },
        body: target.body,
        expect: [401],
      });
    }
  }
  // A room with no meeting yet: a refused token must not leave a meeting behind either.
  add({
    kind: 'missing/forged/expired/garbage credentials',
    operation: 'POST /v1/rooms/{room_name}/meeting',
    what: 'garbage token joining a room with no meeting yet',
    method: 'POST',
    path: `/v1/rooms/${ROOMS.idle}/meeting`,
    headers: bearer('not-a-jwt'),
    expect: [401],
  });

  // --- Signed in, but not allowed.
  const notAllowed: [string, string, string, string, string?][] = [
    ['GET /v1/flags', 'GET', '/v1/flags', tokens.owner],
    ['GET /v1/flags', 'GET', '/v1/flags', tokens.stranger],
    ['PUT /v1/flags', 'PUT', '/v1/flags', tokens.owner, validFlags],
    ['PUT /v1/flags', 'PUT', '/v1/flags', tokens.stranger, validFlags],
    ['GET /v1/rooms/{room_id}', 'GET', `/v1/rooms/${room.id}`, tokens.stranger],
    ['GET /v1/rooms/{room_id}', 'GET', `/v1/rooms/${other.id}`, tokens.stranger],
    ['PATCH /v1/rooms/{room_id}', 'PATCH', `/v1/rooms/${room.id}`, tokens.stranger, J({ is_shared: true })],
    ['PATCH /v1/rooms/{room_id}', 'PATCH', `/v1/rooms/${room.id}`, tokens.stranger, J({ name: 'proof-stolen' })],
    ['DELETE /v1/rooms/{room_id}', 'DELETE', `/v1/rooms/${room.id}`, tokens.stranger],
    ['DELETE /v1/rooms/{room_id}', 'DELETE', `/v1/rooms/${fixture.rooms[ROOMS.daily]!.id}`, tokens.stranger],
    ['GET /v1/meetings/{meeting_id}/recordings', 'GET', `/v1/meetings/${meeting.id}/recordings`, tokens.stranger],
    ['GET /v1/meetings/{meeting_id}/recordings', 'GET', `/v1/meetings/${dailyMeeting.id}/recordings`, tokens.stranger],
    ['GET /v1/rooms/name/{room_name}', 'GET', `/v1/rooms/name/${room.name}`, tokens.stranger],
    ['PATCH /v1/meetings/{meeting_id}/deactivate', 'PATCH', `/v1/meetings/${meeting.id}/deactivate`, tokens.stranger],
    [
      'PATCH /v1/meetings/{meeting_id}/deactivate',
      'PATCH',
      `/v1/meetings/${dailyMeeting.id}/deactivate`,
      tokens.stranger,
    ],
  ];
  for (const [operation, method, path, token, body] of notAllowed) {
    add({
      kind: 'not allowed (non-owner, non-admin)',
      operation,
      what: `${method} ${path} as a user without the right`,
      method,
      path,
      headers: body ? json(token) : bearer(token),
      body,
      expect: [403],
    });
  }

  // --- Bodies of POST /v1/rooms, PATCH /v1/rooms/{id}, consent and flags.
  const bodyTargets = [
    { operation: 'POST /v1/rooms', method: 'POST', path: '/v1/rooms', token: tokens.owner },
    { operation: 'PATCH /v1/rooms/{room_id}', method: 'PATCH', path: `/v1/rooms/${room.id}`, token: tokens.owner },
    {
      operation: 'POST /v1/meetings/{meeting_id}/consent',
      method: 'POST',
      path: `/v1/meetings/${meeting.id}/consent`,
      token: undefined,
    },
    { operation: 'PUT /v1/flags', method: 'PUT', path: '/v1/flags', token: tokens.admin },
    { operation: 'PUT /v1/rollout/plan', method: 'PUT', path: '/v1/rollout/plan', token: tokens.admin },
    { operation: START, method: 'POST', path: `/v1/meetings/${dailyMeeting.id}/recordings/start`, token: undefined },
  ];
  for (const target of bodyTargets) {
    for (const text of MALFORMED_JSON) {
      add({
        kind: 'malformed JSON',
        operation: target.operation,
        what: `body ${J(text.slice(0, 20))}`,
        method: target.method,
        path: target.path,
        headers: json(target.token),
        body: text,
        expect: [400],
      });
    }
    for (const text of NOT_OBJECTS) {
      add({
        kind: 'wrong types',
        operation: target.operation,
        what: `body ${text} (not an object)`,
        method: target.method,
        path: target.path,
        headers: json(target.token),
        body: text,
        expect: [422],
      });
    }
    const wrongType = (value: string) => ({
      'text/plain': value,
      'application/x-www-form-urlencoded': 'name=proof-form',
      'multipart/form-data; boundary=x': `--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nproof-form\r\n--x--\r\n`,
    });
    for (const [type, text] of Object.entries(wrongType(validRoom))) {
      add({
        kind: 'wrong content type',
        operation: target.operation,
        what: `content-type ${type}`,
        method: target.method,
        path: target.path,
        headers: { 'content-type': type, ...(target.token ? bearer(target.token) : {}) },
        body: text,
        expect: [415],
      });
    }
    add({
      kind: 'wrong content type',
      operation: target.operation,
      what: 'a body without a content type',
      method: target.method,
      path: target.path,
      headers: target.token ? bearer(target.token) : {},
      body: target.path === '/v1/flags' ? validFlags : validRoom,
      expect: [415],
    });
  }

  // POST /v1/rooms: each field of the wrong type, unknown fields, names against the rule, a taken name.
  const roomFields: [string, unknown][] = [
    ['name', 123],
    ['name', null],
    ['name', ['proof-a']],
    ['name', { value: 'proof-a' }],
    ['name', true],
    ['is_locked', 'yes'],
    ['is_locked', 1],
    ['is_locked', null],
    ['room_mode', 'party'],
    ['room_mode', null],
    ['room_mode', 1],
    ['recording_type', 'tape'],
    ['recording_type', 2],
    ['recording_trigger', 'sometimes'],
    ['recording_trigger', ['automatic']],
    ['is_shared', 'true'],
    ['skip_consent', 0],
    ['platform', 'zoom'],
    ['platform', 'DAILY'],
    ['platform', null],
    ['raw_tracks', 'no'],
  ];
  for (const [field, value] of roomFields) {
    const body = field === 'name' ? { [field]: value } : { name: 'proof-typed', [field]: value };
    add({
      kind: 'wrong types',
      operation: 'POST /v1/rooms',
      what: `${field}: ${J(value)}`,
      method: 'POST',
      path: '/v1/rooms',
      headers: json(tokens.owner),
      body: J(body),
      expect: [422],
    });
    if (field !== 'name') {
      add({
        kind: 'wrong types',
        operation: 'PATCH /v1/rooms/{room_id}',
        what: `${field}: ${J(value)}`,
        method: 'PATCH',
        path: `/v1/rooms/${room.id}`,
        headers: json(tokens.owner),
        body: J({ [field]: value }),
        expect: [422],
      });
    }
  }
  add({
    kind: 'wrong types',
    operation: 'POST /v1/rooms',
    what: 'no name',
    method: 'POST',
    path: '/v1/rooms',
    headers: json(tokens.owner),
    body: J({ is_locked: true }),
    expect: [422],
  });
  add({
    kind: 'wrong types',
    operation: 'POST /v1/rooms',
    what: 'empty object',
    method: 'POST',
    path: '/v1/rooms',
    headers: json(tokens.owner),
    body: '{}',
    expect: [422],
  });
  add({
    kind: 'wrong types',
    operation: 'POST /v1/rooms',
    what: 'no body at all',
    method: 'POST',
    path: '/v1/rooms',
    headers: bearer(tokens.owner),
    expect: [422],
  });
  add({
    kind: 'wrong types',
    operation: 'PATCH /v1/rooms/{room_id}',
    what: 'nothing to change',
    method: 'PATCH',
    path: `/v1/rooms/${room.id}`,
    headers: json(tokens.owner),
    body: '{}',
    expect: [422],
  });

  const unknownFields: Json[] = [
    { foo: 1 },
    { id: 'proof-chosen-id' },
    { user_id: ADMIN },
    { created_at: '2000-01-01T00:00:00Z' },
    { num_clients: 5 },
    { PLATFORM: 'daily' },
    { is_admin: true },
  ];
  for (const extra of unknownFields) {
    add({
      kind: 'unknown fields',
      operation: 'POST /v1/rooms',
      what: J(extra),
      method: 'POST',
      path: '/v1/rooms',
      headers: json(tokens.owner),
      body: J({ name: 'proof-extra', ...extra }),
      expect: [422],
    });
    add({
      kind: 'unknown fields',
      operation: 'PATCH /v1/rooms/{room_id}',
      what: J(extra),
      method: 'PATCH',
      path: `/v1/rooms/${room.id}`,
      headers: json(tokens.owner),
      body: J({ is_locked: false, ...extra }),
      expect: [422],
    });
  }
  for (const raw of [
    '{"name":"proof-proto","__proto__":{"is_admin":true}}',
    '{"name":"proof-ctor","constructor":{"prototype":{"x":1}}}',
  ]) {
    add({
      kind: 'unknown fields',
      operation: 'POST /v1/rooms',
      what: raw,
      method: 'POST',
      path: '/v1/rooms',
      headers: json(tokens.owner),
      body: raw,
      expect: [422],
    });
  }

  for (const name of INVALID_NAMES) {
    add({
      kind: 'invalid room names',
      operation: 'POST /v1/rooms',
      what: J(name),
      method: 'POST',
      path: '/v1/rooms',
      headers: json(tokens.owner),
      body: J({ name }),
      expect: [422],
    });
    add({
      kind: 'invalid room names',
      operation: 'PATCH /v1/rooms/{room_id}',
      what: J(name),
      method: 'PATCH',
      path: `/v1/rooms/${room.id}`,
      headers: json(tokens.owner),
      body: J({ name }),
      expect: [422],
    });
  }
  for (const name of LONG_NAMES) {
    add({
      kind: 'over-long names',
      operation: 'POST /v1/rooms',
      what: `${name.length} characters`,
      method: 'POST',
      path: '/v1/rooms',
      headers: json(tokens.owner),
      body: J({ name }),
      expect: [422],
    });
    add({
      kind: 'over-long names',
      operation: 'PATCH /v1/rooms/{room_id}',
      what: `${name.length} characters`,
      method: 'PATCH',
      path: `/v1/rooms/${room.id}`,
      headers: json(tokens.owner),
      body: J({ name }),
      expect: [422],
    });
  }
  add({
    kind: 'oversized body',
    operation: 'POST /v1/rooms',
    what: 'a 2 MB name',
    method: 'POST',
    path: '/v1/rooms',
    headers: json(tokens.owner),
    body: J({ name: 'a'.repeat(2 * 1024 * 1024) }),
    expect: [413, 422],
  });
  add({
    kind: 'oversized body',
    operation: 'PUT /v1/flags',
    what: '1001 room ids',
    method: 'PUT',
    path: '/v1/flags',
    headers: json(tokens.admin),
    body: J({
      DAILY_MIGRATION_ENABLED: true,
      DAILY_MIGRATION_ROOM_IDS: Array.from({ length: 1001 }, (_, i) => `room-${i}`),
      DAILY_MIGRATION_PERCENT: 0,
    }),
    expect: [413, 422],
  });

  // The guarded ramp's plan (admin only): no plan is ever put, so pause and resume find none.
  const plan = EXAMPLE_RAMP_PLAN;

  const planRoutes = [
    ['GET /v1/rollout/plan', 'GET', '/v1/rollout/plan'],
    ['PUT /v1/rollout/plan', 'PUT', '/v1/rollout/plan', J(plan)],
    ['POST /v1/rollout/plan/pause', 'POST', '/v1/rollout/plan/pause'],
    ['POST /v1/rollout/plan/resume', 'POST', '/v1/rollout/plan/resume'],
  ] as const;
  for (const [operation, method, path, body] of planRoutes) {
    for (const credential of tokens.bad)
      add({
        kind: 'missing/forged/expired/garbage credentials',
        operation,
        what: credential.name,
        method,
        path,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...credential.headers },
        body,
        expect: [401],
      });
    for (const token of [tokens.owner, tokens.stranger])
      add({
        kind: 'not allowed (non-owner, non-admin)',
        operation,
        what: `${method} ${path} as a user who is not an administrator`,
        method,
        path,
        headers: body ? json(token) : bearer(token),
        body,
        expect: [403],
      });
  }
  for (const path of ['/v1/rollout/plan/pause', '/v1/rollout/plan/resume'])
    add({
      kind: 'unknown ids and paths',
      operation: `POST ${path}`,
      what: 'no plan to pause or resume',
      method: 'POST',
      path,
      headers: bearer(tokens.admin),
      expect: [404],
    });
  const badPlans: [Kind, string, unknown, string][] = [
    ['wrong types', 'falling steps', { ...plan, steps: [10, 50, 40] }, 'steps.2'],
    ['wrong types', 'a step over 100', { ...plan, steps: [10, 101] }, 'steps.1'],
    [
      'wrong types',
      'a negative margin',
      { ...plan, guards: { ...plan.guards, max_error_rate_delta: -1 } },
      'guards.max_error_rate_delta',
    ],
    ['wrong types', 'fractional minutes', { ...plan, step_minutes: 0.5 }, 'step_minutes'],
    [
      'oversized body',
      'a thousand steps',
      { ...plan, steps: Array.from({ length: 1000 }, (_, i) => i / 10 + 1) },
      'steps',
    ],
    ['unknown fields', 'an unknown field', { ...plan, auto: true }, 'auto'],
    ['unknown fields', 'an unknown guard', { ...plan, guards: { ...plan.guards, max_cpu: 1 } }, 'guards.max_cpu'],
  ];
  for (const [kind, what, body, field] of badPlans)
    add({
      kind,
      operation: 'PUT /v1/rollout/plan',
      what,
      method: 'PUT',
      path: '/v1/rollout/plan',
      headers: json(tokens.admin),
      body: J(body),
      expect: [422],
      expectField: field,
    });

  for (const [name, path, token] of [
    [ROOMS.whereby, '/v1/rooms', tokens.owner],
    [ROOMS.daily, '/v1/rooms', tokens.stranger],
  ] as const) {
    add({
      kind: 'conflict',
      operation: 'POST /v1/rooms',
      what: `the taken name ${name}`,
      method: 'POST',
      path,
      headers: json(token),
      body: J({ name }),
      expect: [409],
    });
  }
  add({
    kind: 'conflict',
    operation: 'PATCH /v1/rooms/{room_id}',
    what: `renamed to the taken ${ROOMS.other}`,
    method: 'PATCH',
    path: `/v1/rooms/${room.id}`,
    headers: json(tokens.owner),
    body: J({ name: ROOMS.other }),
    expect: [409],
  });
  add({
    kind: 'conflict',
    operation: 'PATCH /v1/rooms/{room_id}',
    what: `renamed to the taken ${ROOMS.daily}, with a setting`,
    method: 'PATCH',
    path: `/v1/rooms/${room.id}`,
    headers: json(tokens.admin),
    body: J({ name: ROOMS.daily, is_locked: true }),
    expect: [409],
  });

  // Reflector's bodies (SPEC §10): its rooms page's CreateRoom and UpdateRoom, whole, with one
  // field of the wrong type, a webhook the URL policy refuses, or calendar sync asked for. The
  // PATCH's body keeps the room's name but changes settings: should a refusal slip, rows change.
  // The service proven here runs in development (its stand-ins live on 127.0.0.1), where the URL
  // policy lets http:// and local addresses through on purpose; their refusal in production
  // (http://, 127.0.0.1, 169.254.169.254, [::1], localhost, private ranges) is proven by the
  // worker tests, which run with ENVIRONMENT=production (reflector-contract, webhook-url-policy).
  const reflectorRoom = {
    name: 'proof-reflector',
    zulip_auto_post: false,
    zulip_stream: '',
    zulip_topic: '',
    is_locked: true,
    room_mode: 'group',
    recording_type: 'cloud',
    recording_trigger: 'automatic-2nd-participant',
    is_shared: true,
    webhook_url: '',
    webhook_secret: '',
    ics_url: '',
    ics_enabled: false,
    ics_fetch_interval: 5,
    platform: 'daily',
    skip_consent: false,
    email_transcript_to: null,
    store_video: false,
  };
  const reflectorRefusals: [string, string, unknown][] = [
    ['zulip_auto_post', 'wrong types', 'yes'],
    ['zulip_auto_post', 'wrong types', null],
    ['zulip_stream', 'wrong types', 12],
    ['zulip_topic', 'wrong types', ['standup']],
    ['webhook_url', 'wrong types', 42],
    ['webhook_secret', 'wrong types', { secret: 'x' }],
    ['ics_url', 'wrong types', true],
    ['ics_fetch_interval', 'wrong types', 'five'],
    ['ics_fetch_interval', 'wrong types', 1.5],
    ['ics_fetch_interval', 'wrong types', 0],
    ['ics_fetch_interval', 'wrong types', -5],
    ['ics_enabled', 'wrong types', 'false'],
    ['email_transcript_to', 'wrong types', false],
    ['store_video', 'wrong types', 'no'],
    ['platform', 'wrong types', 'livekit'],
    ['webhook_url', 'refused webhook URL', 'ftp://hooks.example.com/reflector'],
    ['webhook_url', 'refused webhook URL', 'not a url'],
    ['webhook_url', 'refused webhook URL', 'javascript:alert(1)'],
    ['webhook_url', 'refused webhook URL', 'data:text/plain,hook'],
    ['webhook_url', 'refused webhook URL', '//hooks.example.com/relative'],
    ['webhook_url', 'refused webhook URL', 'https://'],
    ['webhook_url', 'refused webhook URL', `https://hooks.example.com/${'a'.repeat(3000)}`],
    ['ics_enabled', 'calendar sync', true],
  ];
  for (const [field, why, value] of reflectorRefusals) {
    const kind = why === 'wrong types' ? 'wrong types' : 'refused room fields';
    add({
      kind,
      operation: 'POST /v1/rooms',
      what: `Reflector's CreateRoom, ${field}: ${J(value).slice(0, 60)}`,
      method: 'POST',
      path: '/v1/rooms',
      headers: json(tokens.owner),
      body: J({ ...reflectorRoom, [field]: value }),
      expect: [422],
      expectField: field,
    });
    add({
      kind,
      operation: 'PATCH /v1/rooms/{room_id}',
      what: `Reflector's UpdateRoom, ${field}: ${J(value).slice(0, 60)}`,
      method: 'PATCH',
      path: `/v1/rooms/${room.id}`,
      headers: json(tokens.owner),
      body: J({ ...reflectorRoom, name: room.name, [field]: value }),
      expect: [422],
      expectField: field,
    });
  }

  // Reflector's body of a join, {allow_duplicated}: of the wrong type, or with a key it does not have.
  for (const [field, value] of [
    ['allow_duplicated', 'yes'],
    ['allow_duplicated', 1],
    ['allow_duplicated', []],
    ['allow_duplicated', { value: true }],
    ['duplicate', true],
  ] as const) {
    add({
      kind: field === 'allow_duplicated' ? 'wrong types' : 'unknown fields',
      operation: 'POST /v1/rooms/{room_name}/meeting',
      what: `${field}: ${J(value)}`,
      method: 'POST',
      path: `/v1/rooms/${ROOMS.idle}/meeting`,
      headers: json(),
      body: J({ [field]: value }),
      expect: [422],
      expectField: field,
    });
  }

  // Consent bodies.
  for (const value of ['yes', 1, 0, null, [], {}, 'false']) {
    add({
      kind: 'wrong types',
      operation: 'POST /v1/meetings/{meeting_id}/consent',
      what: `consent_given: ${J(value)}`,
      method: 'POST',
      path: `/v1/meetings/${meeting.id}/consent`,
      headers: json(),
      body: J({ consent_given: value }),
      expect: [422],
    });
  }
  add({
    kind: 'wrong types',
    operation: 'POST /v1/meetings/{meeting_id}/consent',
    what: 'no answer',
    method: 'POST',
    path: `/v1/meetings/${meeting.id}/consent`,
    headers: json(),
    body: '{}',
    expect: [422],
  });
  for (const extra of [{ user_id: ADMIN }, { meeting_id: 'other' }, { consent_timestamp: '2000-01-01' }]) {
    add({
      kind: 'unknown fields',
      operation: 'POST /v1/meetings/{meeting_id}/consent',
      what: J(extra),
      method: 'POST',
      path: `/v1/meetings/${meeting.id}/consent`,
      headers: json(),
      body: J({ consent_given: true, ...extra }),
      expect: [422],
    });
  }

  // Consent keys that break the rule (16 to 64 of A-Z a-z 0-9 - _).
  const badKeys: [string, unknown][] = [
    ['empty', ''],
    ['15 characters', 'k'.repeat(15)],
    ['65 characters', 'k'.repeat(65)],
    ['1000 characters', 'k'.repeat(1000)],
    ['100 000 characters', 'k'.repeat(100_000)],
    ['with spaces', 'a consent key with spaces'],
    ['with a slash', 'consent/key/with/slashes'],
    ['with a NUL', `consent-key-${'\u0000'}-0000000`],
    ['SQL', "x'); DELETE FROM meeting_consent;--"],
    ['non-ASCII', 'schlüssel-schlüssel-schlüssel'],
    ['an emoji', `consent-key-😀-0000000000`],
    ['a number', 1234567890123456],
    ['null', null],
    ['an array', [PROOF_CONSENT_KEY]],
    ['an object', { key: PROOF_CONSENT_KEY }],
  ];
  for (const [what, key] of badKeys) {
    add({
      kind: 'consent: malformed consent_key',
      operation: 'POST /v1/meetings/{meeting_id}/consent',
      what: `consent_key ${what}`,
      method: 'POST',
      path: `/v1/meetings/${meeting.id}/consent`,
      headers: json(),
      body: J({ consent_given: false, consent_key: key }),
      // A limit on the body's size, where there is one, refuses the longest before its key is read.
      expect: typeof key === 'string' && key.length > 10_000 ? [413, 422] : [422],
    });
  }

  // The answers given during set-up, again: each answerer keeps one row, unchanged.
  const repeats: [string, Json, string, string?][] = [
    ['the same browser (consent_key)', { consent_given: true, consent_key: PROOF_CONSENT_KEY }, fixture.consents.byKey],
    ['a keyless guest (Reflector’s body)', { consent_given: true }, fixture.consents.keyless],
    ['the same signed-in person', { consent_given: true }, fixture.consents.bySub, tokens.stranger],
    // A signed-in person is their sub, whatever key the browser sends.
    [
      'the same person with a browser key',
      { consent_given: true, consent_key: 'another0browser0key00000000000001' },
      fixture.consents.bySub,
      tokens.stranger,
    ],
  ];
  for (const [who, body, consentId, token] of repeats) {
    for (let i = 0; i < 5; i++) {
      add({
        kind: 'consent: repeated answer',
        operation: 'POST /v1/meetings/{meeting_id}/consent',
        what: `${who}, answer ${i + 2}`,
        method: 'POST',
        path: `/v1/meetings/${meeting.id}/consent`,
        headers: json(token),
        body: J(body),
        expect: [200],
        expectBody: { status: 'success', consent_id: consentId },
      });
    }
  }

  // Answers for a meeting retired two hours ago: 409, nothing stored, whoever answers.
  const late: [string, Json, string?][] = [
    ['a keyless "no"', { consent_given: false }],
    ['a keyless "yes"', { consent_given: true }],
    ['a browser’s "no"', { consent_given: false, consent_key: PROOF_CONSENT_KEY }],
    ['a new browser’s "no"', { consent_given: false, consent_key: 'late0browser0key0000000000000001' }],
    ['a signed-in "no"', { consent_given: false }, tokens.stranger],
    ['the owner’s "no"', { consent_given: false }, tokens.owner],
  ];
  for (const [what, body, token] of late) {
    add({
      kind: 'consent: meeting ended over an hour ago',
      operation: 'POST /v1/meetings/{meeting_id}/consent',
      what,
      method: 'POST',
      path: `/v1/meetings/${fixture.endedMeeting.id}/consent`,
      headers: json(token),
      body: J(body),
      expect: [409],
    });
  }

  // Flags bodies.
  const flagBodies: [string, Json][] = [
    ['ENABLED as text', { DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 }],
    ['ENABLED as 1', { DAILY_MIGRATION_ENABLED: 1, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 }],
    ['ENABLED null', { DAILY_MIGRATION_ENABLED: null, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 }],
    [
      'ROOM_IDS as text',
      { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: 'a,b', DAILY_MIGRATION_PERCENT: 0 },
    ],
    [
      'ROOM_IDS of numbers',
      { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [1, 2], DAILY_MIGRATION_PERCENT: 0 },
    ],
    [
      'ROOM_IDS with an empty id',
      { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [''], DAILY_MIGRATION_PERCENT: 0 },
    ],
    [
      'ROOM_IDS with a blank id',
      { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: ['   '], DAILY_MIGRATION_PERCENT: 0 },
    ],
    ['ROOM_IDS null', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: null, DAILY_MIGRATION_PERCENT: 0 }],
    [
      'USER_IDS as text',
      {
        DAILY_MIGRATION_ENABLED: true,
        DAILY_MIGRATION_ROOM_IDS: [],
        DAILY_MIGRATION_USER_IDS: 'ada',
        DAILY_MIGRATION_PERCENT: 0,
      },
    ],
    [
      'USER_IDS with an empty one',
      {
        DAILY_MIGRATION_ENABLED: true,
        DAILY_MIGRATION_ROOM_IDS: [],
        DAILY_MIGRATION_USER_IDS: [''],
        DAILY_MIGRATION_PERCENT: 0,
      },
    ],
    [
      'USER_IDS with a space',
      {
        DAILY_MIGRATION_ENABLED: true,
        DAILY_MIGRATION_ROOM_IDS: [],
        DAILY_MIGRATION_USER_IDS: ['ada lovelace'],
        DAILY_MIGRATION_PERCENT: 0,
      },
    ],
    ['PERCENT as text', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: '50' }],
    ['PERCENT 101', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 101 }],
    ['PERCENT -1', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: -1 }],
    [
      'PERCENT 1e309 (Infinity)',
      { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: '__INF__' },
    ],
    ['ENABLED missing', { DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 }],
    ['ROOM_IDS missing', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_PERCENT: 0 }],
    ['PERCENT missing', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [] }],
  ];
  for (const [what, body] of flagBodies) {
    add({
      kind: 'wrong types',
      operation: 'PUT /v1/flags',
      what,
      method: 'PUT',
      path: '/v1/flags',
      headers: json(tokens.admin),
      body: J(body).replace('"__INF__"', '1e309'),
      expect: [422],
    });
  }
  for (const extra of [{ DAILY_MIGRATION_SECRET: 'x' }, { daily_migration_enabled: true }, { malformed: [] }]) {
    add({
      kind: 'unknown fields',
      operation: 'PUT /v1/flags',
      what: J(extra),
      method: 'PUT',
      path: '/v1/flags',
      headers: json(tokens.admin),
      body: J({ DAILY_MIGRATION_ENABLED: false, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0, ...extra }),
      expect: [422],
    });
  }

  // --- Queries of GET /v1/rooms.
  for (const query of [
    'page=0',
    'page=-1',
    'page=abc',
    'page=1.5',
    'page=',
    'size=0',
    'size=101',
    'size=-5',
    'size=abc',
    'size=1e3',
    'page=1&page=2',
    'size=%00',
    'page=Infinity',
    'page=NaN',
  ]) {
    add({
      kind: 'bad query',
      operation: 'GET /v1/rooms',
      what: query,
      method: 'GET',
      path: `/v1/rooms?${query}`,
      headers: bearer(tokens.owner),
      expect: [422],
    });
    add({
      kind: 'bad query',
      operation: 'GET /v1/rooms',
      what: `${query} without credentials`,
      method: 'GET',
      path: `/v1/rooms?${query}`,
      expect: [401, 422],
    });
  }
  // A page number far past the end is a valid, empty page or a refusal; never a failure.
  for (const query of [
    'page=1000000000000000',
    'page=9007199254740993',
    'page=1e300',
    'page=99999999999999999999&size=100',
  ]) {
    add({
      kind: 'bad query',
      operation: 'GET /v1/rooms',
      what: query,
      method: 'GET',
      path: `/v1/rooms?${query}`,
      headers: bearer(tokens.owner),
      expect: [200, 422],
      expectBody: {},
    });
  }

  // --- Unknown ids and paths.
  const unknownIds = [
    'nope',
    randomUUID(),
    'x'.repeat(4000),
    '%00',
    '%E0%A4%A',
    '..%2F..%2Fetc%2Fpasswd',
    "1'%20OR%20'1'%3D'1",
    '%F0%9F%98%80',
    'null',
  ];
  for (const id of unknownIds) {
    const shown = id.length > 40 ? `${id.length} characters` : id;
    add({
      kind: 'unknown ids and paths',
      operation: 'GET /v1/rooms/{room_id}',
      what: shown,
      method: 'GET',
      path: `/v1/rooms/${id}`,
      headers: bearer(tokens.owner),
      expect: [404],
    });
    add({
      kind: 'unknown ids and paths',
      operation: 'PATCH /v1/rooms/{room_id}',
      what: shown,
      method: 'PATCH',
      path: `/v1/rooms/${id}`,
      headers: json(tokens.admin),
      body: J({ is_locked: true }),
      expect: [404],
    });
    add({
      kind: 'unknown ids and paths',
      operation: 'DELETE /v1/rooms/{room_id}',
      what: shown,
      method: 'DELETE',
      path: `/v1/rooms/${id}`,
      headers: bearer(tokens.admin),
      expect: [404],
    });
    add({
      kind: 'unknown ids and paths',
      operation: 'POST /v1/meetings/{meeting_id}/consent',
      what: shown,
      method: 'POST',
      path: `/v1/meetings/${id}/consent`,
      headers: json(),
      body: J({ consent_given: false }),
      expect: [404],
    });
    add({
      kind: 'unknown ids and paths',
      operation: 'PATCH /v1/meetings/{meeting_id}/deactivate',
      what: shown,
      method: 'PATCH',
      path: `/v1/meetings/${id}/deactivate`,
      headers: bearer(tokens.admin),
      expect: [404],
    });
    add({
      kind: 'unknown ids and paths',
      operation: 'GET /v1/rooms/{room_name}/meetings/{meeting_id}',
      what: shown,
      method: 'GET',
      path: `/v1/rooms/${ROOMS.whereby}/meetings/${id}`,
      expect: [404],
    });
    add({
      kind: 'unknown ids and paths',
      operation: 'GET /v1/meetings/{meeting_id}/recordings',
      what: shown,
      method: 'GET',
      path: `/v1/meetings/${id}/recordings`,
      headers: bearer(tokens.admin),
      expect: [404],
    });
    add({
      kind: 'unknown ids and paths',
      operation: 'POST /v1/recordings/{recording_id}/processed',
      what: shown,
      method: 'POST',
      path: `/v1/recordings/${id}/processed`,
      headers: bearer(secrets.pipeline),
      expect: [404],
    });
  }
  const unknownRooms = [
    ...INVALID_NAMES.filter((name) => name !== '').map(encodeURIComponent),
    'proof-nobody',
    'a'.repeat(65),
    '%E0%A4%A',
    'x'.repeat(4000),
  ];
  for (const name of unknownRooms) {
    const what = name.length > 40 ? `${name.length} characters` : name;
    for (const [operation, method, path] of [
      ['POST /v1/rooms/{room_name}/meeting', 'POST', `/v1/rooms/${name}/meeting`],
      ['GET /v1/rooms/name/{room_name}', 'GET', `/v1/rooms/name/${name}`],
      ['GET /v1/rooms/{room_name}/meetings/active', 'GET', `/v1/rooms/${name}/meetings/active`],
      ['GET /v1/rooms/{room_name}/meetings/{meeting_id}', 'GET', `/v1/rooms/${name}/meetings/${meeting.id}`],
    ] as const) {
      add({ kind: 'unknown ids and paths', operation, what, method, path, expect: [404] });
    }
  }
  // A meeting asked for under another room's name is not found there.
  add({
    kind: 'unknown ids and paths',
    operation: 'GET /v1/rooms/{room_name}/meetings/{meeting_id}',
    what: `the meeting of ${ROOMS.whereby} under ${ROOMS.other}`,
    method: 'GET',
    path: `/v1/rooms/${ROOMS.other}/meetings/${meeting.id}`,
    headers: bearer(tokens.owner),
    expect: [404],
  });
  for (const path of [
    '/v1/nope',
    '/v1/rooms/a/b/c',
    '/v1/meetings',
    '/v1/recordings',
    `/v1/recordings/${recording.id}`,
    '/v1/flags/DAILY_MIGRATION_ENABLED',
    '/v1/daily',
    '/v1/whereby/extra',
  ]) {
    add({
      kind: 'unknown ids and paths',
      operation: null,
      what: path,
      method: 'GET',
      path,
      headers: bearer(tokens.admin),
      expect: [404],
    });
  }

  // --- Methods an operation does not have.
  const wrongMethods: [string, string, string][] = [
    ['GET /v1/health', 'POST', '/v1/health'],
    ['GET /v1/health', 'DELETE', '/v1/health'],
    ['GET /v1/me', 'POST', '/v1/me'],
    ['PATCH /v1/meetings/{meeting_id}/deactivate', 'POST', `/v1/meetings/${meeting.id}/deactivate`],
    ['PATCH /v1/meetings/{meeting_id}/deactivate', 'DELETE', `/v1/meetings/${meeting.id}/deactivate`],
    ['GET /v1/rooms', 'PUT', '/v1/rooms'],
    ['GET /v1/rooms', 'DELETE', '/v1/rooms'],
    ['GET /v1/rooms/{room_id}', 'PUT', `/v1/rooms/${room.id}`],
    ['GET /v1/rooms/{room_id}', 'POST', `/v1/rooms/${room.id}`],
    ['POST /v1/rooms/{room_name}/meeting', 'GET', `/v1/rooms/${ROOMS.whereby}/meeting`],
    ['POST /v1/rooms/{room_name}/meeting', 'DELETE', `/v1/rooms/${ROOMS.whereby}/meeting`],
    ['POST /v1/meetings/{meeting_id}/consent', 'GET', `/v1/meetings/${meeting.id}/consent`],
    ['POST /v1/meetings/{meeting_id}/consent', 'DELETE', `/v1/meetings/${meeting.id}/consent`],
    ['GET /v1/meetings/{meeting_id}/recordings', 'POST', `/v1/meetings/${meeting.id}/recordings`],
    ['GET /v1/meetings/{meeting_id}/recordings', 'DELETE', `/v1/meetings/${meeting.id}/recordings`],
    ['POST /v1/recordings/{recording_id}/processed', 'GET', `/v1/recordings/${recording.id}/processed`],
    ['POST /v1/recordings/{recording_id}/processed', 'DELETE', `/v1/recordings/${recording.id}/processed`],
    ['GET /v1/flags', 'POST', '/v1/flags'],
    ['GET /v1/flags', 'DELETE', '/v1/flags'],
    ['POST /v1/daily/webhook', 'GET', '/v1/daily/webhook'],
    ['POST /v1/daily/webhook', 'PUT', '/v1/daily/webhook'],
    ['POST /v1/whereby', 'GET', '/v1/whereby'],
    ['POST /v1/whereby', 'DELETE', '/v1/whereby'],
  ];
  for (const [operation, method, path] of wrongMethods) {
    add({
      kind: 'wrong method',
      operation,
      what: `${method} ${path}`,
      method,
      path,
      headers: bearer(tokens.admin),
      expect: [404, 405],
    });
  }
  // Health answers anyone; whatever credentials come with the request, it stays a plain 200.
  for (const credential of tokens.bad.slice(3, 7)) {
    add({
      kind: 'missing/forged/expired/garbage credentials',
      operation: 'GET /v1/health',
      what: credential.name,
      method: 'GET',
      path: '/v1/health',
      headers: credential.headers,
      expect: [200],
      expectBody: { status: 'ok' },
    });
  }

  // --- The pipeline's report.
  const pipelineHeaders: [string, Headers][] = [
    ['no token', {}],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['wrong token', bearer('wrong-token')],
    ['the token with a character more', bearer(`${secrets.pipeline}x`)],
    ['the token less its last character', bearer(secrets.pipeline.slice(0, -1))],
    ['the token upper-cased', bearer(secrets.pipeline.toUpperCase())],
    ['the token as Basic', { authorization: `Basic ${secrets.pipeline}` }],
    ['the token without a scheme', { authorization: secrets.pipeline }],
    ['the token twice', { authorization: `Bearer ${secrets.pipeline} ${secrets.pipeline}` }],
    ['an admin’s JWT', bearer(tokens.admin)],
    ['the Daily webhook secret', bearer(secrets.daily)],
    ['the token in Cf-Access-Jwt-Assertion', { 'cf-access-jwt-assertion': secrets.pipeline }],
  ];
  for (const target of fixture.recordings) {
    for (const [what, headers] of pipelineHeaders) {
      add({
        kind: 'wrong pipeline token',
        operation: 'POST /v1/recordings/{recording_id}/processed',
        what: `${what} (${target.platform} recording)`,
        method: 'POST',
        path: `/v1/recordings/${target.id}/processed`,
        headers,
        expect: [401],
      });
    }
  }

  // The right token, where the report deletes nothing (SPEC §14): a stored recording nobody
  // declined and Whereby's that everyone agreed to are kept; the recording still being made in a
  // meeting with a "no" only stays due for deletion (it was reported once while the fixtures were
  // made), whatever the repeats and however many at once.
  for (const target of fixture.recordings) {
    const due = target.status === 'recording';
    for (let repeat = 1; repeat <= 3; repeat++) {
      add({
        kind: 'pipeline: nothing to delete now',
        operation: 'POST /v1/recordings/{recording_id}/processed',
        what: `report ${repeat} of the ${target.platform} recording ${due ? 'not stored yet, in a meeting with a no' : 'nobody declined'}`,
        method: 'POST',
        path: `/v1/recordings/${target.id}/processed`,
        headers: bearer(secrets.pipeline),
        expect: [200],
        expectBody: { recording_id: target.id, status: due ? 'deletion-due' : 'kept' },
      });
    }
  }

  joinAndStartAttacks(fixture).forEach(add);

  // --- Webhooks.
  (await webhookAttacks(fixture, secrets)).forEach(add);
  roomWebhookAttacks(fixture, tokens, secrets).forEach(add);
  callReportAttacks(fixture).forEach(add);
  rolloutReadAttacks(tokens).forEach(add);
  return list;
}

const JOIN = 'POST /v1/rooms/{room_name}/meetings/{meeting_id}/join';
const START = 'POST /v1/meetings/{meeting_id}/recordings/start';
const INSTANCE_ID = '6f1c2a4e-3b7d-4c5e-9a8b-1d2e3f4a5b6c';

/**
 * Joining a meeting by its id, and starting a recording of one (SPEC §10): ids that are not the
 * room's meeting, meetings no longer active, a Whereby meeting, and start bodies of the wrong
 * shape. None reaches a provider, so none changes anything there or here.
 */
function joinAndStartAttacks(fixture: Fixture): Attack[] {
  const list: Attack[] = [];
  const whereby = fixture.meetings[ROOMS.whereby]!;
  const daily = fixture.meetings[ROOMS.daily]!;
  const ended = fixture.endedMeeting;
  const joins: [string, string, string, number][] = [
    ['an unknown room', 'proof-no-such-room', String(daily.id), 404],
    ['an unknown meeting', ROOMS.daily, randomUUID(), 404],
    ['another room’s meeting', ROOMS.daily, String(whereby.id), 404],
    ['an id with SQL in it', ROOMS.daily, encodeURIComponent("x' OR '1'='1"), 404],
    ['a room name against the rule', 'Proof-Daily', String(daily.id), 404],
    ['a meeting retired two hours ago', ROOMS.ended, String(ended.id), 400],
  ];
  for (const [what, room, meetingId, status] of joins) {
    list.push({
      kind: status === 404 ? 'unknown ids and paths' : 'join: meeting not of the room, or no longer active',
      operation: JOIN,
      what,
      method: 'POST',
      path: `/v1/rooms/${room}/meetings/${meetingId}/join`,
      expect: [status],
    });
  }

  const start = (meetingId: string) => `/v1/meetings/${meetingId}/recordings/start`;
  const valid = { type: 'cloud', instanceId: INSTANCE_ID };
  const starts: [Kind, string, string, Json, number][] = [
    ['unknown ids and paths', 'an unknown meeting', randomUUID(), valid, 404],
    ['recording start: not a Daily meeting, or no longer active', 'a Whereby meeting', String(whereby.id), valid, 400],
    ['recording start: not a Daily meeting, or no longer active', 'a retired meeting', String(ended.id), valid, 400],
  ];
  for (const type of ['local', 'none', 'CLOUD', 'cloud-audio-only', '', 1, null, ['cloud'], { type: 'cloud' }])
    starts.push(['wrong types', `type ${J(type)}`, String(daily.id), { ...valid, type }, 422]);
  for (const instanceId of [
    'not-a-uuid',
    '',
    42,
    null,
    [INSTANCE_ID],
    `${INSTANCE_ID}0`,
    ` ${INSTANCE_ID}`,
    INSTANCE_ID.replace(/-/g, ''),
    "'; DELETE FROM recordings;--",
    'x'.repeat(10_000),
  ])
    starts.push([
      'wrong types',
      `instanceId ${J(instanceId).slice(0, 40)}`,
      String(daily.id),
      { ...valid, instanceId },
      422,
    ]);
  starts.push(['wrong types', 'no instanceId', String(daily.id), { type: 'cloud' }, 422]);
  starts.push(['wrong types', 'no type', String(daily.id), { instanceId: INSTANCE_ID }, 422]);
  for (const extra of [{ layout: 'grid' }, { room_name: ROOMS.whereby }, { instance_id: INSTANCE_ID }])
    starts.push(['unknown fields', J(extra), String(daily.id), { ...valid, ...extra }, 422]);
  for (const [kind, what, meetingId, body, status] of starts) {
    list.push({
      kind,
      operation: START,
      what,
      method: 'POST',
      path: start(meetingId),
      headers: json(),
      body: J(body),
      expect: [status],
    });
  }
  return list;
}

/** For an operation this suite has no specific cases for (a newer route): credentials that must not pass. */
export function genericAttacks(operation: string, tokens: Tokens): Attack[] {
  const [method, template] = operation.split(' ') as [string, string];
  const path = template.replace(/\{[^}]+\}/g, 'proof-unknown');
  const credentials = tokens.bad.filter((credential) => !credential.anonymous || method === 'GET');
  return [
    ...credentials.map((credential) => ({
      kind: 'missing/forged/expired/garbage credentials' as const,
      operation,
      what: credential.name,
      method,
      path,
      headers: { 'content-type': 'application/json', ...credential.headers },
      body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      expect: [400, 401, 403, 404, 415, 422],
    })),
    ...(method === 'GET'
      ? [
          {
            kind: 'not allowed (non-owner, non-admin)' as const,
            operation,
            what: 'a signed-in user without the right',
            method,
            path,
            headers: bearer(tokens.stranger),
            expect: [403, 404, 422],
          },
        ]
      : []),
  ];
}
