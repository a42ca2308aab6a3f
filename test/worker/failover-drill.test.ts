import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dailyEvent, dailyParticipant } from '../../dev/provider-webhooks';
import { ADMIN, call, createRoom, OWNER, resetWorld, setFlags, standIn, tokenFor } from './helpers';
import { sendDaily } from './webhook-helpers';

// The failover drill of issue 12: Daily fails for 2 minutes of fake time while rooms are listed
// for Daily. A new room is joined every 10 s: new meetings go to Whereby, the Daily meeting people
// are in carries on untouched, Daily is asked only by the breaker's trial creates while it is
// open, the trial once Daily answers again closes it, and the next meetings are on Daily.
//
// Only Date is faked (timers and I/O run as usual, so the providers' retries really wait); each
// step sets the clock to its own mark. The chapters share one world and run in order.

type Json = Record<string, any>;

const T0 = Date.parse('2026-12-01T10:00:00Z');
const STEP_S = 10;
/** The joins of the drill, one a step from the outage's start, until the breaker has closed again. */
const STEPS = 20;
const OUTAGE_S = 120;
const roomAt = (step: number) => `outage-${String(step).padStart(2, '0')}`;
const ONGOING = 'outage-ongoing';

function at(seconds: number) {
  vi.setSystemTime(T0 + seconds * 1000);
}

const join = async (room: string) => {
  const response = await call('POST', `/v1/rooms/${room}/meeting`);
  expect(response.status, `join ${room}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body as Json;
};
const dailyRequests = async () => (await standIn.requests('daily')).length;
const dailyBreaker = async () => (await call('GET', '/v1/health')).body?.breakers.daily as Json;

/** What happened at one step: the breaker before the join, where the meeting went, Daily's requests. */
interface Step {
  second: number;
  breaker: string;
  platform: string;
  failoverFrom: string | null;
  dailyRequests: number;
}
const steps: Step[] = [];
let ongoing: Json;

beforeAll(async () => {
  await resetWorld();
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  at(-60);
  const rooms = [ONGOING, ...Array.from({ length: STEPS + 1 }, (_, step) => roomAt(step))];
  await setFlags({ DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_ROOM_IDS: JSON.stringify(rooms) });
  for (const name of rooms) await createRoom(OWNER, { name });
});

afterAll(() => vi.useRealTimers());

describe('the failover drill', () => {
  it('before the outage: a Daily meeting with someone in it', async () => {
    ongoing = await join(ONGOING);
    expect(ongoing).toMatchObject({ platform: 'daily', failover_from: null });
    const roomName = (await env.DB.prepare('SELECT room_name FROM meetings WHERE id = ?').bind(ongoing.id).first())
      ?.room_name as string;
    expect((await sendDaily(dailyEvent('participant.joined', dailyParticipant(roomName, 'ada')))).body).toEqual({
      status: 'applied',
    });
    expect((await dailyBreaker()).state).toBe('closed');
  });

  it('Daily fails for 2 minutes: each new meeting goes to Whereby, Daily asked only for trials', async () => {
    at(0);
    await standIn.fault('daily', {
      path: '^/v1/',
      status: 503,
      body: { error: 'server-error', info: 'service unavailable' },
      times: 'until-cleared',
    });
    for (let step = 0; step < STEPS; step++) {
      const second = step * STEP_S;
      at(second);
      if (second === OUTAGE_S) await standIn.clearFaults('daily');
      const breaker = (await dailyBreaker()).state as string;
      const before = await dailyRequests();
      const meeting = await join(roomAt(step));
      steps.push({
        second,
        breaker,
        platform: meeting.platform,
        failoverFrom: meeting.failover_from,
        dailyRequests: (await dailyRequests()) - before,
      });
      // The meeting people are in is never moved, and its join asks Daily nothing.
      const before2 = await dailyRequests();
      expect(await join(ONGOING)).toMatchObject({ id: ongoing.id, platform: 'daily', num_clients: 1 });
      expect(await dailyRequests()).toBe(before2);
    }

    const row = (second: number, breaker: string, platform: string, dailyRequests: number): Step => ({
      second,
      breaker,
      platform,
      failoverFrom: platform === 'daily' ? null : 'daily',
      dailyRequests,
    });
    // A failed create is 3 requests (2 retries, 0.6 s of real time); Whereby takes the meeting in
    // the same join. The breaker's waits count from the failure that opened it, at the end of its
    // join's retries: a moment after the step's mark.
    expect(steps).toEqual([
      row(0, 'closed', 'whereby', 3),
      row(10, 'closed', 'whereby', 3),
      row(20, 'closed', 'whereby', 3), // the third failure in a row opens it until 50.6 s
      ...[30, 40, 50].map((second) => row(second, 'open', 'whereby', 0)),
      row(60, 'half-open', 'whereby', 3), // the trial fails: open for 60 s, until 120.6 s
      // Daily answers again from 120 s on, while the breaker waits.
      ...[70, 80, 90, 100, 110, 120].map((second) => row(second, 'open', 'whereby', 0)),
      row(130, 'half-open', 'daily', 1), // the trial succeeds: closed
      ...Array.from({ length: STEPS - 14 }, (_, i) => row(140 + i * STEP_S, 'closed', 'daily', 1)),
    ]);
    expect((await dailyBreaker()).state).toBe('closed');
  });

  it('after the outage: the next meetings are on Daily, including a failed-over room’s once its meeting ends', async () => {
    at(STEPS * STEP_S);
    expect(await join(roomAt(STEPS))).toMatchObject({ platform: 'daily', failover_from: null });
    const rescued = await join(roomAt(0));
    expect(rescued).toMatchObject({ platform: 'whereby', failover_from: 'daily' });
    // Its time runs out with nobody in it: the room's next meeting goes back to Daily.
    await env.DB.prepare('UPDATE meetings SET end_date = ? WHERE id = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), rescued.id)
      .run();
    expect(await join(roomAt(0))).toMatchObject({ platform: 'daily', failover_from: null });
    expect(await join(ONGOING)).toMatchObject({ id: ongoing.id, platform: 'daily', is_active: true });
  });

  it('the figures tell the story: failovers per platform', async () => {
    const metrics = await call('GET', '/v1/metrics?window=1h', { token: await tokenFor(ADMIN) });
    const failedOver = steps.filter((step) => step.failoverFrom === 'daily').length;
    expect(failedOver).toBe(13);
    expect(metrics.body?.platforms.daily.failovers).toEqual({ from: failedOver, to: 0 });
    expect(metrics.body?.platforms.whereby.failovers).toEqual({ from: 0, to: failedOver });
  });
});
