import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dailyEvent, wherebyEvent } from '../../dev/provider-webhooks';
import { PLATFORMS } from '../../domain/rooms';
import { config } from '../../worker/config';
import worker from '../../worker/index';
import { breakers } from '../../worker/platforms/breaker-object';
import { platforms, platformsExtendingLeases, platformsKeepingRecordings } from '../../worker/platforms/registry';
import { extendLeases } from '../../worker/scheduled/lease-extensions';
import { reconcile } from '../../worker/scheduled/reconcile';
import { endRetiredMeetings } from '../../worker/scheduled/retired-meetings';
import { resetWorld, standIn } from './helpers';
import { meetingOn, numClients, sendDaily, sendWhereby, someoneJoins } from './webhook-helpers';

beforeEach(resetWorld);

/** One reconciliation run, its provider calls not counted. */
const reconcileWith = (bindings: Env) =>
  reconcile(
    bindings,
    platforms(config(bindings), () => {}, breakers(env.BREAKERS)),
  );

const seconds = (offset = 0) => Math.floor(Date.now() / 1000) + offset;
const corrections = () =>
  env.DB.prepare('SELECT kind FROM meeting_corrections ORDER BY id')
    .all<{ kind: string }>()
    .then((r) => r.results.map((row) => row.kind));
const sessions = (meetingId: string) =>
  env.DB.prepare(
    'SELECT participant_id, left_at FROM participant_sessions WHERE meeting_id = ? ORDER BY participant_id',
  )
    .bind(meetingId)
    .all<{ participant_id: string; left_at: number | null }>()
    .then((r) => r.results);

function queue() {
  const sent: unknown[] = [];
  return {
    sent,
    env: { ...env, RECORDING_COPIES: { send: async (body: unknown) => void sent.push(body) } as unknown as Queue },
  };
}

const joinDaily = (room: string, sessionId: string, joinedAt: number) =>
  sendDaily(
    dailyEvent('participant.joined', {
      room,
      session_id: sessionId,
      user_id: null,
      user_name: sessionId,
      joined_at: joinedAt,
    }),
  );

describe('reconciliation of Daily meetings against presence', () => {
  it('closes a session whose leave was lost and adds one whose join was lost', async () => {
    const meeting = await meetingOn('daily', 'recon-daily');
    await joinDaily(meeting.roomName, 'left-silently', seconds(-300));
    await joinDaily(meeting.roomName, 'still-here', seconds(-300));
    expect(await numClients(meeting.id)).toBe(2);
    await standIn.setDailyPresence(meeting.roomName, [
      { id: 'still-here', userName: 'still-here' },
      { id: 'joined-silently', userName: 'Late', joinTime: new Date(Date.now() - 120_000).toISOString() },
    ]);

    const report = await reconcileWith(env);
    expect(report).toMatchObject({ meetingsChecked: 1, corrections: 2, providerErrors: 0 });
    expect(await numClients(meeting.id)).toBe(2);
    expect(await sessions(meeting.id)).toEqual([
      { participant_id: 'joined-silently', left_at: null },
      { participant_id: 'left-silently', left_at: expect.any(Number) },
      { participant_id: 'still-here', left_at: null },
    ]);
    expect(await corrections()).toEqual(['participant-closed', 'participant-added']);
  });

  it('leaves a fresh join alone while presence catches up', async () => {
    const meeting = await meetingOn('daily', 'recon-fresh');
    await joinDaily(meeting.roomName, 'just-arrived', seconds(-5));
    const report = await reconcileWith(env);
    expect(report.corrections).toBe(0);
    expect(await numClients(meeting.id)).toBe(1);
  });

  it('does not reopen a session whose leave it already has', async () => {
    const meeting = await meetingOn('daily', 'recon-gone');
    await joinDaily(meeting.roomName, 'gone', seconds(-300));
    await sendDaily(
      dailyEvent('participant.left', {
        room: meeting.roomName,
        session_id: 'gone',
        user_id: null,
        user_name: 'gone',
        joined_at: seconds(-300),
        duration: 290,
      }),
    );
    await standIn.setDailyPresence(meeting.roomName, [{ id: 'gone' }]);
    await reconcileWith(env);
    expect(await numClients(meeting.id)).toBe(0);
  });
});

/** A Whereby client whose join arrived four minutes ago. */
const joinedFourMinutesAgo = (meeting: { platformMeetingId: string | null; roomName: string }) =>
  sendWhereby({
    ...wherebyEvent('room.client.joined', {
      meetingId: meeting.platformMeetingId,
      roomName: `/${meeting.roomName}`,
      participantId: 'p1',
      displayName: 'P',
    }),
    createdAt: new Date(Date.now() - 240_000).toISOString(),
  });

describe('reconciliation of Whereby meetings against room sessions', () => {
  it('closes open sessions once the room session has ended (a lost leave)', async () => {
    const meeting = await meetingOn('whereby', 'recon-whereby');
    await joinedFourMinutesAgo(meeting);
    expect(await numClients(meeting.id)).toBe(1);
    await standIn.setWherebySessions(`/${meeting.roomName}`, [
      {
        roomSessionId: 'rs',
        roomName: `/${meeting.roomName}`,
        startedAt: new Date(Date.now() - 300_000).toISOString(),
        endedAt: new Date().toISOString(),
      },
    ]);
    const report = await reconcileWith(env);
    expect(report.corrections).toBe(1);
    expect(await numClients(meeting.id)).toBe(0);
  });

  it('keeps open sessions while the room session goes on', async () => {
    const meeting = await meetingOn('whereby', 'recon-ongoing');
    await joinedFourMinutesAgo(meeting);
    await standIn.setWherebySessions(`/${meeting.roomName}`, [
      { roomSessionId: 'rs', roomName: `/${meeting.roomName}`, startedAt: new Date().toISOString(), endedAt: null },
    ]);
    expect((await reconcileWith(env)).corrections).toBe(0);
    expect(await numClients(meeting.id)).toBe(1);
  });
});

describe('meetings whose time is over', () => {
  it('ends those that are empty and keeps those still in use', async () => {
    const empty = await meetingOn('whereby', 'recon-over-empty');
    const busy = await meetingOn('daily', 'recon-over-busy');
    await env.DB.prepare('UPDATE meetings SET end_date = ?')
      .bind(new Date(Date.now() - 60_000).toISOString())
      .run();
    await standIn.setDailyPresence(busy.roomName, [{ id: 'night-owl' }]);
    await reconcileWith(env);
    const active = await env.DB.prepare('SELECT id, is_active FROM meetings ORDER BY id').all<{
      id: string;
      is_active: number;
    }>();
    expect(Object.fromEntries(active.results.map((row) => [row.id, row.is_active]))).toEqual({
      [empty.id]: 0,
      [busy.id]: 1,
    });
    expect(await corrections()).toEqual(expect.arrayContaining(['meeting-ended', 'participant-added']));
  });
});

describe('provider trouble during reconciliation', () => {
  it('logs the failing meeting and goes on with the others', async () => {
    await meetingOn('daily', 'recon-failing');
    await meetingOn('whereby', 'recon-fine');
    await standIn.fault('daily', { path: '/presence$', status: 500, times: 10 });
    const report = await reconcileWith(env);
    expect(report).toMatchObject({ meetingsChecked: 1, providerErrors: 1 });
    const checked = await env.DB.prepare('SELECT id, reconciled_at FROM meetings').all<{
      id: string;
      reconciled_at: number | null;
    }>();
    // Both move to the back of the queue, the failing one too.
    expect(checked.results.every((row) => row.reconciled_at !== null)).toBe(true);
  });

  it('checks a bounded number of meetings per run, the least recently checked first', async () => {
    for (let i = 0; i < 27; i++) await meetingOn('whereby', `recon-many-${i}`);
    expect((await reconcileWith(env)).meetingsChecked).toBe(25);
    const second = await reconcileWith(env);
    expect(second.meetingsChecked).toBe(25);
    const never = await env.DB.prepare('SELECT count(*) AS n FROM meetings WHERE reconciled_at IS NULL').first();
    expect(never?.n).toBe(0);
  });
});

describe('Daily recordings whose ready event never came', () => {
  it('are found through the recordings API, recorded and sent to be copied', async () => {
    const meeting = await meetingOn('daily', 'recon-recording');
    await standIn.setDailyRecordings(meeting.roomName, [
      {
        id: 'lost-rec',
        room_name: meeting.roomName,
        start_ts: Date.UTC(2026, 10, 24, 9, 0, 0) / 1000,
        status: 'finished',
        duration: 900,
        s3key: 'x/y',
      },
      { id: 'still-going', room_name: meeting.roomName, start_ts: seconds(), status: 'in-progress' },
    ]);
    const { sent, env: local } = queue();
    const report = await reconcileWith(local);
    expect(report.recordingsFound).toBe(1);
    const rows = (
      await env.DB.prepare('SELECT id, platform_recording_id, status, object_key, meeting_id FROM recordings').all()
    ).results;
    expect(rows).toEqual([
      {
        id: expect.any(String),
        platform_recording_id: 'lost-rec',
        status: 'ready',
        object_key: `${meeting.roomName}-2026-11-24T09:00:00Z.mp4`,
        meeting_id: meeting.id,
      },
    ]);
    expect(sent).toEqual([{ kind: 'copy-daily-recording', recordingId: rows[0]?.id }]);
    // The next run finds nothing new.
    expect((await reconcileWith(local)).recordingsFound).toBe(0);
  });

  it('re-sends the copy of a recording left ready too long', async () => {
    const meeting = await meetingOn('daily', 'recon-stuck');
    await sendDaily(
      dailyEvent('recording.ready-to-download', {
        type: 'cloud',
        recording_id: 'stuck',
        room_name: meeting.roomName,
        start_ts: seconds(-3600),
        status: 'finished',
        duration: 60,
      }),
    );
    await env.DB.prepare('UPDATE recordings SET updated_at = ?')
      .bind(Date.now() - 20 * 60_000)
      .run();
    const { sent, env: local } = queue();
    expect((await reconcileWith(local)).copiesResent).toBe(1);
    expect(sent).toHaveLength(1);
    expect((await reconcileWith(local)).copiesResent).toBe(0);
  });
});

describe('lease extensions (SPEC §9)', () => {
  const extendWith = (bindings: Env) =>
    extendLeases(
      bindings,
      platforms(config(bindings), () => {}, breakers(env.BREAKERS)),
    );
  const endDate = async (id: string) =>
    (await env.DB.prepare('SELECT end_date FROM meetings WHERE id = ?').bind(id).first<{ end_date: string }>())
      ?.end_date;
  const extensions = async () =>
    (await standIn.requests('daily')).filter(
      (request) => /^\/v1\/rooms\/[^/]+$/.test(request.path) && request.method === 'POST',
    );
  /** The clock moved on, as the hours of a long call would. */
  const moveClock = (ms: number) => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + ms);
  };
  afterEach(() => vi.useRealTimers());
  const HOUR = 3_600_000;

  it('extends occupied Daily meetings whose exp is less than 30 minutes away, and no other', async () => {
    const soon = await meetingOn('daily', 'lease-soon');
    await someoneJoins(soon.id);
    const empty = await meetingOn('daily', 'lease-empty');
    const whereby = await meetingOn('whereby', 'lease-whereby');
    await someoneJoins(whereby.id);
    // 25 minutes before the end of those three (8 hours), a meeting made then ends much later.
    moveClock(8 * HOUR - 25 * 60_000);
    const later = await meetingOn('daily', 'lease-later');
    await someoneJoins(later.id);
    const before = {
      empty: await endDate(empty.id),
      whereby: await endDate(whereby.id),
      later: await endDate(later.id),
    };

    expect(await extendWith(env)).toEqual({ extended: 1, failed: 0 });
    const end = Date.parse((await endDate(soon.id)) ?? '');
    expect(end).toBeGreaterThan(Date.now() + 8 * HOUR - 5_000);
    expect((await extensions()).map((request) => [request.path, request.body])).toEqual([
      [`/v1/rooms/${soon.roomName}`, { properties: { exp: end / 1000 } }],
    ]);
    expect({
      empty: await endDate(empty.id),
      whereby: await endDate(whereby.id),
      later: await endDate(later.id),
    }).toEqual(before);
    // The next run has nothing to do.
    expect(await extendWith(env)).toEqual({ extended: 0, failed: 0 });
  });

  it('extends a lease that already lapsed, and leaves one Daily fails on for the next run', async () => {
    const lapsed = await meetingOn('daily', 'lease-lapsed');
    await someoneJoins(lapsed.id);
    const failing = await meetingOn('daily', 'lease-failing');
    await someoneJoins(failing.id);
    moveClock(9 * HOUR);
    await standIn.fault('daily', { method: 'POST', path: `^/v1/rooms/${failing.roomName}$`, status: 500, times: 3 });
    const failingEnd = await endDate(failing.id);

    expect(await extendWith(env)).toEqual({ extended: 1, failed: 1 });
    expect(Date.parse((await endDate(lapsed.id)) ?? '')).toBeGreaterThan(Date.now());
    expect(await endDate(failing.id)).toBe(failingEnd);
    expect(await extendWith(env)).toEqual({ extended: 1, failed: 0 });
    expect(Date.parse((await endDate(failing.id)) ?? '')).toBeGreaterThan(Date.now());
  });

  it('names a malformed MEETING_LENGTH_MINUTES and extends nothing', async () => {
    const soon = await meetingOn('daily', 'lease-misconfigured');
    await someoneJoins(soon.id);
    moveClock(8 * HOUR);
    await expect(extendWith({ ...env, MEETING_LENGTH_MINUTES: 'forever' })).rejects.toThrow(
      'MEETING_LENGTH_MINUTES is malformed',
    );
    expect(await extensions()).toHaveLength(0);
  });
});

describe('provider rooms of retired meetings (SPEC §9)', () => {
  const endWith = (bindings: Env) =>
    endRetiredMeetings(
      bindings,
      platforms(config(bindings), () => {}, breakers(env.BREAKERS)),
    );
  const due = () =>
    env.DB.prepare('SELECT id FROM meetings WHERE provider_end_due_at IS NOT NULL ORDER BY id')
      .all<{ id: string }>()
      .then((r) => r.results.map((row) => row.id));

  it('are ended, those the provider fails on again by the next run', async () => {
    const daily = await meetingOn('daily', 'retired-daily');
    const whereby = await meetingOn('whereby', 'retired-whereby');
    // Everyone left: each provider's session end retires its meeting.
    await sendDaily(
      dailyEvent('meeting.ended', {
        start_ts: seconds(-600),
        end_ts: seconds(),
        meeting_id: 'm',
        room: daily.roomName,
      }),
    );
    await sendWhereby(
      wherebyEvent('room.session.ended', {
        meetingId: whereby.platformMeetingId,
        roomName: `/${whereby.roomName}`,
        roomSessionId: 'rs',
      }),
    );
    expect(await due()).toEqual([daily.id, whereby.id].sort());
    await standIn.fault('daily', { method: 'DELETE', path: `^/v1/rooms/${daily.roomName}$`, status: 500, times: 3 });

    expect(await endWith(env)).toEqual({ ended: 1, failed: 1 });
    expect(await standIn.rooms('whereby')).toEqual([]);
    expect(await due()).toEqual([daily.id]);
    expect(await endWith(env)).toEqual({ ended: 1, failed: 0 });
    expect(await standIn.rooms('daily')).toEqual([]);
    expect(await due()).toEqual([]);
    expect(await endWith(env)).toEqual({ ended: 0, failed: 0 });
  });

  it('include those the reconciliation retires, and never an active meeting', async () => {
    const over = await meetingOn('daily', 'retired-over');
    const going = await meetingOn('daily', 'still-going');
    await env.DB.prepare('UPDATE meetings SET end_date = ? WHERE id = ?')
      .bind(new Date(Date.now() - 60_000).toISOString(), over.id)
      .run();
    await reconcileWith(env);
    expect(await endWith(env)).toEqual({ ended: 1, failed: 0 });
    expect((await standIn.rooms('daily')).map((room) => room.name)).toEqual([going.roomName]);
  });
});

describe('the Cron Trigger', () => {
  it('runs the reconciliation', async () => {
    const meeting = await meetingOn('daily', 'recon-cron');
    await standIn.setDailyPresence(meeting.roomName, [{ id: 'cron-found' }]);
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await numClients(meeting.id)).toBe(1);
  });

  it('ends the provider rooms of retired meetings', async () => {
    const meeting = await meetingOn('daily', 'cron-retired');
    await env.DB.prepare('UPDATE meetings SET is_active = 0, provider_end_due_at = ?').bind(Date.now()).run();
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await standIn.requests('daily')).filter((request) => request.method === 'DELETE')).toMatchObject([
      { path: `/v1/rooms/${meeting.roomName}` },
    ]);
  });

  it('extends the leases', async () => {
    const meeting = await meetingOn('daily', 'cron-lease');
    await someoneJoins(meeting.id);
    await env.DB.prepare('UPDATE meetings SET end_date = ?')
      .bind(new Date(Date.now() + 60_000).toISOString())
      .run();
    const ctx = createExecutionContext();
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '*/5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const row = await env.DB.prepare('SELECT end_date FROM meetings').first<{ end_date: string }>();
    expect(Date.parse(row?.end_date ?? '')).toBeGreaterThan(Date.now() + 7 * 3_600_000);
  });
});

describe('recordings lookups', () => {
  it('give every recent Daily meeting its turn, a bounded number per run', async () => {
    for (let i = 0; i < 12; i++) await meetingOn('daily', `recon-turns-${i}`);
    await reconcileWith(env);
    await reconcileWith(env);
    const lookups = (await standIn.requests('daily')).filter((request) => request.path === '/v1/recordings');
    expect(lookups).toHaveLength(20);
    expect(new Set(lookups.map((request) => request.query.room_name)).size).toBe(12);
  });
});

describe('the platforms whose recordings are looked up', () => {
  it('are those that list finished recordings and give download links', () => {
    const providers = platforms(config(env), () => {}, breakers(env.BREAKERS));
    const answering = PLATFORMS.filter(
      (name) => providers(name).finishedRecordings !== undefined && providers(name).recordingDownloadLink !== undefined,
    );
    expect(platformsKeepingRecordings()).toEqual(answering);
    expect(answering).toEqual(['daily']);
  });
});

describe('the platforms whose leases are extended', () => {
  it('are those that can move the end of a room', () => {
    const providers = platforms(config(env), () => {}, breakers(env.BREAKERS));
    const extending = PLATFORMS.filter((name) => providers(name).extendMeeting !== undefined);
    expect(platformsExtendingLeases()).toEqual(extending);
    expect(extending).toEqual(['daily']);
  });
});
