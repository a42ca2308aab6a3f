import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { choosePlatform, rolloutBucket } from '../../worker/rollout/choose';
import { type RolloutFlags, readFlags, resolveFlags } from '../../worker/rollout/flags';
import { ADMIN, call, createRoom, OWNER, requestWith, resetWorld, STRANGER, setFlags, tokenFor } from './helpers';

beforeEach(resetWorld);

const flags = (overrides: Partial<RolloutFlags>): RolloutFlags => ({
  DAILY_MIGRATION_ENABLED: true,
  DAILY_MIGRATION_ROOM_IDS: [],
  DAILY_MIGRATION_USER_IDS: [],
  DAILY_MIGRATION_PERCENT: 0,
  ...overrides,
});
const room = (id: string, platform: 'whereby' | 'daily' = 'whereby', userId = 'someone') => ({
  id,
  name: `name-of-${id}`,
  platform,
  userId,
});
const ids = Array.from({ length: 2000 }, (_, i) => `room-${i}-${(i * 7919).toString(36)}`);

describe('choosing the platform of a new meeting (SPEC §3)', () => {
  it('sends everything to Whereby while the master switch is off, listed rooms and Daily rooms too', () => {
    const off = flags({
      DAILY_MIGRATION_ENABLED: false,
      DAILY_MIGRATION_ROOM_IDS: ['a'],
      DAILY_MIGRATION_PERCENT: 100,
    });
    expect(choosePlatform(room('a'), off)).toBe('whereby');
    expect(choosePlatform(room('b', 'daily'), off)).toBe('whereby');
  });

  it('moves rooms listed by id or by name', () => {
    const listed = flags({ DAILY_MIGRATION_ROOM_IDS: ['id-1', 'name-of-id-2'] });
    expect(choosePlatform(room('id-1'), listed)).toBe('daily');
    expect(choosePlatform(room('id-2'), listed)).toBe('daily');
    expect(choosePlatform(room('id-3'), listed)).toBe('whereby');
  });

  it('moves every room of the listed owners', () => {
    const owners = flags({ DAILY_MIGRATION_USER_IDS: ['auth0|ada', 'grace'] });
    expect(choosePlatform(room('r1', 'whereby', 'auth0|ada'), owners)).toBe('daily');
    expect(choosePlatform(room('r2', 'whereby', 'grace'), owners)).toBe('daily');
    expect(choosePlatform(room('r3', 'whereby', 'linus'), owners)).toBe('whereby');
    expect(choosePlatform(room('r1', 'whereby', 'auth0|ada'), { ...owners, DAILY_MIGRATION_ENABLED: false })).toBe(
      'whereby',
    );
  });

  it('otherwise keeps the room’s own platform', () => {
    expect(choosePlatform(room('x', 'daily'), flags({}))).toBe('daily');
    expect(choosePlatform(room('x', 'whereby'), flags({}))).toBe('whereby');
  });

  it('puts about the given share of rooms on Daily, by a hash that does not change', () => {
    const share = (percent: number) =>
      ids.filter((id) => choosePlatform(room(id), flags({ DAILY_MIGRATION_PERCENT: percent })) === 'daily');
    expect(share(0)).toHaveLength(0);
    expect(share(100)).toHaveLength(ids.length);
    expect(share(25).length / ids.length).toBeGreaterThan(0.2);
    expect(share(25).length / ids.length).toBeLessThan(0.3);
    expect(rolloutBucket('some-room')).toBe(rolloutBucket('some-room'));
  });

  it('only ever adds rooms as the percentage rises', () => {
    let previous = new Set<string>();
    for (let percent = 0; percent <= 100; percent += 5) {
      const now = new Set(
        ids.filter((id) => choosePlatform(room(id), flags({ DAILY_MIGRATION_PERCENT: percent })) === 'daily'),
      );
      for (const id of previous) expect(now.has(id), `${id} left Daily at ${percent}%`).toBe(true);
      expect(now.size).toBeGreaterThanOrEqual(previous.size);
      previous = now;
    }
  });
});

describe('reading the flags', () => {
  it('reads the owners as a JSON array or a comma-separated list, KV first, the vars as fallback', () => {
    expect(
      resolveFlags({ DAILY_MIGRATION_USER_IDS: '["auth0|ada", " grace "]' }, {}).flags.DAILY_MIGRATION_USER_IDS,
    ).toEqual(['auth0|ada', 'grace']);
    expect(resolveFlags({}, { DAILY_MIGRATION_USER_IDS: 'ada, grace,' }).flags.DAILY_MIGRATION_USER_IDS).toEqual([
      'ada',
      'grace',
    ]);
    const state = resolveFlags({ DAILY_MIGRATION_USER_IDS: '["ada", 7]' }, { DAILY_MIGRATION_USER_IDS: 'linus' });
    expect(state.flags.DAILY_MIGRATION_USER_IDS).toEqual(['linus']);
    expect(state.malformed).toEqual([
      {
        key: 'DAILY_MIGRATION_USER_IDS',
        source: 'kv',
        raw: '["ada", 7]',
        reason: 'expected a JSON array of strings or a comma-separated list',
      },
    ]);
    const stray = resolveFlags({ DAILY_MIGRATION_USER_IDS: 'ada\u0000' }, {});
    expect(stray.flags.DAILY_MIGRATION_USER_IDS).toEqual([]);
    expect(stray.malformed[0]?.reason).toContain('is not a user id');
  });

  it('takes KV first, the vars as fallback, and defaults last', () => {
    expect(resolveFlags({}, {})).toEqual({
      flags: {
        DAILY_MIGRATION_ENABLED: false,
        DAILY_MIGRATION_ROOM_IDS: [],
        DAILY_MIGRATION_USER_IDS: [],
        DAILY_MIGRATION_PERCENT: 0,
      },
      malformed: [],
    });
    expect(
      resolveFlags(
        { DAILY_MIGRATION_PERCENT: '30' },
        { DAILY_MIGRATION_PERCENT: '10', DAILY_MIGRATION_ENABLED: 'true' },
      ).flags,
    ).toEqual({
      DAILY_MIGRATION_ENABLED: true,
      DAILY_MIGRATION_ROOM_IDS: [],
      DAILY_MIGRATION_USER_IDS: [],
      DAILY_MIGRATION_PERCENT: 30,
    });
  });

  it('accepts a JSON array or a comma-separated list of rooms', () => {
    expect(resolveFlags({ DAILY_MIGRATION_ROOM_IDS: '["a", " b "]' }, {}).flags.DAILY_MIGRATION_ROOM_IDS).toEqual([
      'a',
      'b',
    ]);
    expect(resolveFlags({ DAILY_MIGRATION_ROOM_IDS: 'a, b,,c ' }, {}).flags.DAILY_MIGRATION_ROOM_IDS).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(resolveFlags({ DAILY_MIGRATION_ENABLED: ' TRUE ' }, {}).flags.DAILY_MIGRATION_ENABLED).toBe(true);
  });

  it.each([
    ['DAILY_MIGRATION_ENABLED', 'yes'],
    ['DAILY_MIGRATION_ENABLED', ''],
    ['DAILY_MIGRATION_ROOM_IDS', '["a", 1]'],
    ['DAILY_MIGRATION_ROOM_IDS', '[not json'],
    ['DAILY_MIGRATION_ROOM_IDS', '{"a": 1}'],
    ['DAILY_MIGRATION_PERCENT', '150'],
    ['DAILY_MIGRATION_PERCENT', '-1'],
    ['DAILY_MIGRATION_PERCENT', 'ten'],
    ['DAILY_MIGRATION_PERCENT', ''],
    ['DAILY_MIGRATION_USER_IDS', '{"ada": 1}'],
    ['DAILY_MIGRATION_USER_IDS', 'ada lovelace'],
  ] as const)('counts %s = %j in KV as absent, and reports it', (key, raw) => {
    const state = resolveFlags({ [key]: raw }, {});
    expect(state.flags).toEqual({
      DAILY_MIGRATION_ENABLED: false,
      DAILY_MIGRATION_ROOM_IDS: [],
      DAILY_MIGRATION_USER_IDS: [],
      DAILY_MIGRATION_PERCENT: 0,
    });
    expect(state.malformed).toEqual([{ key, source: 'kv', raw, reason: expect.any(String) }]);
  });

  it('falls back to the vars when the KV value is malformed', () => {
    const state = resolveFlags({ DAILY_MIGRATION_ENABLED: 'on' }, { DAILY_MIGRATION_ENABLED: 'true' });
    expect(state.flags.DAILY_MIGRATION_ENABLED).toBe(true);
    expect(state.malformed).toHaveLength(1);
  });

  it('reads KV once per cache period in an isolate', async () => {
    let reads = 0;
    const counting = new Proxy(env.FLAGS, {
      get(target, property) {
        if (property === 'get') reads++;
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const now = Date.now();
    await readFlags(counting, {}, now);
    await readFlags(counting, {}, now + 1_000);
    await readFlags(counting, {}, now + 29_000);
    expect(reads).toBe(1);
    await readFlags(counting, {}, now + 31_000);
    expect(reads).toBe(2);
  });
});

describe('GET and PUT /v1/flags', () => {
  describe('happy path', () => {
    it('shows the effective flags and the stored values that did not parse', async () => {
      await setFlags({
        DAILY_MIGRATION_ENABLED: 'true',
        DAILY_MIGRATION_ROOM_IDS: 'a,b',
        DAILY_MIGRATION_PERCENT: 'lots',
      });
      const response = await call('GET', '/v1/flags', { token: await tokenFor(ADMIN) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        DAILY_MIGRATION_ENABLED: true,
        DAILY_MIGRATION_ROOM_IDS: ['a', 'b'],
        DAILY_MIGRATION_USER_IDS: [],
        DAILY_MIGRATION_PERCENT: 0,
        malformed: [
          { key: 'DAILY_MIGRATION_PERCENT', source: 'kv', raw: 'lots', reason: 'expected a number from 0 to 100' },
        ],
      });
    });

    it('writes the flags to KV as an operator would type them', async () => {
      const body = {
        DAILY_MIGRATION_ENABLED: true,
        DAILY_MIGRATION_ROOM_IDS: ['room-a', 'room-b'],
        DAILY_MIGRATION_PERCENT: 12.5,
      };
      const response = await call('PUT', '/v1/flags', { token: await tokenFor(ADMIN), body });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ ...body, DAILY_MIGRATION_USER_IDS: [], malformed: [] });
      expect(await env.FLAGS.get('DAILY_MIGRATION_ENABLED')).toBe('true');
      expect(await env.FLAGS.get('DAILY_MIGRATION_ROOM_IDS')).toBe('["room-a","room-b"]');
      expect(await env.FLAGS.get('DAILY_MIGRATION_PERCENT')).toBe('12.5');
    });

    it('writes the owners when given, and keeps their stored value when a PUT leaves them out', async () => {
      const token = await tokenFor(ADMIN);
      const base = { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 };
      const written = await call('PUT', '/v1/flags', {
        token,
        body: { ...base, DAILY_MIGRATION_USER_IDS: ['auth0|ada', 'grace'] },
      });
      expect(written.body).toMatchObject({ DAILY_MIGRATION_USER_IDS: ['auth0|ada', 'grace'] });
      expect(await env.FLAGS.get('DAILY_MIGRATION_USER_IDS')).toBe('["auth0|ada","grace"]');

      const kept = await call('PUT', '/v1/flags', { token, body: { ...base, DAILY_MIGRATION_PERCENT: 5 } });
      expect(kept.status).toBe(200);
      expect(kept.body).toMatchObject({ DAILY_MIGRATION_PERCENT: 5, DAILY_MIGRATION_USER_IDS: ['auth0|ada', 'grace'] });
      expect(await env.FLAGS.get('DAILY_MIGRATION_USER_IDS')).toBe('["auth0|ada","grace"]');
    });

    it("moves a listed owner's rooms to Daily at their next meeting", async () => {
      await createRoom(OWNER, { name: 'owners-room', platform: 'whereby' });
      await createRoom(STRANGER, { name: 'strangers-room', platform: 'whereby' });
      await setFlags({ DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_USER_IDS: JSON.stringify([OWNER]) });
      expect((await call('POST', '/v1/rooms/owners-room/meeting')).body).toMatchObject({ platform: 'daily' });
      expect((await call('POST', '/v1/rooms/strangers-room/meeting')).body).toMatchObject({ platform: 'whereby' });
    });
  });

  describe('error cases', () => {
    it.each([
      [
        { DAILY_MIGRATION_ENABLED: 'yes', DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 },
        'DAILY_MIGRATION_ENABLED',
      ],
      [
        { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [1], DAILY_MIGRATION_PERCENT: 0 },
        'DAILY_MIGRATION_ROOM_IDS',
      ],
      [
        { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 101 },
        'DAILY_MIGRATION_PERCENT',
      ],
      [{ DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [] }, 'DAILY_MIGRATION_PERCENT'],
      [{ DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 5, OTHER: 1 }, 'OTHER'],
      [
        {
          DAILY_MIGRATION_ENABLED: true,
          DAILY_MIGRATION_ROOM_IDS: [],
          DAILY_MIGRATION_PERCENT: 5,
          DAILY_MIGRATION_USER_IDS: ['ada', ''],
        },
        'DAILY_MIGRATION_USER_IDS',
      ],
      [
        {
          DAILY_MIGRATION_ENABLED: true,
          DAILY_MIGRATION_ROOM_IDS: [],
          DAILY_MIGRATION_PERCENT: 5,
          DAILY_MIGRATION_USER_IDS: 'ada',
        },
        'DAILY_MIGRATION_USER_IDS',
      ],
    ])('refuses %j with 422 naming %s, writing nothing', async (body, field) => {
      const response = await call('PUT', '/v1/flags', { token: await tokenFor(ADMIN), body });
      expect(response.status).toBe(422);
      expect(response.body?.detail).toContain(field);
      expect((await env.FLAGS.list()).keys).toHaveLength(0);
    });
  });

  describe('security', () => {
    // Beyond route-security.test.ts, which looks at D1 only: KV keeps no key.
    it('is for admins only', async () => {
      const body = { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 100 };
      expect((await call('GET', '/v1/flags')).status).toBe(401);
      expect((await call('PUT', '/v1/flags', { body })).status).toBe(401);
      expect((await call('GET', '/v1/flags', { token: await tokenFor(STRANGER) })).status).toBe(403);
      expect((await call('PUT', '/v1/flags', { token: await tokenFor(OWNER), body })).status).toBe(403);
      expect((await env.FLAGS.list()).keys).toHaveLength(0);
    });
  });
});

describe('a flip decides the next meeting, never the current one', () => {
  const join = (name: string) => call('POST', `/v1/rooms/${name}/meeting`);

  it('moves a listed room to Daily at its next meeting and back to Whereby after the rollback', async () => {
    const created = await createRoom(OWNER, { name: 'migrating' });
    const admin = await tokenFor(ADMIN);
    const current = await join('migrating');
    expect(current.body?.platform).toBe('whereby');

    await call('PUT', '/v1/flags', {
      token: admin,
      body: { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: ['migrating'], DAILY_MIGRATION_PERCENT: 0 },
    });
    const during = await join('migrating');
    expect(during.body).toMatchObject({ id: current.body?.id, platform: 'whereby' });

    // The meeting ends (its time is over); the next one follows the flags.
    await env.DB.prepare('UPDATE meetings SET end_date = ?')
      .bind(new Date(Date.now() - 1).toISOString())
      .run();
    const next = await join('migrating');
    expect(next.body?.platform).toBe('daily');

    // Rollback: the ongoing Daily meeting keeps going; the one after is on Whereby.
    await call('PUT', '/v1/flags', {
      token: admin,
      body: { DAILY_MIGRATION_ENABLED: false, DAILY_MIGRATION_ROOM_IDS: ['migrating'], DAILY_MIGRATION_PERCENT: 0 },
    });
    expect((await join('migrating')).body).toMatchObject({ id: next.body?.id, platform: 'daily' });
    await env.DB.prepare('UPDATE meetings SET end_date = ? WHERE is_active = 1')
      .bind(new Date(Date.now() - 1).toISOString())
      .run();
    expect((await join('migrating')).body?.platform).toBe('whereby');
    expect(created.platform).toBe('whereby');
  });

  it('follows a value flipped straight in KV (the dashboard), with a comma-separated list', async () => {
    const created = await createRoom(OWNER, { name: 'dashboard-flip' });
    await setFlags({ DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_ROOM_IDS: `other, ${created.id}` });
    expect((await join('dashboard-flip')).body?.platform).toBe('daily');
  });

  it('takes the safe Whereby path when the master switch is malformed, even if the vars say true', async () => {
    await createRoom(OWNER, { name: 'malformed-switch' });
    await setFlags({ DAILY_MIGRATION_ENABLED: 'maybe', DAILY_MIGRATION_PERCENT: '100' });
    const response = await requestWith(
      '/v1/rooms/malformed-switch/meeting',
      { method: 'POST' },
      { ...env, DAILY_MIGRATION_ENABLED: 'false' },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ platform: 'whereby' });
  });
});
