import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { config } from '../../worker/config';
import { breakers } from '../../worker/platforms/breaker-object';
import { platforms } from '../../worker/platforms/registry';
import { endRetiredMeetings } from '../../worker/scheduled/retired-meetings';
import {
  ADMIN,
  call,
  callAndWait,
  createRoom,
  OWNER,
  type Provider,
  requestWith,
  resetWorld,
  STRANGER,
  setFlags,
  standIn,
  tokenFor,
} from './helpers';

// The rooms' routes, each split into its happy path, its error cases and its security cases.
// The cases every protected route shares (no token, a forged or expired one, a signed-in user who
// is not the owner) are not repeated here: route-security.test.ts runs them for each route.

beforeEach(resetWorld);

const roomCount = async () => (await env.DB.prepare('SELECT count(*) AS n FROM rooms').first<{ n: number }>())?.n;
const meetingRows = () =>
  env.DB.prepare('SELECT id, is_active, provider_end_due_at FROM meetings ORDER BY start_date')
    .all()
    .then((result) => result.results);
const deletesAt = async (provider: Provider) =>
  (await standIn.requests(provider)).filter((request) => request.method === 'DELETE').map((request) => request.path);

/** The owner's PATCH, done with its work after the answer (the retired meeting's room ended). */
const patchAndWait = async (roomId: string, body: unknown) =>
  callAndWait('PATCH', `/v1/rooms/${roomId}`, { token: await tokenFor(OWNER), body });

describe('POST /v1/rooms', () => {
  describe('happy path', () => {
    it('creates a room with the defaults of the Whereby-era service and the default platform', async () => {
      const response = await call('POST', '/v1/rooms', {
        token: await tokenFor(OWNER),
        body: { name: 'team-standup' },
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        name: 'team-standup',
        user_id: OWNER,
        is_locked: false,
        room_mode: 'normal',
        recording_type: 'cloud',
        recording_trigger: 'automatic-2nd-participant',
        is_shared: false,
        skip_consent: false,
        platform: 'whereby',
      });
      expect(response.body?.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(response.body?.created_at)).not.toBeNaN();
    });

    it('keeps every setting given, the platform too', async () => {
      const settings = {
        name: 'design-review',
        is_locked: true,
        room_mode: 'group',
        recording_type: 'local',
        recording_trigger: 'prompt',
        is_shared: true,
        skip_consent: true,
        platform: 'daily',
      };
      const room = await createRoom(OWNER, settings);
      expect(room).toMatchObject(settings);
      const read = await call('GET', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER) });
      expect(read.body).toEqual(room);
    });

    it('accepts names at the edges of the rule', async () => {
      for (const name of ['a', '7', 'a'.repeat(64), 'a-b-c-1']) {
        expect((await call('POST', '/v1/rooms', { token: await tokenFor(OWNER), body: { name } })).status).toBe(201);
      }
    });
  });

  describe('error cases', () => {
    it('refuses a name that exists with 409, changing nothing', async () => {
      await createRoom(OWNER, { name: 'taken' });
      const response = await call('POST', '/v1/rooms', { token: await tokenFor(STRANGER), body: { name: 'taken' } });
      expect(response.status).toBe(409);
      expect(response.body?.detail).toContain('"taken" already exists');
      expect(await roomCount()).toBe(1);
    });

    it.each([
      ['Upper-Case'],
      ['-leading'],
      ['trailing-'],
      ['with space'],
      ['a'.repeat(65)],
      [''],
      ['rooms'],
      ['admin'],
      ['v1'],
      ['assets'],
      ['browse'],
      ['transcripts'],
    ])('refuses the room name %j with 422 and the rule', async (name) => {
      const response = await call('POST', '/v1/rooms', { token: await tokenFor(OWNER), body: { name } });
      expect(response.status).toBe(422);
      expect(response.body?.detail).toContain('1 to 64 lower-case letters, digits and hyphens');
      expect(await roomCount()).toBe(0);
    });

    it.each([
      [{ name: 'ok-name', room_mode: 'huge' }, 'room_mode'],
      [{ name: 'ok-name', recording_type: 'tape' }, 'recording_type'],
      [{ name: 'ok-name', recording_trigger: 'sometimes' }, 'recording_trigger'],
      [{ name: 'ok-name', platform: 'zoom' }, 'platform'],
      [{ name: 'ok-name', is_locked: 'yes' }, 'is_locked'],
      [{ name: 'ok-name', unknown_field: 1 }, 'unknown_field'],
      [{ is_locked: true }, 'name'],
    ])('refuses %j with 422 naming %s', async (body, field) => {
      const response = await call('POST', '/v1/rooms', { token: await tokenFor(OWNER), body });
      expect(response.status).toBe(422);
      expect(response.body?.detail).toContain(field);
      expect(await roomCount()).toBe(0);
    });

    it('refuses malformed JSON with 400', async () => {
      const response = await call('POST', '/v1/rooms', { token: await tokenFor(OWNER), body: '{"name": ' });
      expect(response.status).toBe(400);
      expect(response.body?.detail).toBeTruthy();
      expect(await roomCount()).toBe(0);
    });
  });

  describe('security', () => {
    it('refuses a user_id in the body with 422: the owner is the token’s subject', async () => {
      const response = await call('POST', '/v1/rooms', {
        token: await tokenFor(OWNER),
        body: { name: 'spoof', user_id: ADMIN },
      });
      expect(response.status).toBe(422);
    });
  });
});

describe('GET /v1/rooms', () => {
  describe('happy path', () => {
    it('lists own rooms and shared ones, newest first, paginated', async () => {
      await createRoom(OWNER, { name: 'mine-1' });
      await createRoom(STRANGER, { name: 'theirs-private' });
      await createRoom(STRANGER, { name: 'theirs-shared', is_shared: true });
      await createRoom(OWNER, { name: 'mine-2' });

      const all = await call('GET', '/v1/rooms', { token: await tokenFor(OWNER) });
      expect(all.status).toBe(200);
      expect(all.body?.items.map((room: { name: string }) => room.name)).toEqual(['mine-2', 'theirs-shared', 'mine-1']);
      expect(all.body).toMatchObject({ total: 3, page: 1, size: 50, pages: 1 });

      const second = await call('GET', '/v1/rooms?page=2&size=2', { token: await tokenFor(OWNER) });
      expect(second.body).toMatchObject({ total: 3, page: 2, size: 2, pages: 2 });
      expect(second.body?.items.map((room: { name: string }) => room.name)).toEqual(['mine-1']);
    });
  });
});

describe('GET /v1/rooms/{room_id}', () => {
  describe('security', () => {
    it('keeps a private room from other users, and lets anyone read a shared one', async () => {
      const secret = await createRoom(OWNER, { name: 'private-room' });
      const shared = await createRoom(OWNER, { name: 'shared-room', is_shared: true });
      const stranger = await tokenFor(STRANGER);
      expect((await call('GET', `/v1/rooms/${secret.id}`, { token: stranger })).status).toBe(403);
      expect((await call('GET', `/v1/rooms/${shared.id}`, { token: stranger })).status).toBe(200);
      expect((await call('GET', `/v1/rooms/${shared.id}`)).status).toBe(200);
    });
  });
});

describe('PATCH /v1/rooms/{room_id}', () => {
  describe('happy path', () => {
    it('changes fields and renames', async () => {
      const room = await createRoom(OWNER, { name: 'old-name' });
      const response = await call('PATCH', `/v1/rooms/${room.id}`, {
        token: await tokenFor(OWNER),
        body: { name: 'new-name', is_shared: true, platform: 'daily' },
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: room.id, name: 'new-name', is_shared: true, platform: 'daily' });
    });

    it.each<Provider>(['whereby', 'daily'])(
      'ends a %s meeting it retires at the provider: a locked room shuts out whoever was in it',
      async (platform) => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        const room = await createRoom(OWNER, { name: `lock-out-${platform}`, platform });
        const meeting = await call('POST', `/v1/rooms/lock-out-${platform}/meeting`);
        // A change that does not shape the meeting ends nothing.
        expect((await patchAndWait(room.id, { is_shared: true })).status).toBe(200);
        expect(await deletesAt(platform)).toEqual([]);

        expect((await patchAndWait(room.id, { is_locked: true })).status).toBe(200);
        const row = await env.DB.prepare('SELECT platform_meeting_id FROM meetings').first<{
          platform_meeting_id: string;
        }>();
        expect(await deletesAt(platform)).toEqual([
          platform === 'daily' ? `/v1/rooms/${meeting.body?.room_name}` : `/v1/meetings/${row?.platform_meeting_id}`,
        ]);
        expect(await standIn.rooms(platform)).toEqual([]);
        expect(await meetingRows()).toEqual([{ id: meeting.body?.id, is_active: 0, provider_end_due_at: null }]);
      },
    );
  });

  describe('error cases', () => {
    it('refuses a rename onto an existing name with 409', async () => {
      await createRoom(OWNER, { name: 'first' });
      const second = await createRoom(OWNER, { name: 'second' });
      const response = await call('PATCH', `/v1/rooms/${second.id}`, {
        token: await tokenFor(OWNER),
        body: { name: 'first' },
      });
      expect(response.status).toBe(409);
      const unchanged = await call('GET', `/v1/rooms/${second.id}`, { token: await tokenFor(OWNER) });
      expect(unchanged.body?.name).toBe('second');
    });

    it('answers at once when the provider cannot end the retired meeting, and the Cron ends it later', async () => {
      const room = await createRoom(OWNER, { name: 'provider-down' });
      const meeting = await call('POST', '/v1/rooms/provider-down/meeting');
      await standIn.fault('whereby', {
        method: 'DELETE',
        path: '^/v1/meetings/',
        status: 500,
        times: 3,
        delay_ms: 1_000,
      });

      const patched = await patchAndWait(room.id, { room_mode: 'group' });
      expect(patched.status).toBe(200);
      // The answer did not wait for Whereby's first (failing) answer.
      expect(patched.answeredAfterMs).toBeLessThan(1_000);
      expect(await deletesAt('whereby')).toHaveLength(3);
      expect(await meetingRows()).toEqual([
        { id: meeting.body?.id, is_active: 0, provider_end_due_at: expect.any(Number) },
      ]);

      expect(
        await endRetiredMeetings(
          env,
          platforms(config(env), () => {}, breakers(env.BREAKERS)),
        ),
      ).toEqual({ ended: 1, failed: 0 });
      expect(await standIn.rooms('whereby')).toEqual([]);
      expect(await meetingRows()).toEqual([{ id: meeting.body?.id, is_active: 0, provider_end_due_at: null }]);
    });

    it('refuses an empty patch with 422', async () => {
      const room = await createRoom(OWNER, { name: 'patch-me' });
      const response = await call('PATCH', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER), body: {} });
      expect(response.status).toBe(422);
    });
  });
});

describe('DELETE /v1/rooms/{room_id}', () => {
  describe('happy path', () => {
    it('deletes a room and ends its active meeting at the provider', async () => {
      const room = await createRoom(OWNER, { name: 'short-lived' });
      const meeting = await call('POST', '/v1/rooms/short-lived/meeting');
      expect(meeting.status).toBe(200);

      const response = await call('DELETE', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
      expect(await roomCount()).toBe(0);
      const deletes = (await standIn.requests('whereby')).filter((request) => request.method === 'DELETE');
      expect(deletes).toHaveLength(1);
      expect(deletes[0]?.path).toMatch(/^\/v1\/meetings\/.+/);
      const kept = await env.DB.prepare('SELECT is_active, room_id, provider_end_due_at FROM meetings').first();
      expect(kept).toEqual({ is_active: 0, room_id: null, provider_end_due_at: null });
      // Ended already: nothing for the Cron.
      expect(
        await endRetiredMeetings(
          env,
          platforms(config(env), () => {}, breakers(env.BREAKERS)),
        ),
      ).toEqual({ ended: 0, failed: 0 });
    });
  });

  describe('error cases', () => {
    it('keeps the room when the provider cannot end its meeting, so the delete can be repeated', async () => {
      const room = await createRoom(OWNER, { name: 'sticky' });
      await call('POST', '/v1/rooms/sticky/meeting');
      await standIn.fault('whereby', { method: 'DELETE', path: '^/v1/meetings/', status: 500, times: 3 });
      const response = await call('DELETE', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER) });
      expect(response.status).toBe(503);
      expect(response.body?.detail).toContain('Whereby could not end the meeting');
      expect(await roomCount()).toBe(1);
      expect((await call('DELETE', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER) })).status).toBe(200);
    });

    it.each<[Provider, string, Record<string, string | undefined>]>([
      ['daily', 'DAILY_API_KEY', { DAILY_API_KEY: '' }],
      ['daily', 'DAILY_API_URL', { DAILY_API_URL: 'not a url' }],
      ['whereby', 'WHEREBY_API_KEY', { WHEREBY_API_KEY: undefined }],
    ])('deletes a room with an active %s meeting when %s is not usable', async (platform, setting, unset) => {
      await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
      const room = await createRoom(OWNER, { name: 'orphaned-platform', platform });
      const meeting = await call('POST', '/v1/rooms/orphaned-platform/meeting');
      expect(meeting.body?.platform).toBe(platform);
      const warnings: string[] = [];
      vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void warnings.push(String(line)));

      const response = await requestWith(
        `/v1/rooms/${room.id}`,
        { method: 'DELETE', headers: { authorization: `Bearer ${await tokenFor(OWNER)}` } },
        { ...env, ...unset },
      );
      vi.restoreAllMocks();
      expect(response.status).toBe(200);
      expect(await roomCount()).toBe(0);
      expect(await env.DB.prepare('SELECT is_active, room_id FROM meetings').first()).toEqual({
        is_active: 0,
        room_id: null,
      });
      // Nobody could end it at the provider; the operator is told which setting kept us from it.
      expect((await standIn.requests(platform)).filter((request) => request.method === 'DELETE')).toEqual([]);
      expect(warnings.some((line) => line.includes(setting) && line.includes(meeting.body?.id))).toBe(true);
    });
  });
});

// The cases below call more than one of the routes on a room.
describe('GET, PATCH and DELETE /v1/rooms/{room_id}', () => {
  describe('error cases', () => {
    it('answers 404 for unknown rooms', async () => {
      const token = await tokenFor(OWNER);
      expect((await call('GET', '/v1/rooms/no-such-id', { token })).status).toBe(404);
      expect((await call('PATCH', '/v1/rooms/no-such-id', { token, body: { is_locked: true } })).status).toBe(404);
      expect((await call('DELETE', '/v1/rooms/no-such-id', { token })).status).toBe(404);
    });
  });

  describe('security', () => {
    it('lets an admin change and delete any room', async () => {
      const room = await createRoom(OWNER, { name: 'admins-can' });
      const admin = await tokenFor(ADMIN);
      expect((await call('PATCH', `/v1/rooms/${room.id}`, { token: admin, body: { is_locked: true } })).status).toBe(
        200,
      );
      expect((await call('GET', `/v1/rooms/${room.id}`, { token: admin })).status).toBe(200);
      expect((await call('DELETE', `/v1/rooms/${room.id}`, { token: admin })).status).toBe(200);
    });

    // Beyond route-security.test.ts, whose room is private: a shared room is no one else's to change either.
    it("refuses another user's changes and deletes with 403, changing nothing", async () => {
      const room = await createRoom(OWNER, { name: 'not-yours', is_shared: true });
      const stranger = await tokenFor(STRANGER);
      expect(
        (await call('PATCH', `/v1/rooms/${room.id}`, { token: stranger, body: { name: 'mine-now' } })).status,
      ).toBe(403);
      expect((await call('DELETE', `/v1/rooms/${room.id}`, { token: stranger })).status).toBe(403);
      expect((await call('GET', `/v1/rooms/${room.id}`)).body?.name).toBe('not-yours');
    });
  });
});

describe("a room's webhook secret, as Reflector makes one", () => {
  const HOOK_URL = 'https://hooks.example.com/reflector';
  const secretOf = async (id: string) =>
    (
      await env.DB.prepare('SELECT webhook_secret FROM rooms WHERE id = ?')
        .bind(id)
        .first<{ webhook_secret: string | null }>()
    )?.webhook_secret;

  it('is made up when a webhook URL comes without one, so that the room’s events are signed', async () => {
    for (const [name, secret] of [
      ['hook-no-secret', ''],
      ['hook-null-secret', null],
      ['hook-absent', undefined],
    ] as const) {
      const created = await createRoom(OWNER, {
        name,
        webhook_url: HOOK_URL,
        ...(secret === undefined ? {} : { webhook_secret: secret }),
      });
      expect(created.webhook_secret, name).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await secretOf(created.id)).toBe(created.webhook_secret);
    }
    const other = await createRoom(OWNER, { name: 'hook-other', webhook_url: HOOK_URL });
    const first = await createRoom(OWNER, { name: 'hook-first', webhook_url: HOOK_URL });
    expect(other.webhook_secret).not.toBe(first.webhook_secret);
  });

  it('is kept as given, and kept when a PATCH changes the URL alone', async () => {
    const room = await createRoom(OWNER, { name: 'hook-own-secret', webhook_url: HOOK_URL, webhook_secret: 'mine' });
    expect(room.webhook_secret).toBe('mine');
    const patched = await patchAndWait(room.id, { webhook_url: `${HOOK_URL}/v2` });
    expect(patched.body).toMatchObject({ webhook_url: `${HOOK_URL}/v2`, webhook_secret: 'mine' });
  });

  it('is made up when a PATCH gives a room without one a URL; a room without a URL gets none', async () => {
    const room = await createRoom(OWNER, { name: 'hook-later' });
    expect(room.webhook_secret).toBeNull();
    const patched = await patchAndWait(room.id, { webhook_url: HOOK_URL, webhook_secret: '' });
    expect(patched.body?.webhook_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
