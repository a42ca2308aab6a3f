// The hostile requests: their kinds, the lists of them (the API's operations, the webhooks, and
// generic ones for any operation of the OpenAPI document the lists do not name), sending them, and
// judging each answer.

import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  dailyEvent,
  dailyParticipant,
  deliveryHeaders,
  wherebyClient,
  wherebyEvent,
  wherebySignature,
} from '../../dev/provider-webhooks.ts';
import { RESERVED_ROOM_NAMES } from '../../domain/rooms.ts';
import { ROOT } from '../local/root.ts';
import { ADMIN, EXEMPT_ADDRESS, type Fixture, PROOF_CONSENT_KEY, ROOMS, type Secrets, type Tokens } from './setup.ts';
import { bearer, type Headers, J, type Json, seconds, send } from './wire.ts';

// ---------------------------------------------------------------------------------------------
// The hostile requests.

type Kind =
  | 'malformed JSON'
  | 'wrong types'
  | 'unknown fields'
  | 'invalid room names'
  | 'over-long names'
  | 'bad query'
  | 'wrong content type'
  | 'missing/forged/expired/garbage credentials'
  | 'not allowed (non-owner, non-admin)'
  | 'unknown ids and paths'
  | 'wrong method'
  | 'conflict'
  | 'webhook: bad or missing signature'
  | 'webhook: stale or future timestamp'
  | 'webhook: wrong secret'
  | 'webhook: tampered body'
  | 'webhook: authentic but malformed'
  | 'webhook: replay of an applied event'
  | 'webhook: Daily ping'
  | 'oversized body'
  | 'wrong pipeline token'
  | 'consent: meeting ended over an hour ago'
  | 'consent: repeated answer'
  | 'consent: malformed consent_key'
  | 'rate limit: joins of one room from one address'
  | 'rate limit: answers in one meeting from one address'
  | 'rate limit: refused webhooks from one address'
  | 'rate limit: what it must not hold back'
  | 'pipeline: nothing to delete now';

interface Attack {
  kind: Kind;
  /** The OpenAPI operation it aims at, `METHOD /v1/path/{param}`; null for paths outside the API. */
  operation: string | null;
  what: string;
  method: string;
  path: string;
  headers?: Headers;
  body?: string | Buffer | (() => ReadableStream<Uint8Array>);
  /** The statuses the routes give for this input. */
  expect: number[];
  /** For a documented 200: what its body must be. */
  expectBody?: Json;
  /** The client's address (CF-Connecting-IP); when absent, one of its own (see runAttack). */
  from?: string;
  /** Headers made when the request is sent (a signature whose time matters), over `headers`. */
  sign?: () => Promise<Headers>;
}

export interface Outcome {
  attack: Attack;
  status: number | null;
  body: Json | null;
  text: string;
  requestId: string | null;
  retryAfter: string | null;
  error?: string;
}

const json = (token?: string, extra: Headers = {}): Headers => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...extra,
});

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
    { operation: 'GET /v1/flags', method: 'GET', path: '/v1/flags' },
    { operation: 'PUT /v1/flags', method: 'PUT', path: '/v1/flags', body: validFlags },
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
    add({
      kind: 'unknown ids and paths',
      operation: 'POST /v1/rooms/{room_name}/meeting',
      what: name.length > 40 ? `${name.length} characters` : name,
      method: 'POST',
      path: `/v1/rooms/${name}/meeting`,
      expect: [404],
    });
  }
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

  // --- Webhooks.
  (await webhookAttacks(fixture, secrets)).forEach(add);
  return list;
}

async function webhookAttacks(fixture: Fixture, secrets: Secrets): Promise<Attack[]> {
  const list: Attack[] = [];
  const dailyRoom = fixture.meetings[ROOMS.daily]!.room_name as string;
  const wherebyRoom = fixture.meetings[ROOMS.whereby]!.room_name as string;
  const wherebyId = fixture.wherebyIds[ROOMS.whereby]!;
  const now = seconds();
  const D = { operation: 'POST /v1/daily/webhook', method: 'POST', path: '/v1/daily/webhook' } as const;
  const W = { operation: 'POST /v1/whereby', method: 'POST', path: '/v1/whereby' } as const;

  // Daily: a well-formed event of a new participant, so only the signature stands between it and a change.
  const dailyBody = J(dailyEvent('participant.joined', dailyParticipant(dailyRoom, 'intruder')));
  const good = await deliveryHeaders('daily', dailyBody, secrets.daily);
  const signature: [string, Headers][] = [
    ['no signature headers', { 'content-type': 'application/json' }],
    [
      'signature without timestamp',
      { 'content-type': 'application/json', 'x-webhook-signature': good['x-webhook-signature']! },
    ],
    [
      'timestamp without signature',
      { 'content-type': 'application/json', 'x-webhook-timestamp': good['x-webhook-timestamp']! },
    ],
    ['garbage signature', { ...good, 'x-webhook-signature': 'abcd' }],
    ['signature not base64', { ...good, 'x-webhook-signature': '!!!not base64!!!' }],
    ['empty signature', { ...good, 'x-webhook-signature': '' }],
    [
      'signature of another body',
      await deliveryHeaders(
        'daily',
        J(dailyEvent('participant.joined', dailyParticipant(dailyRoom, 'someone-else'))),
        secrets.daily,
        good['x-webhook-timestamp'],
      ),
    ],
    ['signature with its timestamp changed', { ...good, 'x-webhook-timestamp': String(now + 1) }],
    [
      'hex instead of base64',
      { ...good, 'x-webhook-signature': Buffer.from(good['x-webhook-signature']!, 'base64').toString('hex') },
    ],
    ['timestamp "now"', await deliveryHeaders('daily', dailyBody, secrets.daily, 'now')],
    ['timestamp negative', await deliveryHeaders('daily', dailyBody, secrets.daily, '-5')],
    ['timestamp in exponent form', await deliveryHeaders('daily', dailyBody, secrets.daily, '1.7e9')],
    ['timestamp empty', { ...good, 'x-webhook-timestamp': '' }],
  ];
  for (const [what, headers] of signature)
    list.push({ kind: 'webhook: bad or missing signature', ...D, what, headers, body: dailyBody, expect: [401] });
  // Timestamps taken when the request is sent, not when the list is made: the list waits for the
  // snapshot and its turn in the pool, and "6 minutes ahead" made then would be inside the 5 minutes
  // by the time it is sent.
  const stale: [string, (sentAt: number) => number | string][] = [
    ['6 minutes old', (t) => t - 360],
    ['an hour old', (t) => t - 3600],
    ['a year old', (t) => t - 365 * 86400],
    ['zero', () => 0],
    ['6 minutes ahead', (t) => t + 360],
    ['a day ahead', (t) => t + 86400],
    ['6 minutes old, in ms', (t) => (t - 360) * 1000],
    ['huge', () => '99999999999999999999'],
  ];
  for (const [what, timestamp] of stale)
    list.push({
      kind: 'webhook: stale or future timestamp',
      ...D,
      what,
      sign: () => deliveryHeaders('daily', dailyBody, secrets.daily, timestamp(seconds())),
      body: dailyBody,
      expect: [401],
    });
  const otherSecret = randomBytes(32).toString('base64');
  list.push({
    kind: 'webhook: wrong secret',
    ...D,
    what: 'another secret',
    headers: await deliveryHeaders('daily', dailyBody, otherSecret),
    body: dailyBody,
    expect: [401],
  });
  list.push({
    kind: 'webhook: wrong secret',
    ...D,
    what: 'the secret’s base64 text used as the key',
    // Keyed with the secret's text: the base64 of that text decodes back to it.
    headers: await deliveryHeaders('daily', dailyBody, btoa(secrets.daily), now),
    body: dailyBody,
    expect: [401],
  });
  list.push({
    kind: 'webhook: wrong secret',
    ...D,
    what: 'Whereby’s secret',
    headers: await deliveryHeaders('daily', dailyBody, Buffer.from(secrets.whereby).toString('base64')),
    body: dailyBody,
    expect: [401],
  });
  const tamper: [string, string][] = [
    ['session id changed', dailyBody.replace('intruder', 'intruder2')],
    ['room changed', dailyBody.replace(dailyRoom, ROOMS.burstDaily)],
    ['type changed', dailyBody.replace('participant.joined', 'participant.left')],
    ['event id changed', dailyBody.replace(/"id":"[^"]+"/, `"id":"${randomUUID()}"`)],
    ['a field added', dailyBody.replace('{"room"', '{"owner_override":true,"room"')],
    ['truncated', dailyBody.slice(0, -1)],
  ];
  for (const [what, body] of tamper)
    list.push({ kind: 'webhook: tampered body', ...D, what, headers: good, body, expect: [401] });

  const signedDaily = async (what: string, body: string) =>
    list.push({
      kind: 'webhook: authentic but malformed',
      ...D,
      what,
      headers: await deliveryHeaders('daily', body, secrets.daily),
      body,
      expect: [400],
    });
  const person = dailyParticipant(dailyRoom, 'malformed');
  await signedDaily('not JSON', 'hello');
  await signedDaily('cut-off JSON', '{"type":"participant.joined","id":');
  await signedDaily('an array', '[]');
  await signedDaily('null', 'null');
  await signedDaily('an empty object', '{}');
  await signedDaily('no event id', J({ version: '1.0.0', type: 'participant.joined', payload: person, event_ts: now }));
  await signedDaily('an empty event id', J({ ...dailyEvent('participant.joined', person), id: '' }));
  await signedDaily('type a number', J({ ...dailyEvent('participant.joined', person), type: 5 }));
  await signedDaily('payload an array', J(dailyEvent('participant.joined', [person])));
  await signedDaily('payload null', J(dailyEvent('participant.joined', null)));
  await signedDaily('event_ts text', J({ ...dailyEvent('participant.joined', person), event_ts: 'yesterday' }));
  await signedDaily(
    'participant without session_id',
    J(dailyEvent('participant.joined', { ...person, session_id: undefined })),
  );
  await signedDaily('participant with an empty room', J(dailyEvent('participant.joined', { ...person, room: '' })));
  await signedDaily('joined_at text', J(dailyEvent('participant.joined', { ...person, joined_at: '2026-01-01' })));
  await signedDaily('joined_at negative', J(dailyEvent('participant.joined', { ...person, joined_at: -1 })));
  await signedDaily('left with a negative duration', J(dailyEvent('participant.left', { ...person, duration: -3 })));
  await signedDaily(
    'meeting.started without start_ts',
    J(dailyEvent('meeting.started', { room: dailyRoom, meeting_id: 'm' })),
  );
  await signedDaily(
    'meeting.ended with end_ts text',
    J(dailyEvent('meeting.ended', { room: dailyRoom, start_ts: now - 60, end_ts: 'later' })),
  );
  await signedDaily(
    'recording ready without recording_id',
    J(dailyEvent('recording.ready-to-download', { room_name: dailyRoom, start_ts: now, status: 'finished' })),
  );
  await signedDaily(
    'recording ready with tracks lacking keys',
    J(
      dailyEvent('recording.ready-to-download', {
        recording_id: 'r-x',
        room_name: dailyRoom,
        start_ts: now,
        tracks: [{ type: 'cam-audio' }],
      }),
    ),
  );
  await signedDaily(
    'recording.error without error_msg',
    J(dailyEvent('recording.error', { room_name: dailyRoom, timestamp: now })),
  );
  await signedDaily(
    'recording.started with start_ts text',
    J(dailyEvent('recording.started', { recording_id: 'r-y', start_ts: 'now' })),
  );
  // A start no date can hold (past the year 275760): no object key can be made of it.
  await signedDaily(
    'recording ready with start_ts 1e16',
    J(
      dailyEvent('recording.ready-to-download', {
        recording_id: 'r-z',
        room_name: dailyRoom,
        start_ts: 1e16,
        status: 'finished',
      }),
    ),
  );
  // Deep nesting: parsed, never recursed into on the way to a 400.
  await signedDaily('100 000 nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  list.push({
    kind: 'webhook: bad or missing signature',
    ...D,
    what: '100 000 nested arrays, unsigned',
    headers: { 'content-type': 'application/json' },
    body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    expect: [401],
  });

  // Whereby.
  const wherebyBody = J(wherebyEvent('room.client.joined', wherebyClient(wherebyId, wherebyRoom, 'intruder')));
  const wGood = await deliveryHeaders('whereby', wherebyBody, secrets.whereby);
  const [, wTime, wSig] = /t=(\d+),v1=([0-9a-f]+)/.exec(wGood['whereby-signature']!)!;
  const wSignature: [string, string | undefined][] = [
    ['no signature header', undefined],
    ['empty header', ''],
    ['no v1=', `t=${wTime}`],
    ['no t=', `v1=${wSig}`],
    ['t= not a number', `t=soon,v1=${wSig}`],
    ['v1= not hex', `t=${wTime},v1=zz${wSig!.slice(2)}`],
    ['v1= of odd length', `t=${wTime},v1=${wSig!.slice(1)}`],
    ['v1= empty', `t=${wTime},v1=`],
    ['v1= garbage', `t=${wTime},v1=deadbeef`],
    ['timestamp changed after signing', `t=${Number(wTime) + 1},v1=${wSig}`],
    ['base64 instead of hex', `t=${wTime},v1=${Buffer.from(wSig!, 'hex').toString('base64')}`],
    [
      'signature of another body',
      (
        await wherebySignature(
          J(wherebyEvent('room.client.joined', wherebyClient(wherebyId, wherebyRoom, 'x'))),
          secrets.whereby,
          wTime,
        )
      )['whereby-signature'],
    ],
  ];
  for (const [what, header] of wSignature) {
    list.push({
      kind: 'webhook: bad or missing signature',
      ...W,
      what,
      headers: { 'content-type': 'application/json', ...(header === undefined ? {} : { 'whereby-signature': header }) },
      body: wherebyBody,
      expect: [401],
    });
  }
  for (const [what, timestamp] of stale.slice(0, 6))
    list.push({
      kind: 'webhook: stale or future timestamp',
      ...W,
      what,
      sign: () => deliveryHeaders('whereby', wherebyBody, secrets.whereby, timestamp(seconds())),
      body: wherebyBody,
      expect: [401],
    });
  list.push({
    kind: 'webhook: wrong secret',
    ...W,
    what: 'another secret',
    headers: await deliveryHeaders('whereby', wherebyBody, randomBytes(24).toString('hex')),
    body: wherebyBody,
    expect: [401],
  });
  list.push({
    kind: 'webhook: wrong secret',
    ...W,
    what: 'Daily’s secret',
    headers: await deliveryHeaders('whereby', wherebyBody, secrets.daily),
    body: wherebyBody,
    expect: [401],
  });
  const wTamper: [string, string][] = [
    ['participant changed', wherebyBody.replace('intruder', 'intruder2')],
    [
      'meeting changed',
      wherebyBody.replace(`"meetingId":"${wherebyId}"`, `"meetingId":"${fixture.wherebyIds[ROOMS.burstWhereby]}"`),
    ],
    ['type changed', wherebyBody.replace('room.client.joined', 'room.client.left')],
    ['event id changed', wherebyBody.replace(/^\{"id":"[^"]+"/, `{"id":"${randomUUID()}"`)],
  ];
  for (const [what, body] of wTamper)
    list.push({ kind: 'webhook: tampered body', ...W, what, headers: wGood, body, expect: [401] });

  const signedWhereby = async (what: string, body: string) =>
    list.push({
      kind: 'webhook: authentic but malformed',
      ...W,
      what,
      headers: await deliveryHeaders('whereby', body, secrets.whereby),
      body,
      expect: [400],
    });
  const client = wherebyClient(wherebyId, wherebyRoom, 'malformed');
  await signedWhereby('not JSON', 'hello');
  await signedWhereby('an array', '[]');
  await signedWhereby('an empty object', '{}');
  await signedWhereby(
    'no event id',
    J({ apiVersion: '1.0', createdAt: new Date().toISOString(), type: 'room.client.joined', data: client }),
  );
  await signedWhereby(
    'createdAt not a date',
    J({ ...wherebyEvent('room.client.joined', client), createdAt: 'yesterday' }),
  );
  await signedWhereby(
    'createdAt a number',
    J({ ...wherebyEvent('room.client.joined', client), createdAt: Date.now() }),
  );
  await signedWhereby('data an array', J(wherebyEvent('room.client.joined', [client])));
  await signedWhereby('type a number', J({ ...wherebyEvent('room.client.joined', client), type: 7 }));
  await signedWhereby(
    'client without participantId',
    J(wherebyEvent('room.client.joined', { ...client, participantId: undefined })),
  );
  await signedWhereby(
    'client without meetingId',
    J(wherebyEvent('room.client.left', { ...client, meetingId: undefined })),
  );
  await signedWhereby(
    'client with an empty meetingId',
    J(wherebyEvent('room.client.joined', { ...client, meetingId: '' })),
  );
  await signedWhereby(
    'session event with meetingId a number',
    J(wherebyEvent('room.session.started', { meetingId: 12345, roomName: `/${wherebyRoom}` })),
  );
  await signedWhereby(
    'recording without filename',
    J(wherebyEvent('recording.finished', { recordingId: 'w-x', roomName: `/${wherebyRoom}`, meetingId: wherebyId })),
  );
  await signedWhereby(
    'recording without roomName',
    J(wherebyEvent('recording.finished', { recordingId: 'w-y', filename: 'x.mp4' })),
  );

  // Oversized, signed or not, with a length or streamed without one.
  const big = (bytes: number) =>
    J({ ...dailyEvent('participant.joined', dailyParticipant(dailyRoom, 'big')), padding: 'x'.repeat(bytes) });
  const mb = 1024 * 1024;
  const over = big(mb);
  list.push({
    kind: 'oversized body',
    ...D,
    what: 'just over 1 MB, signed',
    headers: await deliveryHeaders('daily', over, secrets.daily),
    body: over,
    expect: [413],
  });
  list.push({
    kind: 'oversized body',
    ...D,
    what: '5 MB, unsigned',
    headers: { 'content-type': 'application/json' },
    body: big(5 * mb),
    expect: [413],
  });
  list.push({
    kind: 'oversized body',
    ...D,
    what: '2 MB streamed without a length, signed',
    headers: await deliveryHeaders('daily', big(2 * mb), secrets.daily),
    body: streamOf(big(2 * mb)),
    expect: [413],
  });
  const wOver = J({ ...wherebyEvent('room.client.joined', client), padding: 'x'.repeat(mb) });
  list.push({
    kind: 'oversized body',
    ...W,
    what: 'just over 1 MB, signed',
    headers: await deliveryHeaders('whereby', wOver, secrets.whereby),
    body: wOver,
    expect: [413],
  });
  list.push({
    kind: 'oversized body',
    ...W,
    what: '3 MB streamed without a length, unsigned',
    headers: { 'content-type': 'application/json' },
    body: streamOf(J({ padding: 'x'.repeat(3 * mb) })),
    expect: [413],
  });

  // Daily's verification ping: 200, nothing else.
  list.push({
    kind: 'webhook: Daily ping',
    ...D,
    what: '{"test":"test"}',
    headers: { 'content-type': 'application/json' },
    body: '{"test":"test"}',
    expect: [200],
    expectBody: { status: 'ok' },
  });
  list.push({
    kind: 'webhook: Daily ping',
    ...D,
    what: 'the ping with spaces',
    headers: { 'content-type': 'application/json' },
    body: '{ "test" : "test" }',
    expect: [200],
    expectBody: { status: 'ok' },
  });

  // Replays of the events applied during set-up: re-signed now, as a provider's retry would be, and as first sent.
  for (const applied of fixture.applied) {
    const target = applied.provider === 'daily' ? D : W;
    const type = (JSON.parse(applied.body) as Json).type as string;
    const fresh = await deliveryHeaders(applied.provider, applied.body, secrets[applied.provider]);
    list.push({
      kind: 'webhook: replay of an applied event',
      ...target,
      what: `${applied.provider} ${type}, re-signed`,
      headers: fresh,
      body: applied.body,
      expect: [200],
      expectBody: { status: 'duplicate' },
    });
    // Within the 5 minutes, the very same request is also only a duplicate.
    if (Date.now() - applied.sentAt < 240_000) {
      list.push({
        kind: 'webhook: replay of an applied event',
        ...target,
        what: `${applied.provider} ${type}, byte for byte`,
        headers: applied.headers,
        body: applied.body,
        expect: [200],
        expectBody: { status: 'duplicate' },
      });
    }
    const old = seconds() - 3600;
    const stale = await deliveryHeaders(applied.provider, applied.body, secrets[applied.provider], old);
    list.push({
      kind: 'webhook: stale or future timestamp',
      ...target,
      what: `${applied.provider} ${type} replayed with an hour-old signature`,
      headers: stale,
      body: applied.body,
      expect: [401],
    });
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Rate limits (SPEC §14), at wrangler.toml's own limits. Their answers depend on the order, so each
// run comes from addresses of its own, one request at a time, all within one window of the limits
// (locally a fixed window aligned to the clock's minutes: see runRateLimits). Each run ends with
// what the limit must not hold back: another room, meeting or address, an exempt address, and a
// provider's authentic delivery. Every request here changes nothing even when it is let through
// (joins of a meeting nobody is in, answers that fail validation, refused or repeated webhooks),
// and the one that would change something (a valid answer) comes past the limit: the snapshots
// before and after the hostile requests prove it was not taken.

/** A `[[ratelimits]]` binding of wrangler.toml: its limit and period. */
function rateLimitOf(binding: string): { limit: number; periodSeconds: number } {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const found = new RegExp(`name = "${binding}"[^[]*?limit = (\\d+), period = (\\d+)`).exec(toml);
  if (!found) throw new Error(`wrangler.toml has no [[ratelimits]] ${binding} with a simple limit and period`);
  return { limit: Number(found[1]), periodSeconds: Number(found[2]) };
}

const RATE_LIMIT_BINDINGS = ['RATE_LIMIT_MEETINGS', 'RATE_LIMIT_ANSWERS', 'RATE_LIMIT_WEBHOOKS'] as const;

/** Addresses of the rate-limit runs (TEST-NET-1), none of them another attack's. */
const LIMITED = {
  joins: '192.0.2.1',
  joinsElsewhere: '192.0.2.2',
  answers: '192.0.2.3',
  answersElsewhere: '192.0.2.4',
  webhooks: '192.0.2.5',
  webhooksElsewhere: '192.0.2.6',
};

export async function rateLimitAttacks(fixture: Fixture, secrets: Secrets): Promise<Attack[]> {
  const joins = rateLimitOf('RATE_LIMIT_MEETINGS').limit;
  const answers = rateLimitOf('RATE_LIMIT_ANSWERS').limit;
  const refusals = rateLimitOf('RATE_LIMIT_WEBHOOKS').limit;
  const list: Attack[] = [];
  const meeting = fixture.meetings[ROOMS.limited]!;
  const other = fixture.meetings[ROOMS.limitedOther]!;
  const held = (what: string) => `${what}: held back`;

  // --- Joins of one room from one address: the limit's worth, then 429 (even for what would be a 401).
  const join = (
    kind: Kind,
    what: string,
    from: string,
    room: string,
    expect: number,
    headers: Headers = {},
  ): Attack => ({
    kind,
    operation: 'POST /v1/rooms/{room_name}/meeting',
    what,
    method: 'POST',
    path: `/v1/rooms/${room}/meeting`,
    from,
    headers,
    expect: [expect],
    // The meeting it already has: a join past nobody's limit changes nothing either.
    ...(expect === 200 ? { expectBody: { id: fixture.meetings[room]!.id } } : {}),
  });
  const joinsKind: Kind = 'rate limit: joins of one room from one address';
  const notHeld: Kind = 'rate limit: what it must not hold back';
  const [room, otherRoom] = [ROOMS.limited, ROOMS.limitedOther];
  for (let n = 1; n <= joins; n++) list.push(join(joinsKind, `join ${n} of ${joins}`, LIMITED.joins, room, 200));
  for (let n = 1; n <= 3; n++) list.push(join(joinsKind, held(`join ${joins + n}`), LIMITED.joins, room, 429));
  list.push(join(joinsKind, held('a garbage token past the limit'), LIMITED.joins, room, 429, bearer('not-a-jwt')));
  list.push(join(notHeld, 'the same address, another room', LIMITED.joins, otherRoom, 200));
  list.push(join(notHeld, 'another address, the same room', LIMITED.joinsElsewhere, room, 200));
  for (let n = 1; n <= joins + 5; n++)
    list.push(join(notHeld, `RATE_LIMIT_EXEMPT_IPS, join ${n}`, EXEMPT_ADDRESS, room, 200));

  // --- Answers in one meeting from one address: refused inputs count too; then a valid answer is held back.
  const answer = (
    kind: Kind,
    what: string,
    from: string,
    target: Json,
    body: string,
    expect: number,
    type = 'application/json',
  ): Attack => ({
    kind,
    operation: 'POST /v1/meetings/{meeting_id}/consent',
    what,
    method: 'POST',
    path: `/v1/meetings/${target.id}/consent`,
    from,
    headers: { 'content-type': type },
    body,
    expect: [expect],
  });
  const answersKind: Kind = 'rate limit: answers in one meeting from one address';
  const invalid = [
    { body: J({ consent_given: 'yes' }), expect: 422, type: 'application/json' },
    { body: '{"consent_given":', expect: 400, type: 'application/json' },
    { body: J({ consent_given: true }), expect: 415, type: 'text/plain' },
  ];
  for (let n = 1; n <= answers; n++) {
    const { body, expect, type } = invalid[n % invalid.length]!;
    list.push(
      answer(answersKind, `answer ${n} of ${answers} (${expect})`, LIMITED.answers, meeting, body, expect, type),
    );
  }
  for (const given of [false, true])
    list.push(
      answer(
        answersKind,
        held(`a valid answer (${given})`),
        LIMITED.answers,
        meeting,
        J({ consent_given: given }),
        429,
      ),
    );
  list.push(answer(notHeld, 'the same address, another meeting', LIMITED.answers, other, invalid[0]!.body, 422));
  list.push(
    answer(notHeld, 'another address, the same meeting', LIMITED.answersElsewhere, meeting, invalid[0]!.body, 422),
  );

  // --- Refused webhooks from one address: 401s up to the limit, then 429; authentic deliveries always pass.
  const D = { operation: 'POST /v1/daily/webhook', method: 'POST', path: '/v1/daily/webhook' } as const;
  const webhooksKind: Kind = 'rate limit: refused webhooks from one address';
  const forged = (n: number) => {
    const body = J(dailyEvent('participant.joined', dailyParticipant(meeting.room_name, `rate-intruder-${n}`)));
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-webhook-timestamp': String(seconds()),
        'x-webhook-signature': btoa(`forged-${n}`),
      },
    };
  };
  for (let n = 1; n <= refusals; n++)
    list.push({
      kind: webhooksKind,
      ...D,
      what: `forged delivery ${n} of ${refusals}`,
      from: LIMITED.webhooks,
      ...forged(n),
      expect: [401],
    });
  for (let n = 1; n <= 3; n++)
    list.push({
      kind: webhooksKind,
      ...D,
      what: held(`forged delivery ${refusals + n}`),
      from: LIMITED.webhooks,
      ...forged(refusals + n),
      expect: [429],
    });
  const malformed = '{"type":"participant.joined","id":';
  list.push({
    kind: webhooksKind,
    ...D,
    what: held('an authentic but malformed delivery'),
    from: LIMITED.webhooks,
    headers: await deliveryHeaders('daily', malformed, secrets.daily),
    body: malformed,
    expect: [429],
  });
  const applied = fixture.applied.find((delivery) => delivery.provider === 'daily');
  if (!applied) throw new Error('fixture: no applied Daily webhook to deliver again');
  list.push({
    kind: notHeld,
    ...D,
    what: 'an authentic delivery (a repeat) from the same address',
    from: LIMITED.webhooks,
    headers: await deliveryHeaders('daily', applied.body, secrets.daily),
    body: applied.body,
    expect: [200],
    expectBody: { status: 'duplicate' },
  });
  list.push({
    kind: notHeld,
    ...D,
    what: 'Daily’s ping from the same address',
    from: LIMITED.webhooks,
    headers: { 'content-type': 'application/json' },
    body: '{"test":"test"}',
    expect: [200],
    expectBody: { status: 'ok' },
  });
  list.push({
    kind: notHeld,
    operation: 'POST /v1/whereby',
    method: 'POST',
    path: '/v1/whereby',
    what: 'the same address at the other receiver',
    from: LIMITED.webhooks,
    headers: { 'content-type': 'application/json', 'whereby-signature': `t=${seconds()},v1=deadbeef` },
    body: J({ id: randomUUID(), type: 'room.client.joined' }),
    expect: [401],
  });
  list.push({
    kind: notHeld,
    ...D,
    what: 'another address, forged',
    from: LIMITED.webhooksElsewhere,
    ...forged(0),
    expect: [401],
  });
  return list;
}

/**
 * Sends the rate-limit attacks one at a time, all within one window of the limits: it waits for
 * the next window when less than `needSeconds` of this one are left. `crossed` says the run did
 * not fit (a machine far too slow), and then its answers cannot be judged against the limits.
 */
export async function runRateLimits(base: string, list: Attack[], needSeconds = 45) {
  const periods = RATE_LIMIT_BINDINGS.map((binding) => rateLimitOf(binding).periodSeconds);
  if (new Set(periods).size !== 1) throw new Error('the rate-limit runs expect one period for every binding');
  const period = periods[0]! * 1000;
  const left = period - (Date.now() % period);
  if (left < needSeconds * 1000) await sleep(left + 250);
  const window = Math.floor(Date.now() / period);
  const outcomes: Outcome[] = [];
  for (const attack of list) outcomes.push(await runAttack(base, attack));
  return { outcomes, crossed: Math.floor(Date.now() / period) !== window };
}

function streamOf(text: string): () => ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  return () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
          controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
        controller.close();
      },
    });
}

// Every hostile request comes from an address of its own, unless it names one: the rate limits
// (SPEC §14) count per client IP, and these requests are judged on what the routes answer for their
// input, which a 429 would hide. wrangler dev takes a client's CF-Connecting-IP as it is (it sets
// the header only when the request has none), as Cloudflare's edge never would.
let addresses = 0;
const ownAddress = () => {
  const n = ++addresses;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

export async function runAttack(base: string, attack: Attack): Promise<Outcome> {
  const body = typeof attack.body === 'function' ? attack.body() : attack.body;
  try {
    const answer = await send(`${base}${attack.path}`, {
      method: attack.method,
      headers: {
        'cf-connecting-ip': attack.from ?? ownAddress(),
        ...attack.headers,
        ...(attack.sign ? await attack.sign() : {}),
      },
      body,
      ...(typeof attack.body === 'function' ? { duplex: 'half' } : {}),
    } as RequestInit & { headers?: Headers });
    return {
      attack,
      status: answer.status,
      body: answer.body,
      text: answer.text,
      requestId: answer.headers.get('x-request-id'),
      retryAfter: answer.headers.get('retry-after'),
    };
  } catch (error) {
    return {
      attack,
      status: null,
      body: null,
      text: '',
      requestId: null,
      retryAfter: null,
      error:
        error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}` : String(error),
    };
  }
}

/** What is wrong with an answer, if anything. */
export function judge(outcome: Outcome): string | null {
  const { attack, status, body } = outcome;
  if (status === null) return `no answer (${outcome.error})`;
  if (status >= 500) return `answered ${status}: ${outcome.text.slice(0, 300)}`;
  if (!attack.expect.includes(status))
    return `answered ${status}, not ${attack.expect.join(' or ')}: ${outcome.text.slice(0, 300)}`;
  if (body === null) return `answered ${status} with a body that is not JSON: ${outcome.text.slice(0, 200)}`;
  if (status >= 400 && (typeof body.detail !== 'string' || body.detail.trim() === ''))
    return `answered ${status} without a detail: ${outcome.text.slice(0, 200)}`;
  if (status === 429 && (body.code !== 'rate-limited' || !/^[1-9]\d*$/.test(outcome.retryAfter ?? '')))
    return `answered 429 without code rate-limited and a Retry-After in seconds (code ${J(body.code)}, Retry-After ${J(outcome.retryAfter)})`;
  if (status < 400) {
    for (const [key, value] of Object.entries(attack.expectBody ?? {})) {
      if (body[key] !== value) return `answered ${status} with ${key} ${J(body[key])}, not ${J(value)}`;
    }
  }
  if (!outcome.requestId) return `answered ${status} without an X-Request-Id header`;
  return null;
}

export async function pool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

/** The API's operations as its OpenAPI document lists them: `METHOD /v1/path/{param}`. */
export async function operations(base: string): Promise<string[]> {
  const document = (await (await fetch(`${base}/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => `${method.toUpperCase()} ${path.startsWith('/v1') ? path : `/v1${path}`}`),
  );
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
