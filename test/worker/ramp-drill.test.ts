import { env } from 'cloudflare:workers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dailyEvent, dailyParticipant } from '../../dev/provider-webhooks';
import { rolloutBucket } from '../../worker/rollout/choose';
import { judgeRamp, type RampRun } from '../../worker/scheduled/rollout-ramp';
import { ADMIN, call, callAndWait, createRoom, OWNER, resetWorld, standIn, tokenFor } from './helpers';
import { sendDaily } from './webhook-helpers';

// The ramp drill of issue 14: a plan 10 → 50 → 100 with one-minute steps. While Daily is healthy
// the Cron advances 10 → 50; then Daily's creates fail (the stand-in answers 503) and the next
// Cron run rolls back (the master switch off), while the Daily meeting people are in carries on.
// A second drill does it with PROVIDER_FAILOVER off, where the outage makes no meeting at all.
//
// Only Date is faked: each Cron run is the ramp's pass at its own mark on the clock, and the
// meetings, counts and webhooks in between are stamped by the same clock. Chapters run in order.

type Json = Record<string, any>;

const T0 = Date.parse('2026-12-02T10:00:00Z');
const at = (seconds: number) => vi.setSystemTime(T0 + seconds * 1000);

const PLAN = {
  steps: [10, 50, 100],
  step_minutes: 1,
  min_meetings: 2,
  guards: {
    max_error_rate_delta: 5,
    max_recording_failure_delta: 10,
    max_join_failure_delta: 10,
    max_webhook_lag_seconds_delta: 60,
    min_rating_delta: 1,
  },
};

const DAILY_CREATES_FAIL = {
  method: 'POST',
  path: '^/v1/rooms$',
  status: 503,
  body: { error: 'server-error', info: 'service unavailable' },
  times: 'until-cleared' as const,
};

/** Rooms by where the rollout puts them: under 10 % (Daily at the first step), 10–50 %, and over 50 %. */
interface Rooms {
  first: string[];
  second: string[];
  whereby: string[];
}

/** Creates rooms until each share of the rollout has enough of them (a room's share is its id's hash). */
async function roomsByShare(prefix: string, need: Record<keyof Rooms, number>): Promise<Rooms> {
  const rooms: Rooms = { first: [], second: [], whereby: [] };
  for (let n = 0; (Object.keys(need) as (keyof Rooms)[]).some((share) => rooms[share].length < need[share]); n++) {
    const room = await createRoom(OWNER, { name: `${prefix}-${n}` });
    const bucket = rolloutBucket(room.id);
    rooms[bucket < 10 ? 'first' : bucket < 50 ? 'second' : 'whereby'].push(room.name);
  }
  return rooms;
}

/** The join page's request; its counts and after-answer work landed before it returns. */
async function join(room: string, bindings?: Record<string, unknown>) {
  return callAndWait('POST', `/v1/rooms/${room}/meeting`, { bindings });
}
async function joined(room: string, bindings?: Record<string, unknown>): Promise<Json> {
  const answer = await join(room, bindings);
  expect(answer.status, `join ${room}: ${JSON.stringify(answer.body)}`).toBe(200);
  return answer.body as Json;
}

const flag = (key: string) => env.FLAGS.get(key);
const rampChanges = async () =>
  (
    await env.DB.prepare(
      "SELECT key, old_value, new_value, reason FROM flag_changes WHERE by = 'ramp' ORDER BY id",
    ).all<Json>()
  ).results;
const plan = async () => (await call('GET', '/v1/rollout/plan', { token: await tokenFor(ADMIN) })).body as Json;

async function putPlan() {
  const answer = await call('PUT', '/v1/rollout/plan', { token: await tokenFor(ADMIN), body: PLAN });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** One Cron run's ramp pass at its mark, as `scheduled()` runs it. */
async function cronAt(seconds: number): Promise<RampRun> {
  at(seconds);
  return judgeRamp(env);
}

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
});
afterAll(() => vi.useRealTimers());

describe('the ramp drill: Daily healthy, then failing, with failover on', () => {
  let rooms: Rooms;
  let ongoing: Json;
  /** Cron runs from the first failing Daily create to the rollback, the rollback's run included. */
  let runsToRollback = 0;

  beforeAll(async () => {
    at(-120);
    await resetWorld();
    rooms = await roomsByShare('ramp', { first: 2, second: 3, whereby: 2 });
  });

  it('step 1 (10 %): the Daily share’s rooms meet on Daily, the rest on Whereby; the Cron advances to 50 %', async () => {
    at(0);
    await putPlan();
    expect(await flag('DAILY_MIGRATION_ENABLED')).toBe('true');
    expect(await flag('DAILY_MIGRATION_PERCENT')).toBe('10');

    at(10);
    for (const name of rooms.first) expect(await joined(name)).toMatchObject({ platform: 'daily' });
    for (const name of [...rooms.second, ...rooms.whereby])
      expect(await joined(name)).toMatchObject({ platform: 'whereby' });
    // Someone is in the first Daily meeting, and stays there through what follows.
    ongoing = await joined(rooms.first[0]!);
    const event = await sendDaily(dailyEvent('participant.joined', dailyParticipant(ongoing.room_name, 'ada')));
    expect(event.body).toEqual({ status: 'applied' });

    // Within the step's minute the Cron waits; past it, every judged guard passing, it advances.
    expect(await cronAt(30)).toBe('not-due');
    expect(await cronAt(61)).toBe('advance');
    expect(await flag('DAILY_MIGRATION_PERCENT')).toBe('50');
    const advance = ((await plan()).verdicts as Json[])[0]!;
    expect(advance).toMatchObject({ decision: 'advance', step_index: 0, daily_meetings: 2 });
    expect(advance.guards.find((g: Json) => g.guard === 'max_error_rate_delta')).toMatchObject({
      daily: 0,
      whereby: 0,
      verdict: 'pass',
    });
    expect(await rampChanges()).toEqual([
      expect.objectContaining({ key: 'DAILY_MIGRATION_PERCENT', old_value: '10', new_value: '50' }),
    ]);
    expect((await plan()).current_step).toMatchObject({ index: 1, percent: 50 });
  });

  it('step 2 (50 %): Daily’s creates start failing; the next Cron run rolls back, with the figures in the history', async () => {
    at(70);
    await standIn.fault('daily', DAILY_CREATES_FAIL);
    // The rooms that met on Whereby at 10 % keep their active meetings there, untouched by the step…
    for (const name of rooms.second)
      expect(await joined(name)).toMatchObject({ platform: 'whereby', failover_from: null });
    // …while new rooms in the share now on Daily get their meetings on Whereby, failed over from Daily.
    const fresh = await roomsByShare('ramp-fresh', { first: 0, second: 2, whereby: 0 });
    for (const name of fresh.second)
      expect(await joined(name)).toMatchObject({ platform: 'whereby', failover_from: 'daily' });

    for (const second of [121, 181, 241]) {
      runsToRollback++;
      if ((await cronAt(second)) === 'roll-back') break;
    }
    expect(runsToRollback).toBe(1);
    expect(await flag('DAILY_MIGRATION_ENABLED')).toBe('false');
    const rolledBack = await plan();
    expect(rolledBack).toMatchObject({ state: 'rolled-back', next_check_at: null, current_step: { percent: 50 } });
    const verdict = (rolledBack.verdicts as Json[])[0]!;
    expect(verdict).toMatchObject({ decision: 'roll-back', step_index: 1, daily_meetings: 2 });
    expect(verdict.guards.find((g: Json) => g.guard === 'max_error_rate_delta')).toMatchObject({
      daily: 100,
      whereby: 0,
      delta: 100,
      margin: 5,
      verdict: 'fail',
    });
    expect((await rampChanges()).at(-1)).toMatchObject({
      key: 'DAILY_MIGRATION_ENABLED',
      old_value: 'true',
      new_value: 'false',
      reason: expect.stringMatching(
        /^rolled back at step 2 of 3 \(50%\) over 2 Daily meetings: provider error rate: Daily 100 pp vs Whereby 0 pp/,
      ),
    });
    // Rolled back, the plan is judged no more.
    expect(await cronAt(301)).toBe('none');
  });

  it('after the rollback: new meetings on Whereby; the ongoing Daily meeting keeps its join and its webhooks', async () => {
    at(310);
    const fresh = await roomsByShare('ramp-after', { first: 1, second: 1, whereby: 0 });
    for (const name of [...fresh.first, ...fresh.second])
      expect(await joined(name)).toMatchObject({ platform: 'whereby', failover_from: null });

    const again = await joined(rooms.first[0]!);
    expect(again).toMatchObject({ id: ongoing.id, platform: 'daily', room_url: ongoing.room_url, num_clients: 1 });
    const event = await sendDaily(dailyEvent('participant.joined', dailyParticipant(ongoing.room_name, 'ben')));
    expect(event.body).toEqual({ status: 'applied' });
    expect(await joined(rooms.first[0]!)).toMatchObject({ id: ongoing.id, num_clients: 2 });
    await standIn.clearFaults('daily');
  });
});

describe('the ramp drill with PROVIDER_FAILOVER off: the outage makes no meeting, and still rolls back', () => {
  const FAILOVER_OFF = { PROVIDER_FAILOVER: 'false' };

  it('advances on healthy Daily, then rolls back on failing creates though no Daily meeting was made', async () => {
    at(1_000);
    await resetWorld();
    const rooms = await roomsByShare('nofo', { first: 2, second: 2, whereby: 1 });
    at(1_010);
    await putPlan();
    for (const name of [...rooms.first, ...rooms.whereby]) await joined(name, FAILOVER_OFF);
    expect(await cronAt(1_071)).toBe('advance');

    at(1_080);
    await standIn.fault('daily', DAILY_CREATES_FAIL);
    for (const name of rooms.second) expect((await join(name, FAILOVER_OFF)).status).toBe(503);
    expect(await cronAt(1_141)).toBe('roll-back');
    const verdict = ((await plan()).verdicts as Json[])[0]!;
    expect(verdict).toMatchObject({ decision: 'roll-back', daily_meetings: 0 });
    expect(verdict.daily_provider_calls).toBeGreaterThanOrEqual(PLAN.min_meetings);
    expect(await flag('DAILY_MIGRATION_ENABLED')).toBe('false');
    await standIn.clearFaults('daily');
  });
});
