import { exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, createRoom, OWNER, resetWorld, STRANGER, standIn, tokenFor } from './helpers';

// The one error contract (SPEC §4): every non-2xx answer is {detail, code, field?, request_id},
// the code from a fixed list, request_id the answer's X-Request-Id, and the OpenAPI document
// says so for every error answer of every route.

const CODES = [
  'validation',
  'malformed',
  'unauthenticated',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'conflict',
  'too-large',
  'unsupported-media-type',
  'rate-limited',
  'internal',
  'provider-error',
  'provider-unavailable',
  'not-configured',
  'unavailable',
];

type Answer = Awaited<ReturnType<typeof call>>;

/** The answer is an error of the contract: this status and code, the field if named, its own request id. */
function expectError(answer: Answer, status: number, code: string, field?: string) {
  expect(answer.status).toBe(status);
  expect(Object.keys(answer.body ?? {}).sort()).toEqual(
    field === undefined ? ['code', 'detail', 'request_id'] : ['code', 'detail', 'field', 'request_id'],
  );
  expect(answer.body).toMatchObject({ code, detail: expect.stringMatching(/\w/) });
  if (field !== undefined) expect(answer.body?.field).toBe(field);
  expect(answer.body?.request_id).toBe(answer.headers.get('x-request-id'));
}

beforeEach(resetWorld);

describe('every error answer has one shape', () => {
  it('names the field of a validation error, from the path of the input at fault', async () => {
    const token = await tokenFor(OWNER);
    expectError(await call('POST', '/v1/rooms', { token, body: { name: 'Not A Name' } }), 422, 'validation', 'name');
    expectError(
      await call('POST', '/v1/rooms', { token, body: { name: 'fine', room_mode: 'party' } }),
      422,
      'validation',
      'room_mode',
    );
    expectError(
      await call('GET', '/v1/metrics?window=forever', { token: await tokenFor(ADMIN) }),
      422,
      'validation',
      'window',
    );
  });

  it('names an unknown key as the field, and a nested input by its path', async () => {
    const token = await tokenFor(OWNER);
    expectError(
      await call('POST', '/v1/rooms', { token, body: { name: 'fine', colour: 'blue' } }),
      422,
      'validation',
      'colour',
    );
    const admin = await tokenFor(ADMIN);
    const flags = { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [''], DAILY_MIGRATION_PERCENT: 0 };
    expectError(
      await call('PUT', '/v1/flags', { token: admin, body: flags }),
      422,
      'validation',
      'DAILY_MIGRATION_ROOM_IDS.0',
    );
  });

  it('gives each kind of refusal its code', async () => {
    const owner = await tokenFor(OWNER);
    expectError(await call('GET', '/v1/nowhere'), 404, 'not-found');
    expectError(await call('GET', '/v1/rooms'), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/rooms', { token: `${owner}x` }), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/flags', { token: owner }), 403, 'forbidden');
    expectError(await call('POST', '/v1/rooms', { token: owner, body: '{"name": ' }), 400, 'malformed');
    const asText = await exports.default.fetch(
      new Request('https://rooms.test/v1/rooms', {
        method: 'POST',
        headers: { authorization: `Bearer ${owner}`, 'content-type': 'text/plain' },
        body: 'name',
      }),
    );
    expectError(
      { status: asText.status, headers: asText.headers, body: await asText.json() },
      415,
      'unsupported-media-type',
    );
    await createRoom(OWNER, { name: 'taken' });
    expectError(await call('POST', '/v1/rooms', { token: owner, body: { name: 'taken' } }), 409, 'conflict');
    const room = await createRoom(OWNER, { name: 'theirs' });
    expectError(
      await call('PATCH', `/v1/rooms/${room.id}`, { token: await tokenFor(STRANGER), body: { is_locked: true } }),
      403,
      'forbidden',
    );
    expectError(await call('POST', '/v1/recordings/nope/processed'), 401, 'unauthenticated');
    expectError(
      await call('POST', '/v1/whereby', {
        headers: { 'content-type': 'application/json' },
        body: 'x'.repeat(1_100_000),
      }),
      413,
      'too-large',
    );
  });

  it('tells a provider refusing the call from a provider that is down', async () => {
    await createRoom(OWNER, { name: 'refused' });
    await standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', status: 400, body: { error: 'no' } });
    expectError(await call('POST', '/v1/rooms/refused/meeting'), 502, 'provider-error');

    // Down, with nowhere to fail over to: Daily is down too.
    await createRoom(OWNER, { name: 'down' });
    await standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', status: 500, times: 3 });
    await standIn.fault('daily', { method: 'POST', path: '^/v1/rooms$', status: 500, times: 3 });
    expectError(await call('POST', '/v1/rooms/down/meeting'), 503, 'provider-unavailable');
  });

  it('shares a failed creation with its waiters by code, not only by status', async () => {
    await createRoom(OWNER, { name: 'stampede-down' });
    await standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', status: 500, times: 100 });
    await standIn.fault('daily', { method: 'POST', path: '^/v1/rooms$', status: 500, times: 100 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', '/v1/rooms/stampede-down/meeting')),
    );
    for (const answer of answers) expectError(answer, 503, 'provider-unavailable');
  });
});

describe('the OpenAPI document', () => {
  interface Operation {
    security?: Record<string, string[]>[];
    responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  }

  it('declares the error schema for every error answer, and who may call every route', async () => {
    const { body } = await call('GET', '/v1/openapi.json');
    const document = body as {
      paths: Record<string, Record<string, Operation>>;
      components: {
        schemas: { Error: { properties: Record<string, { enum?: string[] }>; required: string[] } };
        securitySchemes: Record<string, unknown>;
      };
    };
    const error = document.components.schemas.Error;
    expect(error.required.sort()).toEqual(['code', 'detail', 'request_id']);
    expect(error.properties.code?.enum).toEqual(CODES);
    expect(Object.keys(error.properties).sort()).toEqual(['code', 'detail', 'field', 'request_id']);
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(
      ['accessCookie', 'accessHeader', 'bearer', 'dailySignature', 'pipeline', 'wherebySignature'].sort(),
    );

    const operations = Object.entries(document.paths)
      .filter(([path]) => path !== '/v1/openapi.json')
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
      );
    expect(operations.length).toBeGreaterThan(10);
    for (const { path, method, operation } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(operation.security, where).toBeDefined();
      const errors = Object.entries(operation.responses).filter(([status]) => Number(status) >= 400);
      expect(errors.length, where).toBeGreaterThan(0);
      for (const [status, answer] of errors)
        expect(answer.content?.['application/json']?.schema.$ref, `${where} ${status}`).toBe(
          '#/components/schemas/Error',
        );
    }
  });
});
