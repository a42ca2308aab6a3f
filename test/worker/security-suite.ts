import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { ADMIN, call, OWNER, STRANGER, tokenFor } from './helpers';

// The security cases every protected route shares (unkey's runCommonRouteTests):
// route-security.test.ts calls securitySuite() once for each protected route, and a route's own
// test file keeps in its security block only what this does not ask. A refused caller gets 401
// or 403 in the error contract's shape, and no table changes.

export interface ProtectedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path, made afresh for each case (e.g. a room of OWNER's, created by the callback). */
  path: () => string | Promise<string>;
  /** A body the route would accept from someone allowed. */
  body?: unknown;
  /**
   * Who may call it: any signed-in user; the room's owner (OWNER) or an administrator; or
   * administrators only.
   */
  access: 'signed-in' | 'owner' | 'admin';
}

type Token = () => Promise<string>;

const credentials: [string, Token | null][] = [
  ['an anonymous caller', null],
  ['a token signed by a key the identity provider never published', () => tokenFor(OWNER, { key: 'unknown' })],
  ['an expired token', () => tokenFor(OWNER, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
  ['a token for another audience', () => tokenFor(OWNER, { audience: 'another-service' })],
  ['a token from another issuer', () => tokenFor(OWNER, { issuer: 'https://impostor.example' })],
  ['a tampered token', async () => `${(await tokenFor(ADMIN)).slice(0, -4)}AAAA`],
  ['garbage for a token', async () => 'not.a.jwt'],
];

/** Every row of every table, to show a refused request changed nothing. */
async function everyRow(): Promise<Record<string, unknown[]>> {
  const { results: tables } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' AND name != 'metric_counts'",
  ).all<{ name: string }>();
  const rows: Record<string, unknown[]> = {};
  for (const { name } of tables) rows[name] = (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results;
  return rows;
}

async function expectRefused(route: ProtectedRoute, token: string | undefined, status: 401 | 403) {
  const path = await route.path();
  const before = await everyRow();
  const answer = await call(route.method, path, { token, body: route.body });
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({
    code: status === 401 ? 'unauthenticated' : 'forbidden',
    // Not only a string: one that says something.
    detail: expect.stringMatching(/\S/),
    request_id: answer.headers.get('x-request-id'),
  });
  expect(await everyRow()).toEqual(before);
}

/** The shared security cases of one protected route. */
export function securitySuite(route: ProtectedRoute) {
  it.each(credentials)('refuses %s with 401, changing nothing', async (_who, token) => {
    await expectRefused(route, token ? await token() : undefined, 401);
  });

  if (route.access === 'owner')
    it("refuses a signed-in user who is not the room's owner with 403, changing nothing", async () => {
      await expectRefused(route, await tokenFor(STRANGER), 403);
    });

  if (route.access === 'admin')
    it('refuses a signed-in user who is not an administrator with 403, changing nothing', async () => {
      await expectRefused(route, await tokenFor(OWNER), 403);
    });
}
