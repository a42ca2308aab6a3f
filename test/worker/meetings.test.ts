import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { config } from '../../worker/config';
import { breakers } from '../../worker/platforms/breaker-object';
import { platforms } from '../../worker/platforms/registry';
import { endRetiredMeetings } from '../../worker/scheduled/retired-meetings';
import { failingSome } from './d1-bindings';
import {
  call,
  callAndWait,
  createRoom,
  OWNER,
  requestWith,
  resetWorld,
  STRANGER,
  servers,
  setFlags,
  standIn,
  tokenFor,
} from './helpers';
import { someoneJoins } from './webhook-helpers';

// The meetings' routes, each split into its happy path, its error cases and its security cases.
// Joining is open to anyone; the owner alone gets the host link.

beforeEach(resetWorld);

const HOUR = 3_600_000;
const meetingRows = () =>
  env.DB.prepare('SELECT * FROM meetings ORDER BY start_date')
    .all()
    .then((result) => result.results);
const posts = async (provider: 'daily' | 'whereby', path: string) =>
  (await standIn.requests(provider)).filter((request) => request.method === 'POST' && request.path === path);
const join = (room: string, token?: string) => call('POST', `/v1/rooms/${room}/meeting`, { token });
/** A join whose work after its answer (a provider room ended) is done when it returns. */
const joinAndWait = async (room: string, bindings: Record<string, unknown> = {}) => {
  const { status, body } = await callAndWait('POST', `/v1/rooms/${room}/meeting`, { bindings });
  return { status, body: body as Record<string, any> };
};

// The room URLs a provider answers (SPEC §14).
const joinWith = (room: string, bindings: Record<string, string> = {}) =>
  requestWith(`/v1/rooms/${room}/meeting`, { method: 'POST' }, { ...env, ...bindings });
/** A join where the room's provider is all there is: its outage is the person's (failover.test.ts has the other side). */
const joinWithoutFailover = async (room: string) => {
  const response = await joinWith(room, { PROVIDER_FAILOVER: 'false' });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};
const dailyAnswers = (url: string) =>
  standIn.fault('daily', {
    method: 'POST',
    path: '^/v1/rooms$',
    status: 200,
    body: { id: crypto.randomUUID(), name: 'answered-room', url },
  });
const wherebyAnswers = (urls: { roomUrl: string; hostRoomUrl?: string }) =>
  standIn.fault('whereby', {
    method: 'POST',
    path: '^/v1/meetings$',
    status: 201,
    body: { meetingId: 'answered-meeting', roomName: '/answered-room', ...urls },
  });

async function expectRefused(response: Response, provider: 'daily' | 'whereby', detail: string, url: string) {
  expect(response.status).toBe(502);
  const body = (await response.json()) as { detail: string };
  expect(body.detail).toBe(detail);
  // The answer's URL is never shown.
  expect(body.detail).not.toContain(url);
  expect(await posts(provider, provider === 'daily' ? '/v1/rooms' : '/v1/meetings')).toHaveLength(1);
  expect(await meetingRows()).toHaveLength(0);
}

describe('POST /v1/rooms/{room_name}/meeting', () => {
  describe('happy path', () => {
    describe('on Whereby', () => {
      it('creates the meeting at Whereby with the room’s settings and an 8-hour end', async () => {
        await createRoom(OWNER, {
          name: 'weekly-sync',
          is_locked: true,
          room_mode: 'group',
          recording_trigger: 'prompt',
        });
        const before = Date.now();
        const response = await join('weekly-sync');
        expect(response.status).toBe(200);

        const [request] = await posts('whereby', '/v1/meetings');
        expect(request?.authorization).toBe(`Bearer ${servers.whereby.apiKey}`);
        expect(request?.body).toEqual({
          endDate: expect.any(String),
          isLocked: true,
          roomMode: 'group',
          roomNamePrefix: 'weekly-sync',
          roomNamePattern: 'uuid',
          fields: ['hostRoomUrl'],
          recording: {
            type: 'cloud',
            destination: {
              provider: 's3',
              bucket: 'recordings',
              accessKeyId: 'S3RVER',
              accessKeySecret: 'S3RVER',
              fileFormat: 'mp4',
            },
            startTrigger: 'prompt',
          },
        });
        const end = Date.parse(request?.body.endDate);
        expect(end - before).toBeGreaterThanOrEqual(8 * HOUR - 1000);
        expect(end - Date.now()).toBeLessThanOrEqual(8 * HOUR);

        const created = (await standIn.requests('whereby')).length;
        expect(created).toBe(1);
        expect(response.body).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          room_name: expect.stringMatching(/^weekly-sync-/),
          room_url: expect.stringContaining(`${servers.whereby.roomOrigin}/weekly-sync-`),
          host_room_url: '',
          start_date: expect.any(String),
          end_date: request?.body.endDate,
          is_locked: true,
          room_mode: 'group',
          recording_type: 'cloud',
          recording_trigger: 'prompt',
          skip_consent: false,
          num_clients: 0,
          is_active: true,
          platform: 'whereby',
          failover_from: null,
          room_id: expect.any(String),
          user_id: OWNER,
          calendar_event_id: null,
          calendar_metadata: null,
          daily_composed_video_s3_key: null,
          daily_composed_video_duration: null,
        });
      });

      it('reuses the active meeting: one provider call for many joins', async () => {
        await createRoom(OWNER, { name: 'reuse-me' });
        const first = await join('reuse-me');
        const second = await join('reuse-me');
        const third = await join('reuse-me', await tokenFor(STRANGER));
        expect(second.body?.id).toBe(first.body?.id);
        expect(third.body?.id).toBe(first.body?.id);
        expect(await posts('whereby', '/v1/meetings')).toHaveLength(1);
      });

      it('sends no recording for rooms that do not record, and a local one for local recording', async () => {
        await createRoom(OWNER, { name: 'no-tape', recording_type: 'none' });
        await createRoom(OWNER, { name: 'own-tape', recording_type: 'local', recording_trigger: 'none' });
        await join('no-tape');
        await join('own-tape');
        const [none, local] = await posts('whereby', '/v1/meetings');
        expect(none?.body).not.toHaveProperty('recording');
        expect(local?.body.recording).toEqual({ type: 'local', startTrigger: 'none' });
      });

      it('fits long room names into Whereby’s 39-character prefix', async () => {
        const name = `${'a'.repeat(38)}-b${'c'.repeat(20)}`;
        await createRoom(OWNER, { name });
        expect((await join(name)).status).toBe(200);
        const [request] = await posts('whereby', '/v1/meetings');
        expect(request?.body.roomNamePrefix).toBe('a'.repeat(38));
      });
    });

    describe('on Daily', () => {
      // With the master switch off every meeting goes to Whereby, whatever the room says.
      beforeEach(() => setFlags({ DAILY_MIGRATION_ENABLED: 'true' }));

      it('creates a Daily room named after the room and the start, and answers with Daily’s URL', async () => {
        await createRoom(OWNER, { name: 'daily-room', platform: 'daily', recording_type: 'cloud' });
        const response = await join('daily-room');
        expect(response.status).toBe(200);

        const [request] = await posts('daily', '/v1/rooms');
        expect(request?.authorization).toBe(`Bearer ${servers.daily.apiKey}`);
        expect(request?.body.name).toMatch(/^daily-room-\d{14}$/);
        expect(request?.body.privacy).toBe('public');
        expect(request?.body.properties).toMatchObject({ enable_recording: 'cloud', enable_knocking: false });
        expect(request?.body.properties).not.toHaveProperty('recordings_bucket');
        const exp = request?.body.properties.exp * 1000;
        expect(Math.abs(exp - (Date.now() + 8 * HOUR))).toBeLessThan(5_000);

        expect(response.body).toMatchObject({
          platform: 'daily',
          room_name: request?.body.name,
          room_url: `${servers.daily.roomOrigin}/${request?.body.name}`,
          host_room_url: '',
        });
        expect(Date.parse(response.body?.end_date)).toBe(exp);
      });

      it('makes a locked room private with knocking', async () => {
        await createRoom(OWNER, { name: 'locked-daily', platform: 'daily', is_locked: true });
        await join('locked-daily');
        const [request] = await posts('daily', '/v1/rooms');
        expect(request?.body).toMatchObject({ privacy: 'private', properties: { enable_knocking: true } });
      });

      it('records straight into the bucket through AWS_DAILY_ROLE_ARN when it is set', async () => {
        await createRoom(OWNER, { name: 'role-bucket', platform: 'daily' });
        const arn = 'arn:aws:iam::123456789012:role/daily-recordings';
        const response = await requestWith(
          '/v1/rooms/role-bucket/meeting',
          { method: 'POST' },
          { ...env, AWS_DAILY_ROLE_ARN: arn },
        );
        expect(response.status).toBe(200);
        const [request] = await posts('daily', '/v1/rooms');
        expect(request?.body.properties.recordings_bucket).toEqual({
          bucket_name: 'recordings',
          bucket_region: 'us-east-1',
          assume_role_arn: arn,
          allow_api_access: true,
        });
      });
    });

    describe('the meeting’s life', () => {
      it.each(['whereby', 'daily'] as const)('makes a %s meeting MEETING_LENGTH_MINUTES long', async (platform) => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: `ninety-${platform}`, platform });
        const response = await joinWith(`ninety-${platform}`, { MEETING_LENGTH_MINUTES: '90' });
        expect(response.status).toBe(200);
        const meeting = (await response.json()) as { start_date: string; end_date: string };
        expect(Date.parse(meeting.end_date) - Date.parse(meeting.start_date)).toBe(90 * 60_000);
        // The provider's own end is the same instant: Whereby's endDate, Daily's exp.
        const [request] = await posts(platform, platform === 'daily' ? '/v1/rooms' : '/v1/meetings');
        const providerEnd =
          platform === 'daily' ? request?.body.properties.exp * 1000 : Date.parse(request?.body.endDate);
        expect(providerEnd).toBe(Date.parse(meeting.end_date));
      });

      it('retires the active meeting when the owner changes a setting that shapes it', async () => {
        const room = await createRoom(OWNER, { name: 'reshape' });
        const first = await join('reshape');
        const owner = await tokenFor(OWNER);

        await call('PATCH', `/v1/rooms/${room.id}`, { token: owner, body: { is_shared: true, skip_consent: true } });
        const same = await join('reshape');
        expect(same.body?.id).toBe(first.body?.id);
        expect(same.body?.skip_consent).toBe(true);

        await call('PATCH', `/v1/rooms/${room.id}`, { token: owner, body: { room_mode: 'group' } });
        const next = await join('reshape');
        expect(next.body?.id).not.toBe(first.body?.id);
        expect(next.body?.room_mode).toBe('group');
        const rows = await meetingRows();
        expect(rows.map((row) => row.is_active)).toEqual([0, 1]);
      });

      it('moves to the new platform when the owner changes it', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        const room = await createRoom(OWNER, { name: 'switcher' });
        expect((await join('switcher')).body?.platform).toBe('whereby');
        await call('PATCH', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER), body: { platform: 'daily' } });
        expect((await join('switcher')).body?.platform).toBe('daily');
      });

      it('ends a meeting it retires at its provider, so that Daily rooms do not pile up', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'no-pile', platform: 'daily' });
        const first = await join('no-pile');
        await env.DB.prepare('UPDATE meetings SET end_date = ?')
          .bind(new Date(Date.now() - 1000).toISOString())
          .run();
        const next = await joinAndWait('no-pile');
        expect(next.body.id).not.toBe(first.body?.id);
        const deletes = (await standIn.requests('daily')).filter((request) => request.method === 'DELETE');
        expect(deletes.map((request) => request.path)).toEqual([`/v1/rooms/${first.body?.room_name}`]);
        expect((await standIn.rooms('daily')).map((room) => room.name)).toEqual([next.body.room_name]);
        expect(await meetingRows()).toMatchObject([
          { id: first.body?.id, is_active: 0, provider_end_due_at: null },
          { id: next.body.id, is_active: 1, provider_end_due_at: null },
        ]);
      });

      it('creates a new meeting once the active one has run out of time', async () => {
        await createRoom(OWNER, { name: 'overtime' });
        const first = await join('overtime');
        await env.DB.prepare('UPDATE meetings SET end_date = ?')
          .bind(new Date(Date.now() - 1000).toISOString())
          .run();
        const next = await join('overtime');
        expect(next.body?.id).not.toBe(first.body?.id);
        expect((await meetingRows()).map((row) => row.is_active)).toEqual([0, 1]);
      });
    });

    describe('long calls (SPEC §9)', () => {
      // Meetings of one minute, and the clock moved past their end as the hours of a long call would.
      const joinShort = async (room: string) => {
        const response = await joinWith(room, { MEETING_LENGTH_MINUTES: '1' });
        return { status: response.status, body: (await response.json()) as Record<string, any> };
      };
      const moveClock = (ms: number) => {
        if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
        vi.setSystemTime(Date.now() + ms);
      };
      afterEach(() => vi.useRealTimers());
      const dailyRoom = async (name: string) => (await standIn.rooms('daily')).find((room) => room.name === name);

      it('keeps people in one Daily call past its end: the join extends the lease, Daily’s exp first', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'long-daily', platform: 'daily' });
        const first = await joinShort('long-daily');
        await someoneJoins(first.body.id);
        moveClock(10 * 60_000);

        const later = await joinShort('long-daily');
        expect(later.status).toBe(200);
        expect(later.body.id).toBe(first.body.id);
        const end = Date.parse(later.body.end_date);
        expect(end).toBeGreaterThan(Date.now());
        expect(end).toBeLessThanOrEqual(Date.now() + 60_000);
        const name = first.body.room_name;
        expect((await posts('daily', `/v1/rooms/${name}`)).map((request) => request.body)).toEqual([
          { properties: { exp: end / 1000 } },
        ]);
        expect((await dailyRoom(name))?.config.exp).toBe(end / 1000);
        expect(await posts('daily', '/v1/rooms')).toHaveLength(1);
        expect((await meetingRows()).map((row) => row.is_active)).toEqual([1]);
      });

      it('reuses an occupied Whereby meeting until Whereby closes its room, an hour after its end', async () => {
        await createRoom(OWNER, { name: 'long-whereby' });
        const first = await joinShort('long-whereby');
        await someoneJoins(first.body.id);
        moveClock(50 * 60_000);
        const later = await joinShort('long-whereby');
        expect(later.body.id).toBe(first.body.id);
        expect(later.body.end_date).toBe(first.body.end_date);
        expect(await posts('whereby', '/v1/meetings')).toHaveLength(1);

        moveClock(15 * 60_000);
        const next = await joinShort('long-whereby');
        expect(next.body.id).not.toBe(first.body.id);
        expect((await meetingRows()).map((row) => row.is_active)).toEqual([0, 1]);
      });

      it.each(['whereby', 'daily'] as const)('retires an empty %s meeting past its end', async (platform) => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: `empty-${platform}`, platform });
        const first = await joinShort(`empty-${platform}`);
        moveClock(2 * 60_000);
        const next = await joinShort(`empty-${platform}`);
        expect(next.body.id).not.toBe(first.body.id);
        expect((await meetingRows()).map((row) => row.is_active)).toEqual([0, 1]);
        expect(await posts('daily', `/v1/rooms/${first.body.room_name}`)).toHaveLength(0);
      });

      it('answers 503 and keeps the call when Daily cannot move an exp that has passed', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'stuck-daily', platform: 'daily' });
        const first = await joinShort('stuck-daily');
        await someoneJoins(first.body.id);
        moveClock(10 * 60_000);
        const path = `^/v1/rooms/${first.body.room_name}$`;
        await standIn.fault('daily', { method: 'POST', path, status: 500, times: 3 });

        const refused = await joinShort('stuck-daily');
        expect(refused.status).toBe(503);
        expect(refused.body.detail).toBe('Daily could not extend the room: it answered 500 (HTTP 500).');
        expect(await meetingRows()).toMatchObject([{ id: first.body.id, is_active: 1, end_date: first.body.end_date }]);
      });

      it('leaves an exp still ahead to the Cron: the join calls nobody', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'nearly-daily', platform: 'daily' });
        const first = await joinShort('nearly-daily');
        await someoneJoins(first.body.id);
        moveClock(30_000);
        const later = await joinShort('nearly-daily');
        expect(later).toMatchObject({ status: 200, body: { id: first.body.id, end_date: first.body.end_date } });
        expect(await posts('daily', `/v1/rooms/${first.body.room_name}`)).toHaveLength(0);
      });
    });

    describe('simultaneous first joins', () => {
      it('50 at once give one meeting and one provider call', async () => {
        await createRoom(OWNER, { name: 'stampede' });
        const responses = await Promise.all(Array.from({ length: 50 }, () => join('stampede')));
        expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
        expect(new Set(responses.map((response) => response.body?.id)).size).toBe(1);
        expect(await posts('whereby', '/v1/meetings')).toHaveLength(1);
        expect(await meetingRows()).toHaveLength(1);
      });
    });

    describe('the room URLs a provider answers (SPEC §14)', () => {
      it('takes a Daily room on DAILY_SUBDOMAIN', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'our-subdomain', platform: 'daily' });
        const response = await joinWith('our-subdomain', { DAILY_SUBDOMAIN: 'Stand-In' });
        expect(response.status).toBe(200);
        const meeting = (await response.json()) as { room_url: string; room_name: string };
        expect(meeting.room_url).toBe(`https://stand-in.daily.co/${meeting.room_name}`);
        expect(await meetingRows()).toHaveLength(1);
      });

      it('takes the stand-ins’ loopback rooms in development, and only those besides the providers’', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'local-daily', platform: 'daily' });
        await dailyAnswers(`${servers.daily.origin}/answered-room`);
        const daily = await joinWith('local-daily', { ENVIRONMENT: 'development' });
        expect(daily.status).toBe(200);
        expect(((await daily.json()) as { room_url: string }).room_url).toBe(`${servers.daily.origin}/answered-room`);

        await createRoom(OWNER, { name: 'local-whereby' });
        const local = {
          roomUrl: 'http://localhost:8788/answered-room',
          hostRoomUrl: 'http://localhost:8788/answered-room?k=1',
        };
        await wherebyAnswers(local);
        const whereby = await joinWith('local-whereby', { ENVIRONMENT: 'development' });
        expect(whereby.status).toBe(200);
        expect(((await whereby.json()) as { room_url: string }).room_url).toBe(local.roomUrl);

        await createRoom(OWNER, { name: 'local-elsewhere' });
        await wherebyAnswers({ roomUrl: 'http://192.168.1.20:8788/answered-room' });
        expect((await joinWith('local-elsewhere', { ENVIRONMENT: 'development' })).status).toBe(502);
        expect(await meetingRows()).toHaveLength(2);
      });

      it.each([
        ['missing', { ENVIRONMENT: undefined }],
        ['blank', { ENVIRONMENT: '' }],
        ['misspelled', { ENVIRONMENT: 'develop' }],
      ])('refuses the stand-ins’ loopback rooms when ENVIRONMENT is %s (production)', async (_, bindings) => {
        await createRoom(OWNER, { name: 'loopback-room' });
        await wherebyAnswers({ roomUrl: 'http://127.0.0.1:8788/answered-room' });
        const response = await requestWith(
          '/v1/rooms/loopback-room/meeting',
          { method: 'POST' },
          { ...env, ...bindings },
        );
        expect(response.status).toBe(502);
        expect(await meetingRows()).toHaveLength(0);
      });
    });
  });

  describe('error cases', () => {
    it('answers 404 for a room that does not exist, calling no provider', async () => {
      const response = await join('nobody-made-this');
      expect(response.status).toBe(404);
      expect(response.body?.detail).toBe('The room was not found.');
      expect(await standIn.requests('whereby')).toHaveLength(0);
    });

    describe('simultaneous first joins', () => {
      it('share one failure instead of calling a failing provider 50 times', async () => {
        await createRoom(OWNER, { name: 'stampede-fail' });
        // The failure comes late enough (2 s) for all 50 to be waiting on it, however busy the machine.
        await standIn.fault('whereby', {
          method: 'POST',
          path: '^/v1/meetings$',
          status: 400,
          body: { error: 'roomMode is invalid' },
          times: 100,
          delay_ms: 2_000,
        });
        const responses = await Promise.all(Array.from({ length: 50 }, () => join('stampede-fail')));
        expect(new Set(responses.map((response) => response.status))).toEqual(new Set([502]));
        expect(await posts('whereby', '/v1/meetings')).toHaveLength(1);
        expect(await meetingRows()).toHaveLength(0);
      });
    });

    describe('no orphan provider rooms, whatever fails (SPEC §9)', () => {
      const cron = () =>
        endRetiredMeetings(
          env,
          platforms(config(env), () => {}, breakers(env.BREAKERS)),
        );

      it.each(['whereby', 'daily'] as const)(
        'ends the %s room when its meeting row cannot be written',
        async (platform) => {
          await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
          await createRoom(OWNER, { name: `unwritten-${platform}`, platform });
          const d1 = failingSome(/^insert into "meetings"/, 1);
          const answer = await joinAndWait(`unwritten-${platform}`, { DB: d1.binding });
          expect(answer.status).toBe(500);
          expect(d1.failed.count).toBe(1);
          expect(await standIn.rooms(platform)).toEqual([]);
          // On record as retired and ended: nothing is left for the Cron.
          expect(await meetingRows()).toMatchObject([{ is_active: 0, provider_end_due_at: null }]);
          expect(await cron()).toEqual({ ended: 0, failed: 0 });
          expect((await join(`unwritten-${platform}`)).status).toBe(200);
        },
      );

      it('ends the room even when D1 keeps no record of it at all', async () => {
        await createRoom(OWNER, { name: 'unrecorded' });
        const d1 = failingSome(/^insert into "meetings"/);
        expect((await joinAndWait('unrecorded', { DB: d1.binding })).status).toBe(500);
        expect(d1.failed.count).toBe(2);
        expect(await standIn.rooms('whereby')).toEqual([]);
        expect(await meetingRows()).toEqual([]);
      });

      it('keeps the record of a room its provider could not end, and the Cron ends it', async () => {
        await createRoom(OWNER, { name: 'unended' });
        await standIn.fault('whereby', { method: 'DELETE', path: '^/v1/meetings/', status: 500, times: 3 });
        const d1 = failingSome(/^insert into "meetings"/, 1);
        expect((await joinAndWait('unended', { DB: d1.binding })).status).toBe(500);
        expect(await standIn.rooms('whereby')).toHaveLength(1);
        expect(await meetingRows()).toMatchObject([{ is_active: 0, provider_end_due_at: expect.any(Number) }]);

        expect(await cron()).toEqual({ ended: 1, failed: 0 });
        expect(await standIn.rooms('whereby')).toEqual([]);
        expect(await meetingRows()).toMatchObject([{ is_active: 0, provider_end_due_at: null }]);
      });

      it('ends the room of a creation whose claim ran out meanwhile, and answers the meeting made since', async () => {
        await createRoom(OWNER, { name: 'overtaken' });
        // Whereby answers the first creation 1.5 s late, the claim's lease past by then.
        await standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', delay_ms: 1_500 });
        const slow = joinAndWait('overtaken');
        await new Promise((resolve) => setTimeout(resolve, 300));
        vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
        vi.setSystemTime(Date.now() + 31_000);
        try {
          const overtaking = await join('overtaken');
          expect(overtaking.status).toBe(200);
          const overtaken = await slow;
          expect(overtaken).toMatchObject({ status: 200, body: { id: overtaking.body?.id } });
        } finally {
          vi.useRealTimers();
        }
        expect(await posts('whereby', '/v1/meetings')).toHaveLength(2);
        expect(await standIn.rooms('whereby')).toHaveLength(1);
        // The overtaken creation's room is on record, retired and ended.
        expect(await meetingRows()).toMatchObject([
          { is_active: 0, provider_end_due_at: null },
          { is_active: 1, provider_end_due_at: null },
        ]);
      });

      it('answers the meeting when only the release of the claim fails', async () => {
        await createRoom(OWNER, { name: 'unreleased' });
        const d1 = failingSome(/^delete from "meeting_claims"/, 1);
        const answer = await joinAndWait('unreleased', { DB: d1.binding });
        expect(answer.status).toBe(200);
        expect(d1.failed.count).toBe(1);
        expect((await join('unreleased')).body?.id).toBe(answer.body.id);
        expect(await standIn.rooms('whereby')).toHaveLength(1);
        expect(await meetingRows()).toMatchObject([{ id: answer.body.id, is_active: 1 }]);
      });

      it('answers the provider’s failure when it cannot be kept for the waiters', async () => {
        await createRoom(OWNER, { name: 'unshared' });
        await standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', status: 400, body: { error: 'no' } });
        const d1 = failingSome(/^insert into "meeting_claim_failures"/, 1);
        const answer = await joinAndWait('unshared', { DB: d1.binding });
        expect(answer).toMatchObject({
          status: 502,
          body: { detail: 'Whereby could not create the meeting: no (HTTP 400).' },
        });
        expect(d1.failed.count).toBe(1);
        expect((await join('unshared')).status).toBe(200);
      });
    });

    describe('provider trouble', () => {
      it('retries 5xx and, without failover, gives up with 503 and a clear detail, writing no meeting', async () => {
        await createRoom(OWNER, { name: 'flaky' });
        await standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', status: 500, times: 3 });
        const response = await joinWithoutFailover('flaky');
        expect(response.status).toBe(503);
        expect(response.body?.detail).toBe('Whereby could not create the meeting: it answered 500 (HTTP 500).');
        expect(await posts('whereby', '/v1/meetings')).toHaveLength(3);
        expect(await meetingRows()).toHaveLength(0);
      });

      it('lets a person try again at once after a failure: the provider is asked afresh', async () => {
        await createRoom(OWNER, { name: 'try-again' });
        await standIn.fault('whereby', {
          method: 'POST',
          path: '^/v1/meetings$',
          status: 400,
          body: { error: 'roomMode is invalid' },
        });
        expect((await join('try-again')).status).toBe(502);
        expect((await join('try-again')).status).toBe(200);
        expect(await posts('whereby', '/v1/meetings')).toHaveLength(2);
      });

      it('gives a failure to the requests that waited on it, and not to one that came after its answer', async () => {
        await createRoom(OWNER, { name: 'generations' });
        const failsWith = (error: string, delay_ms = 0) =>
          standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', status: 400, body: { error }, delay_ms });
        await failsWith('first failure', 1_000);
        const first = join('generations');
        // The first creation is at the provider: this one waits on it.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const waiting = join('generations');
        const firstAnswer = await first;
        await failsWith('second failure');
        const after = await join('generations');

        const detail = (error: string) => `Whereby could not create the meeting: ${error} (HTTP 400).`;
        expect(firstAnswer.body?.detail).toBe(detail('first failure'));
        expect((await waiting).body?.detail).toBe(detail('first failure'));
        expect(after.body?.detail).toBe(detail('second failure'));
        expect(await posts('whereby', '/v1/meetings')).toHaveLength(2);
      });

      it('lets a person try again at once after Daily failed to extend the lease', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'extend-again', platform: 'daily' });
        const short = { MEETING_LENGTH_MINUTES: '1' };
        const first = (await (await joinWith('extend-again', short)).json()) as { id: string; room_name: string };
        await someoneJoins(first.id);
        await env.DB.prepare('UPDATE meetings SET end_date = ?')
          .bind(new Date(Date.now() - 60_000).toISOString())
          .run();
        await standIn.fault('daily', { method: 'POST', path: `^/v1/rooms/${first.room_name}$`, status: 400 });
        expect((await joinWith('extend-again', short)).status).toBe(502);
        const again = await joinWith('extend-again', short);
        expect(again.status).toBe(200);
        expect(((await again.json()) as { id: string }).id).toBe(first.id);
        expect(await posts('daily', `/v1/rooms/${first.room_name}`)).toHaveLength(2);
      });

      it('recovers when a retry succeeds', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'recovers', platform: 'daily' });
        await standIn.fault('daily', { method: 'POST', path: '^/v1/rooms$', status: 503, times: 1 });
        const response = await join('recovers');
        expect(response.status).toBe(200);
        expect(await posts('daily', '/v1/rooms')).toHaveLength(2);
      });

      it('waits out a 429 as the provider asks, then succeeds', async () => {
        await createRoom(OWNER, { name: 'throttled' });
        await standIn.fault('whereby', {
          method: 'POST',
          path: '^/v1/meetings$',
          status: 429,
          body: { error: 'Too many requests', data: { msLeft: 300 } },
          times: 1,
        });
        const started = Date.now();
        const response = await join('throttled');
        expect(response.status).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      });

      it('answers 503 when the provider keeps rate-limiting and there is no failover', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'throttled-long', platform: 'daily' });
        await standIn.fault('daily', {
          method: 'POST',
          path: '^/v1/rooms$',
          status: 429,
          body: { error: 'rate-limit-error', info: 'slow down' },
          headers: { 'retry-after': '0' },
          times: 3,
        });
        const response = await joinWithoutFailover('throttled-long');
        expect(response.status).toBe(503);
        expect(response.body?.detail).toBe('Daily could not create the room: rate-limit-error: slow down (HTTP 429).');
      });

      it('passes the provider’s refusal on as 502 without retrying', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'refused', platform: 'daily' });
        await standIn.fault('daily', {
          method: 'POST',
          path: '^/v1/rooms$',
          status: 400,
          body: { error: 'invalid-request-error', info: 'exp is in the past' },
        });
        const response = await join('refused');
        expect(response.status).toBe(502);
        expect(response.body?.detail).toBe(
          'Daily could not create the room: invalid-request-error: exp is in the past (HTTP 400).',
        );
        expect(await posts('daily', '/v1/rooms')).toHaveLength(1);
        expect(await meetingRows()).toHaveLength(0);
      });

      it('answers 502 for a malformed provider answer', async () => {
        await createRoom(OWNER, { name: 'garbled' });
        await standIn.fault('whereby', {
          method: 'POST',
          path: '^/v1/meetings$',
          status: 201,
          body: { roomUrl: 'not a url' },
        });
        const response = await join('garbled');
        expect(response.status).toBe(502);
        expect(response.body?.detail).toMatch(/^Whereby could not create the meeting: its answer lacks a valid \w+\.$/);
        expect(await meetingRows()).toHaveLength(0);
      });

      it('answers 502 for an answer that is not JSON', async () => {
        await createRoom(OWNER, { name: 'html-answer' });
        await standIn.fault('whereby', {
          method: 'POST',
          path: '^/v1/meetings$',
          status: 201,
          body: '<html>oops</html>',
        });
        const response = await join('html-answer');
        expect(response.status).toBe(502);
        expect(response.body?.detail).toBe('Whereby could not create the meeting: its answer is not JSON.');
      });

      it('answers 503 when the connection drops and there is no failover', async () => {
        await createRoom(OWNER, { name: 'dropped' });
        await standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', status: 0, times: 3 });
        const response = await joinWithoutFailover('dropped');
        expect(response.status).toBe(503);
        expect(response.body?.detail).toContain('Whereby could not create the meeting: the request did not reach it');
      });
    });

    describe('missing or malformed settings', () => {
      it.each(['0', '1441', '90.5', 'eight hours'])(
        'names a MEETING_LENGTH_MINUTES of %s, calls nobody and writes nothing',
        async (length) => {
          await createRoom(OWNER, { name: 'bad-length' });
          const response = await joinWith('bad-length', { MEETING_LENGTH_MINUTES: length });
          expect(response.status).toBe(503);
          expect(await response.json()).toEqual({
            detail: expect.stringContaining('MEETING_LENGTH_MINUTES is malformed'),
            code: 'not-configured',
            request_id: response.headers.get('x-request-id'),
          });
          expect(await standIn.requests('whereby')).toHaveLength(0);
          expect(await meetingRows()).toHaveLength(0);
        },
      );

      it('names a missing setting, calls nobody and writes nothing', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'unconfigured', platform: 'daily' });
        const response = await requestWith(
          '/v1/rooms/unconfigured/meeting',
          { method: 'POST' },
          { ...env, DAILY_API_KEY: '' },
        );
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({
          detail: 'The service is not configured for this: DAILY_API_KEY is not set.',
          code: 'not-configured',
          request_id: response.headers.get('x-request-id'),
        });
        expect(await standIn.requests('daily')).toHaveLength(0);
        expect(await meetingRows()).toHaveLength(0);
      });

      it('names a malformed setting', async () => {
        await createRoom(OWNER, { name: 'bad-url' });
        const response = await requestWith(
          '/v1/rooms/bad-url/meeting',
          { method: 'POST' },
          { ...env, WHEREBY_API_URL: 'ftp://nope' },
        );
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({
          detail: expect.stringContaining('WHEREBY_API_URL is malformed'),
          code: 'not-configured',
          request_id: response.headers.get('x-request-id'),
        });
      });

      it('names the bucket setting a cloud-recorded Whereby room needs', async () => {
        await createRoom(OWNER, { name: 'no-bucket' });
        const response = await requestWith(
          '/v1/rooms/no-bucket/meeting',
          { method: 'POST' },
          { ...env, RECORDING_S3_BUCKET: '' },
        );
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({
          detail: 'The service is not configured for this: RECORDING_S3_BUCKET is not set.',
          code: 'not-configured',
          request_id: response.headers.get('x-request-id'),
        });
      });
    });

    describe('the room URLs a provider answers (SPEC §14)', () => {
      it.each([
        ['a javascript: URL', 'javascript:alert(document.domain)'],
        ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
        ['http:// on Daily’s domain', 'http://stand-in.daily.co/answered-room'],
        ['another host', 'https://daily.co.example.com/answered-room'],
        ['a host under another domain’s daily.co', 'https://stand-in.daily.co.example.com/answered-room'],
        ['credentials before Daily’s host', 'https://someone:secret@stand-in.daily.co/answered-room'],
        ['a loopback address outside development', `${servers.daily.origin}/answered-room`],
        ['no URL at all', 'answered-room'],
      ])('refuses %s from Daily with 502 and stores no meeting', async (_, url) => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'daily-url', platform: 'daily' });
        await dailyAnswers(url);
        await expectRefused(
          await joinWith('daily-url'),
          'daily',
          "Daily could not create the room: its answer's url is not an https address on *.daily.co.",
          url,
        );
      });

      it('refuses a Daily room on another subdomain than DAILY_SUBDOMAIN', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'other-subdomain', platform: 'daily' });
        // The stand-in answers https://stand-in.daily.co/...: Daily's domain, not our account's.
        await expectRefused(
          await joinWith('other-subdomain', { DAILY_SUBDOMAIN: 'acme' }),
          'daily',
          "Daily could not create the room: its answer's url is not an https address on acme.daily.co.",
          servers.daily.roomOrigin,
        );
      });

      it('names a DAILY_SUBDOMAIN that is not a DNS label', async () => {
        await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
        await createRoom(OWNER, { name: 'bad-subdomain', platform: 'daily' });
        const response = await joinWith('bad-subdomain', { DAILY_SUBDOMAIN: 'acme.evil.com' });
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({
          detail: expect.stringContaining('DAILY_SUBDOMAIN is malformed'),
          code: 'not-configured',
          request_id: response.headers.get('x-request-id'),
        });
        expect(await standIn.requests('daily')).toHaveLength(0);
      });

      it.each([
        ['a javascript: room URL', { roomUrl: 'javascript:alert(1)' }, 'roomUrl'],
        [
          'an http:// room URL on Whereby’s domain',
          { roomUrl: 'http://stand-in.whereby.com/answered-room' },
          'roomUrl',
        ],
        [
          'a host link on another host',
          {
            roomUrl: 'https://stand-in.whereby.com/answered-room',
            hostRoomUrl: 'https://example.com/answered-room?roomKey=k',
          },
          'hostRoomUrl',
        ],
        [
          'a data: host link',
          { roomUrl: 'https://stand-in.whereby.com/answered-room', hostRoomUrl: 'data:text/html,hi' },
          'hostRoomUrl',
        ],
      ])(
        'refuses %s from Whereby with 502 and stores no meeting',
        async (_, urls: { roomUrl: string; hostRoomUrl?: string }, field) => {
          await createRoom(OWNER, { name: 'whereby-url' });
          await wherebyAnswers(urls);
          await expectRefused(
            await joinWith('whereby-url'),
            'whereby',
            `Whereby could not create the meeting: its answer's ${field} is not an https address on *.whereby.com.`,
            urls.hostRoomUrl ?? urls.roomUrl,
          );
        },
      );
    });
  });

  describe('security', () => {
    it('gives the host link to the owner only', async () => {
      await createRoom(OWNER, { name: 'hosted' });
      const owner = await join('hosted', await tokenFor(OWNER));
      const stranger = await join('hosted', await tokenFor(STRANGER));
      const anonymous = await join('hosted');
      expect(owner.body?.host_room_url).toMatch(/\?roomKey=/);
      expect(owner.body?.room_url).not.toContain('roomKey');
      for (const guest of [stranger, anonymous]) {
        expect(guest.body?.host_room_url).toBe('');
        expect(JSON.stringify(guest.body)).not.toContain('roomKey');
        expect(guest.body?.room_url).toBe(owner.body?.room_url);
      }
    });

    it('makes no meeting for a request whose token is refused', async () => {
      await createRoom(OWNER, { name: 'bad-token' });
      const response = await join('bad-token', 'not-a-jwt');
      expect(response.status).toBe(401);
      expect(await standIn.requests('whereby')).toHaveLength(0);
      expect(await meetingRows()).toHaveLength(0);
    });

    describe('on Daily', () => {
      beforeEach(() => setFlags({ DAILY_MIGRATION_ENABLED: 'true' }));

      it('gives the owner a room URL with an owner token, and everyone else the plain URL', async () => {
        await createRoom(OWNER, { name: 'daily-owner', platform: 'daily' });
        const owner = await join('daily-owner', await tokenFor(OWNER));
        const guest = await join('daily-owner', await tokenFor(STRANGER));

        const [tokenRequest] = await posts('daily', '/v1/meeting-tokens');
        expect(tokenRequest?.body.properties).toMatchObject({
          room_name: owner.body?.room_name,
          is_owner: true,
          user_id: OWNER,
        });
        expect(tokenRequest?.body.properties.exp * 1000).toBe(Date.parse(owner.body?.end_date));
        const ownerUrl = new URL(owner.body?.room_url);
        expect(ownerUrl.searchParams.get('t')).toBeTruthy();
        expect(owner.body?.host_room_url).toBe(owner.body?.room_url);

        expect(guest.body?.room_url).toBe(`${servers.daily.roomOrigin}/${owner.body?.room_name}`);
        expect(guest.body?.host_room_url).toBe('');
        expect(await posts('daily', '/v1/meeting-tokens')).toHaveLength(1);
      });
    });
  });
});

describe('POST /v1/meetings/{meeting_id}/consent', () => {
  describe('happy path', () => {
    it('stores each answer and returns its id', async () => {
      await createRoom(OWNER, { name: 'consenting' });
      const meeting = await join('consenting');
      const yes = await call('POST', `/v1/meetings/${meeting.body?.id}/consent`, { body: { consent_given: true } });
      const no = await call('POST', `/v1/meetings/${meeting.body?.id}/consent`, {
        body: { consent_given: false },
        token: await tokenFor(STRANGER),
      });
      expect(yes).toMatchObject({ status: 200, body: { status: 'success', consent_id: expect.any(String) } });
      expect(no.status).toBe(200);
      const rows = (
        await env.DB.prepare(
          'SELECT id, meeting_id, user_id, consent_given FROM meeting_consent ORDER BY consent_timestamp',
        ).all()
      ).results;
      expect(rows).toEqual([
        { id: yes.body?.consent_id, meeting_id: meeting.body?.id, user_id: null, consent_given: 1 },
        { id: no.body?.consent_id, meeting_id: meeting.body?.id, user_id: STRANGER, consent_given: 0 },
      ]);
    });
  });

  describe('error cases', () => {
    it.each([[{}], [{ consent_given: 'yes' }], [{ consent_given: true, extra: 1 }]])(
      'refuses %j with 422',
      async (body) => {
        await createRoom(OWNER, { name: 'bad-consent' });
        const meeting = await join('bad-consent');
        const response = await call('POST', `/v1/meetings/${meeting.body?.id}/consent`, { body });
        expect(response.status).toBe(422);
        expect((await env.DB.prepare('SELECT count(*) AS n FROM meeting_consent').first())?.n).toBe(0);
      },
    );

    it('answers 404 for an unknown meeting', async () => {
      const response = await call('POST', '/v1/meetings/nope/consent', { body: { consent_given: true } });
      expect(response.status).toBe(404);
    });
  });
});
