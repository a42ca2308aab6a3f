import { env } from 'cloudflare:workers';
import { SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, call, createRoom, OWNER, requestWith, resetWorld, servers, tokenFor } from './helpers';

// Sign-in itself, tried on GET /v1/rooms: which tokens and sign-in settings pass, and the reason a
// refused token is given. route-security.test.ts checks that every protected route refuses the
// bad tokens; this file is not one route's, so it is not split into happy path, errors, security.

beforeEach(resetWorld);

const listRooms = (token: string) => call('GET', '/v1/rooms', { token });

describe('sign-in with the identity provider’s JWTs', () => {
  it('accepts RS256 and ES256 tokens from the JWKS', async () => {
    expect((await listRooms(await tokenFor(OWNER, { key: 'rsa' }))).status).toBe(200);
    expect((await listRooms(await tokenFor(OWNER, { key: 'ec' }))).status).toBe(200);
  });

  it('accepts the Cloudflare Access header and cookie', async () => {
    const token = await tokenFor(OWNER);
    expect((await call('GET', '/v1/rooms', { headers: { 'cf-access-jwt-assertion': token } })).status).toBe(200);
    expect((await call('GET', '/v1/rooms', { headers: { cookie: `CF_Authorization=${token}` } })).status).toBe(200);
  });

  it.each([
    ['signed by a key the JWKS does not hold', () => tokenFor(OWNER, { key: 'unknown' }), 'not valid'],
    ['expired', () => tokenFor(OWNER, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), 'expired'],
    ['from another issuer', () => tokenFor(OWNER, { issuer: 'https://evil.test/' }), 'iss'],
    ['for another audience', () => tokenFor(OWNER, { audience: 'another-service' }), 'aud'],
    ['not a JWT', async () => 'not-a-token', 'not valid'],
    [
      'tampered',
      async () =>
        (await tokenFor(OWNER)).replace(/\.[^.]+\./, `.${btoa(JSON.stringify({ sub: ADMIN })).replace(/=+$/, '')}.`),
      'not valid',
    ],
  ])('refuses a token %s with 401', async (_, token, why) => {
    const response = await listRooms(await token());
    expect(response.status).toBe(401);
    expect(response.body?.detail).toContain(why);
  });

  it('refuses unsigned tokens (alg none) and symmetric ones', async () => {
    const unsigned = `${btoa(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${btoa(
      JSON.stringify({ sub: ADMIN, iss: servers.identity.issuer, aud: servers.identity.audience, exp: 9999999999 }),
    )}.`.replace(/=/g, '');
    expect((await listRooms(unsigned)).status).toBe(401);
    const hmac = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(ADMIN)
      .setIssuer(servers.identity.issuer)
      .setAudience(servers.identity.audience)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('guessable-secret-of-thirty-two-bytes!'));
    expect((await listRooms(hmac)).status).toBe(401);
  });

  it('answers 503 naming the setting when the identity provider is half configured', async () => {
    const response = await requestWith(
      '/v1/rooms',
      { headers: { authorization: `Bearer ${await tokenFor(OWNER)}` } },
      { ...env, AUTH_ISSUER: '' },
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      detail: expect.stringContaining('AUTH_ISSUER is not set'),
      code: 'not-configured',
      request_id: response.headers.get('x-request-id'),
    });
  });
});

describe('an identity provider that cannot be reached', () => {
  const trouble = (path: string) => new URL(path, servers.identity.jwksUrl).href;
  // Nothing listens on port 1 of the loopback address: the connection is refused.
  const refused = 'http://127.0.0.1:1/.well-known/jwks.json';

  it.each([
    ['refuses the connection', refused],
    ['answers 500', trouble('/trouble/500')],
    ['answers 503', trouble('/trouble/503')],
    ['answers a redirect', trouble('/trouble/redirect')],
    ['answers HTML instead of JSON', trouble('/trouble/not-json')],
    ['answers JSON that is not a key set', trouble('/trouble/not-a-key-set')],
  ])('answers 503 "try again", not 401, when it %s', async (_, jwksUrl) => {
    const bindings = { ...env, AUTH_JWKS_URL: jwksUrl };
    const token = await tokenFor(OWNER);
    const response = await requestWith('/v1/rooms', { headers: { authorization: `Bearer ${token}` } }, bindings);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      detail: expect.stringMatching(/identity provider.*try again/),
      code: 'unavailable',
      request_id: response.headers.get('x-request-id'),
    });

    // A guest presenting no token does not need the keys: joining still works.
    await createRoom(OWNER, { name: 'keys-away' });
    const joined = await requestWith('/v1/rooms/keys-away/meeting', { method: 'POST' }, bindings);
    expect(joined.status).toBe(200);
    // A token that cannot be checked is not taken as anonymous either: no meeting is handed out on it.
    const withToken = await requestWith(
      '/v1/rooms/keys-away/meeting',
      { method: 'POST', headers: { authorization: `Bearer ${token}` } },
      bindings,
    );
    expect(withToken.status).toBe(503);
  });

  it('answers 503 when it does not answer within the timeout', async () => {
    const response = await requestWith(
      '/v1/rooms',
      { headers: { authorization: `Bearer ${await tokenFor(OWNER)}` } },
      { ...env, AUTH_JWKS_URL: trouble('/trouble/silent') },
    );
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: 'unavailable' });
  });
});

describe('the development login', () => {
  const local = { ...env, AUTH_JWKS_URL: '', ENVIRONMENT: 'development' };

  it('signs everyone in as the local admin in development without an identity provider', async () => {
    const created = await requestWith(
      '/v1/rooms',
      { method: 'POST', body: JSON.stringify({ name: 'local-room' }), headers: { 'content-type': 'application/json' } },
      local,
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ user_id: 'local-admin' });
    expect((await requestWith('/v1/flags', {}, local)).status).toBe(200);
  });

  it('is impossible in production', async () => {
    const response = await requestWith('/v1/rooms', {}, { ...local, ENVIRONMENT: 'production' });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      detail: expect.stringContaining('AUTH_JWKS_URL is not set'),
      code: 'not-configured',
      request_id: response.headers.get('x-request-id'),
    });
  });

  it('is impossible once AUTH_JWKS_URL is set, whatever ENVIRONMENT says', async () => {
    const response = await requestWith('/v1/rooms', {}, { ...env, ENVIRONMENT: 'development' });
    expect(response.status).toBe(401);
  });

  // SPEC §14: only ENVIRONMENT=development, exactly, is development; anything else is production.
  it.each([
    ['missing', undefined],
    ['blank', ''],
    ['only spaces', '   '],
    ['misspelled', 'developement'],
    ['another name', 'staging'],
    ['in capitals', 'Development'],
    ['padded', ' development '],
  ])('is impossible when ENVIRONMENT is %s: the deploy counts as production', async (_, value) => {
    const bindings = { ...local, ENVIRONMENT: value };
    const created = await requestWith(
      '/v1/rooms',
      { method: 'POST', body: JSON.stringify({ name: 'never-made' }), headers: { 'content-type': 'application/json' } },
      bindings,
    );
    expect(created.status).toBe(503);
    expect(await created.json()).toEqual({
      detail: expect.stringContaining('AUTH_JWKS_URL is not set'),
      code: 'not-configured',
      request_id: created.headers.get('x-request-id'),
    });
    expect((await requestWith('/v1/flags', {}, bindings)).status).toBe(503);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM rooms WHERE name = 'never-made'").first())?.n).toBe(0);

    const health = await requestWith('/v1/health', {}, bindings);
    expect(await health.json()).toMatchObject({ environment: 'production', integrations: { sign_in: 'none' } });
  });

  it('shows the development login on /v1/health only in development', async () => {
    const health = await requestWith('/v1/health', {}, local);
    expect(await health.json()).toMatchObject({
      environment: 'development',
      integrations: { sign_in: 'development-login' },
    });
  });
});
