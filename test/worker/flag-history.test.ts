import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { database } from '../../worker/db/client';
import worker from '../../worker/index';
import { changeFlags } from '../../worker/rollout/history';
import {
  FIRST_SEEN_REASON,
  FOUND_REASON,
  KV_PROPAGATION_MS,
  recordDashboardEdits,
} from '../../worker/rollout/kv-dashboard';
import { ADMIN, call, OWNER, resetWorld, setFlags, tokenFor } from './helpers';

// The flags' history (SPEC §12): who changed which flag, from what to what, and why — through
// PUT /v1/flags, or in the KV dashboard, found by the Cron.

beforeEach(resetWorld);

const db = () => database(env);
const history = async (query = '', token?: string) =>
  call('GET', `/v1/flags/history${query}`, { token: token ?? (await tokenFor(ADMIN)) });
const put = async (body: Record<string, unknown>) => call('PUT', '/v1/flags', { token: await tokenFor(ADMIN), body });
const flags = {
  DAILY_MIGRATION_ENABLED: true,
  DAILY_MIGRATION_ROOM_IDS: ['standup'],
  DAILY_MIGRATION_USER_IDS: [],
  DAILY_MIGRATION_PERCENT: 10,
};
/** One field of each item of a list answer. */
const each = (body: Record<string, unknown> | null | undefined, field: string) =>
  ((body?.items ?? []) as Record<string, unknown>[]).map((item) => item[field]);
const rows = async () =>
  (
    await env.DB.prepare('SELECT at, by, key, old_value, new_value, reason FROM flag_changes ORDER BY id').all<
      Record<string, unknown>
    >()
  ).results;
const MINUTE = 60_000;

describe('GET /v1/flags/history', () => {
  describe('happy path', () => {
    it('lists a PUT’s changes by the admin, with old and new text and the reason given', async () => {
      expect((await put({ ...flags, reason: 'start with the standup room' })).status).toBe(200);
      expect((await put({ ...flags, DAILY_MIGRATION_PERCENT: 25 })).status).toBe(200);

      const { status, body } = await history();
      expect(status).toBe(200);
      expect(body).toMatchObject({ total: 5, page: 1, size: 50, pages: 1 });
      const items = body?.items as Record<string, unknown>[];
      // Newest first: the second PUT changed the percent alone.
      expect(items[0]).toMatchObject({
        by: ADMIN,
        key: 'DAILY_MIGRATION_PERCENT',
        old_value: '10',
        new_value: '25',
        reason: 'set through the API',
      });
      expect(items.slice(1).map((item) => [item.key, item.old_value, item.new_value, item.reason])).toEqual(
        expect.arrayContaining([
          ['DAILY_MIGRATION_ENABLED', null, 'true', 'start with the standup room'],
          ['DAILY_MIGRATION_ROOM_IDS', null, '["standup"]', 'start with the standup room'],
          ['DAILY_MIGRATION_USER_IDS', null, '[]', 'start with the standup room'],
          ['DAILY_MIGRATION_PERCENT', null, '10', 'start with the standup room'],
        ]),
      );
      expect(Date.parse(items[0]?.at as string)).toBeGreaterThan(Date.now() - MINUTE);
      expect(Object.keys(items[0] ?? {}).sort()).toEqual(
        ['at', 'by', 'id', 'key', 'new_value', 'old_value', 'reason'].sort(),
      );
    });

    it('records nothing for a PUT that changes no text', async () => {
      await put(flags);
      const before = (await rows()).length;
      expect((await put({ ...flags, reason: 'same again' })).status).toBe(200);
      expect(await rows()).toHaveLength(before);
    });

    it('pages newest first, and filters by key', async () => {
      for (let percent = 1; percent <= 7; percent++)
        await changeFlags(
          db(),
          env.FLAGS,
          { DAILY_MIGRATION_PERCENT: percent },
          { by: 'ramp', reason: `step ${percent}` },
          Date.now() - (8 - percent) * MINUTE,
        );
      await changeFlags(db(), env.FLAGS, { DAILY_MIGRATION_ENABLED: true }, { by: ADMIN, reason: 'on' });

      const first = await history('?size=3');
      expect(first.body).toMatchObject({ total: 8, page: 1, size: 3, pages: 3 });
      expect(each(first.body, 'reason')).toEqual(['on', 'step 7', 'step 6']);
      const last = await history('?size=3&page=3');
      expect(each(last.body, 'reason')).toEqual(['step 2', 'step 1']);
      expect((await history('?size=3&page=4')).body).toMatchObject({ items: [], total: 8, pages: 3 });

      const percent = await history('?key=DAILY_MIGRATION_PERCENT&size=2');
      expect(percent.body).toMatchObject({ total: 7, pages: 4 });
      expect(each(percent.body, 'new_value')).toEqual(['7', '6']);
    });
  });

  describe('error cases', () => {
    for (const [query, field] of [
      ['?page=0', 'page'],
      ['?page=abc', 'page'],
      ['?size=0', 'size'],
      ['?size=101', 'size'],
      ['?key=DAILY_MIGRATION_NOPE', 'key'],
    ] as const)
      it(`refuses ${query} with 422 naming ${field}`, async () => {
        const { status, body } = await history(query);
        expect(status).toBe(422);
        expect(body).toMatchObject({ code: 'validation', field });
      });
  });

  describe('security', () => {
    it('is for administrators only: 401 without a token, 403 for a room owner', async () => {
      await put(flags);
      expect((await call('GET', '/v1/flags/history')).status).toBe(401);
      const refused = await history('', await tokenFor(OWNER));
      expect(refused.status).toBe(403);
      expect(refused.body).not.toHaveProperty('items');
    });
  });
});

describe('edits in the KV dashboard, found by the Cron', () => {
  const longAgo = () => Date.now() - 10 * MINUTE;

  it('records an edit once, by kv-dashboard, from the last recorded value', async () => {
    await changeFlags(db(), env.FLAGS, flags, { by: ADMIN, reason: 'start' }, longAgo());
    await setFlags({ DAILY_MIGRATION_PERCENT: '40' });

    expect(await recordDashboardEdits(db(), env.FLAGS)).toBe(1);
    expect(await recordDashboardEdits(db(), env.FLAGS, Date.now() + 2 * KV_PROPAGATION_MS)).toBe(0);
    expect((await rows()).slice(4)).toEqual([
      expect.objectContaining({
        by: 'kv-dashboard',
        key: 'DAILY_MIGRATION_PERCENT',
        old_value: '10',
        new_value: '40',
        reason: FOUND_REASON,
      }),
    ]);
  });

  it('records a key deleted in KV as a change to null', async () => {
    await changeFlags(db(), env.FLAGS, flags, { by: ADMIN, reason: 'start' }, longAgo());
    await env.FLAGS.delete('DAILY_MIGRATION_ROOM_IDS');

    expect(await recordDashboardEdits(db(), env.FLAGS)).toBe(1);
    expect((await rows()).at(-1)).toMatchObject({
      by: 'kv-dashboard',
      key: 'DAILY_MIGRATION_ROOM_IDS',
      old_value: '["standup"]',
      new_value: null,
    });
  });

  it('starts the history of a deployment older than it with what KV holds, once', async () => {
    await setFlags({ DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_PERCENT: '5' });

    expect(await recordDashboardEdits(db(), env.FLAGS)).toBe(2);
    expect(await rows()).toEqual([
      expect.objectContaining({
        key: 'DAILY_MIGRATION_ENABLED',
        old_value: null,
        new_value: 'true',
        reason: FIRST_SEEN_REASON,
      }),
      expect.objectContaining({
        key: 'DAILY_MIGRATION_PERCENT',
        old_value: null,
        new_value: '5',
        reason: FIRST_SEEN_REASON,
      }),
    ]);
    // The keys KV does not hold have nothing to record, now or later.
    expect(await recordDashboardEdits(db(), env.FLAGS, Date.now() + 2 * KV_PROPAGATION_MS)).toBe(0);
  });

  it('does not judge a key changed less than KV’s propagation time ago: the read may predate it', async () => {
    const now = Date.now();
    await changeFlags(db(), env.FLAGS, { DAILY_MIGRATION_PERCENT: 30 }, { by: ADMIN, reason: 'raise' }, now);
    // What a location that has not yet seen the PUT would answer.
    await env.FLAGS.put('DAILY_MIGRATION_PERCENT', '20');

    expect(await recordDashboardEdits(db(), env.FLAGS, now + KV_PROPAGATION_MS - 1)).toBe(0);
    expect(await rows()).toHaveLength(1);
    // Past that time, what KV says is what KV holds: a real edit.
    expect(await recordDashboardEdits(db(), env.FLAGS, now + KV_PROPAGATION_MS)).toBe(1);
    expect((await rows()).at(-1)).toMatchObject({ by: 'kv-dashboard', old_value: '30', new_value: '20' });
  });

  it('never records one edit twice when two runs race', async () => {
    await changeFlags(db(), env.FLAGS, flags, { by: ADMIN, reason: 'start' }, longAgo());
    await setFlags({ DAILY_MIGRATION_ENABLED: 'false' });
    const found = await Promise.all([recordDashboardEdits(db(), env.FLAGS), recordDashboardEdits(db(), env.FLAGS)]);
    expect(found.sort()).toEqual([0, 1]);
    expect((await rows()).filter((row) => row.by === 'kv-dashboard')).toHaveLength(1);
  });

  it('runs in the Cron Trigger', async () => {
    await changeFlags(db(), env.FLAGS, flags, { by: ADMIN, reason: 'start' }, longAgo());
    await setFlags({ DAILY_MIGRATION_USER_IDS: '["auth0|ada"]' });
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const { body } = await history('?key=DAILY_MIGRATION_USER_IDS');
    expect(body?.items).toMatchObject([{ by: 'kv-dashboard', old_value: '[]', new_value: '["auth0|ada"]' }, {}]);
  });
});
