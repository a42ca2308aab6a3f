import { applyD1Migrations, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { app } from '../../worker/app';
import { config } from '../../worker/config';
import { database } from '../../worker/db/client';
import { findRoomByName } from '../../worker/db/rooms';
import { getOrCreateMeeting } from '../../worker/meetings/get-or-create';
import { endingInBackground } from '../../worker/meetings/provider-end';
import { counting } from '../../worker/metrics/counters';
import { breakers } from '../../worker/platforms/breaker-object';
import { platforms } from '../../worker/platforms/registry';
import { readFlags } from '../../worker/rollout/flags';
import { sessionsOnly } from './d1-bindings';
import { call, createRoom, OWNER, requestWith, resetWorld, standIn, tokenFor } from './helpers';

// Global reads (SPEC §14): the join of a meeting in progress is read through a D1 session that
// the nearest replica may serve; writes, claims and every read that decides one are at the
// primary; every answer carries its bookmark, and a bookmark sent back is honoured when it is one.

/** What D1 (and the local one) gives as bookmarks. */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/** A second database that stands for a replica a moment behind the primary. */
const replica = env.MIGRATION_DB;

beforeAll(() => applyD1Migrations(replica, env.TEST_MIGRATIONS));

let lines: string[] = [];
beforeEach(async () => {
  await resetWorld();
  await replica.batch(['meetings', 'meeting_claims', 'rooms'].map((table) => replica.prepare(`DELETE FROM ${table}`)));
  lines = [];
  for (const method of ['log', 'warn', 'error'] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const join = (room: string, binding: D1Database, headers: Record<string, string> = {}) =>
  requestWith(`/v1/rooms/${room}/meeting`, { method: 'POST', headers }, { ...env, DB: binding });

/** A room with its active meeting, made through the Worker as people make them. */
async function roomWithMeeting(name: string) {
  await createRoom(OWNER, { name });
  const joined = await call('POST', `/v1/rooms/${name}/meeting`);
  expect(joined.status).toBe(200);
  return joined.body as { id: string };
}

/** Copies the rows the query selects at the primary into the replica, as replication would have. */
async function replicate(table: 'rooms' | 'meetings', where: string, ...params: unknown[]) {
  const { results } = await env.DB.prepare(`SELECT * FROM ${table} WHERE ${where}`)
    .bind(...params)
    .all<Record<string, unknown>>();
  for (const row of results) {
    const columns = Object.keys(row);
    await replica
      .prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      .bind(...columns.map((column) => row[column]))
      .run();
  }
}

const createCalls = async () =>
  (await standIn.requests('whereby')).filter((request) => request.method === 'POST' && request.path === '/v1/meetings');

describe('the join of a meeting in progress', () => {
  it('reads once, through a session the nearest replica may serve, and nothing goes around it', async () => {
    const meeting = await roomWithMeeting('nearby');
    const d1 = sessionsOnly();

    const response = await join('nearby', d1.binding);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(meeting.id);
    expect(d1.bypasses).toEqual([]);
    expect(d1.statements).toEqual([{ session: 'first-unconstrained', sql: expect.stringMatching(/^select /) }]);
    expect(response.headers.get('x-d1-bookmark')).toMatch(BOOKMARK);
  });

  it('is served from the replica when the replica has the meeting', async () => {
    const meeting = await roomWithMeeting('replicated');
    await replicate('rooms', 'name = ?', 'replicated');
    await replicate('meetings', 'id = ?', meeting.id);
    const d1 = sessionsOnly(env.DB, replica);

    const response = await join('replicated', d1.binding);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(meeting.id);
    expect(d1.statements.map((statement) => statement.session)).toEqual(['first-unconstrained']);
  });

  it('reads at least as fresh as a bookmark the request sends back', async () => {
    await roomWithMeeting('bookmarked');
    const created = await call('POST', '/v1/rooms/bookmarked/meeting');
    const bookmark = created.headers.get('x-d1-bookmark');
    expect(bookmark).toMatch(BOOKMARK);
    const d1 = sessionsOnly();

    const response = await join('bookmarked', d1.binding, { 'x-d1-bookmark': bookmark! });
    expect(response.status).toBe(200);
    expect(d1.statements).toEqual([{ session: bookmark, sql: expect.any(String) }]);
    // The answer's bookmark is never older than the one sent (bookmarks sort oldest to newest).
    expect(response.headers.get('x-d1-bookmark')! >= bookmark!).toBe(true);
  });

  it('ignores a malformed bookmark, and a constraint name in its place, instead of failing', async () => {
    await roomWithMeeting('forgiving');
    const real = (await call('POST', '/v1/rooms/forgiving/meeting')).headers.get('x-d1-bookmark')!;
    for (const sent of [
      'garbage',
      'first-primary',
      'first-unconstrained',
      `${real}0`,
      `${real.slice(0, -1)}A`,
      `${real}, ${real}`,
      'a'.repeat(10_000),
      '',
    ]) {
      const d1 = sessionsOnly();
      const response = await join('forgiving', d1.binding, { 'x-d1-bookmark': sent });
      expect(response.status, JSON.stringify(sent)).toBe(200);
      expect(
        d1.statements.map((statement) => statement.session),
        JSON.stringify(sent),
      ).toEqual(['first-unconstrained']);
      // And the real binding, which would refuse or echo it, never sees it either.
      expect((await call('POST', '/v1/rooms/forgiving/meeting', { headers: { 'x-d1-bookmark': sent } })).status).toBe(
        200,
      );
    }
  });
});

describe('a join that writes', () => {
  it('creates the meeting at the primary, with every read that decides it there, and counts through the session', async () => {
    await createRoom(OWNER, { name: 'fresh-room' });
    const d1 = sessionsOnly();
    const ctx = createExecutionContext();

    const response = await app.request(
      '/v1/rooms/fresh-room/meeting',
      { method: 'POST' },
      { ...env, DB: d1.binding },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expect(d1.bypasses).toEqual([]);
    const [first, ...rest] = d1.statements;
    expect(first?.session).toBe('first-unconstrained');
    expect(rest.length).toBeGreaterThan(3);
    expect(rest.every((statement) => statement.session === 'first-primary')).toBe(true);
    const written = rest.map((statement) => statement.sql).join('\n');
    expect(written).toMatch(/insert into "meeting_claims"/);
    expect(written).toMatch(/insert into "meetings"/);
    expect(written).toMatch(/insert into "metric_counts"/);
    expect(lines.join('\n')).not.toMatch(/metric count was lost/);
    expect(response.headers.get('x-d1-bookmark')).toMatch(BOOKMARK);
  });

  it('asks the primary when the replica does not know the room yet', async () => {
    const meeting = await roomWithMeeting('just-made');
    const d1 = sessionsOnly(env.DB, replica);

    const response = await join('just-made', d1.binding);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(meeting.id);
    expect(d1.statements.map((statement) => statement.session)).toEqual(['first-unconstrained', 'first-primary']);
    // No second meeting: the primary's active one is reused.
    expect(await createCalls()).toHaveLength(1);
  });

  it('reuses the meeting the replica has not seen instead of creating a second one', async () => {
    const meeting = await roomWithMeeting('half-replicated');
    await replicate('rooms', 'name = ?', 'half-replicated');
    const d1 = sessionsOnly(env.DB, replica);

    const response = await join('half-replicated', d1.binding);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { id: string }).id).toBe(meeting.id);
    expect(await createCalls()).toHaveLength(1);
    const active = await env.DB.prepare('SELECT count(*) AS n FROM meetings WHERE is_active = 1').first<{
      n: number;
    }>();
    expect(active?.n).toBe(1);
  });

  it('answers 404 only when the primary does not know the room either', async () => {
    const d1 = sessionsOnly(env.DB, replica);
    const response = await join('nowhere', d1.binding);
    expect(response.status).toBe(404);
    expect(d1.statements.map((statement) => statement.session)).toEqual(['first-unconstrained', 'first-primary']);
    // An error answer carries the bookmark too.
    expect(response.headers.get('x-d1-bookmark')).toMatch(BOOKMARK);
  });

  it('re-reads the active meeting after winning the claim, so a read a moment old never makes a second meeting', async () => {
    const meeting = await roomWithMeeting('claimed-late');
    const db = database(env);
    const room = await findRoomByName(db, 'claimed-late');
    const settings = config(env);
    const ctx = createExecutionContext();

    // The caller read "no active meeting" a moment before another request created one.
    const providers = platforms(settings, counting(env, ctx), breakers(env.BREAKERS));
    const joining = {
      db,
      platforms: providers,
      flags: async () => (await readFlags(env.FLAGS, settings.flagFallbacks())).flags,
      meetingLengthMs: settings.meetingLengthMs,
      endInBackground: endingInBackground(ctx, db, providers),
    };
    const got = await getOrCreateMeeting(joining, room!, null);
    await waitOnExecutionContext(ctx);
    expect(got.id).toBe(meeting.id);
    expect(await createCalls()).toHaveLength(1);
    // The claim it took is released: the next creation is not held up by it.
    expect(await env.DB.prepare('SELECT count(*) AS n FROM meeting_claims').first<{ n: number }>()).toEqual({ n: 0 });
  });
});

describe('bookmarks on every answer', () => {
  it('come with writes and reads alike, and a later request that sends one back sees the write', async () => {
    const created = await requestWith(
      '/v1/rooms',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await tokenFor(OWNER)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'written-then-read' }),
      },
      env,
    );
    expect(created.status).toBe(201);
    const bookmark = created.headers.get('x-d1-bookmark');
    expect(bookmark).toMatch(BOOKMARK);
    const joined = await call('POST', '/v1/rooms/written-then-read/meeting', {
      headers: { 'x-d1-bookmark': bookmark! },
    });
    expect(joined.status).toBe(200);
    expect(joined.headers.get('x-d1-bookmark')! > bookmark!).toBe(true);
  });

  it('are left out, with every query through the plain binding, when D1_SESSIONS is off', async () => {
    await roomWithMeeting('plain');
    const response = await join('plain', env.DB);
    expect(response.headers.get('x-d1-bookmark')).toMatch(BOOKMARK);
    const off = await requestWith('/v1/rooms/plain/meeting', { method: 'POST' }, { ...env, D1_SESSIONS: 'off' });
    expect(off.status).toBe(200);
    expect(off.headers.get('x-d1-bookmark')).toBeNull();
  });
});
