import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXAMPLE_RAMP_PLAN } from '../../dev/ramp-plan';
import { judgeRamp } from '../../worker/scheduled/rollout-ramp';
import { ADMIN, call, resetWorld, setFlags, tokenFor } from './helpers';

// The guarded ramp's plan through the API (SPEC §12): put, read, pause, resume, and what the
// Cron's pass does with it. The judgement itself is ramp-decision.test.ts's; the whole story
// against the stand-ins is ramp-drill.test.ts's.

type Json = Record<string, any>;

const PLAN = { ...EXAMPLE_RAMP_PLAN, min_meetings: 3 };

const asAdmin = async (method: string, path: string, body?: unknown) =>
  call(method, path, { token: await tokenFor(ADMIN), body });
const putPlan = (body: unknown) => asAdmin('PUT', '/v1/rollout/plan', body);
const storedFlags = async () =>
  Object.fromEntries(
    await Promise.all(
      ['DAILY_MIGRATION_ENABLED', 'DAILY_MIGRATION_PERCENT'].map(async (key) => [key, await env.FLAGS.get(key)]),
    ),
  );
const flagChanges = async () =>
  (await env.DB.prepare('SELECT by, key, old_value, new_value, reason FROM flag_changes ORDER BY id').all<Json>())
    .results;
const plans = async () => (await env.DB.prepare('SELECT id, state FROM rollout_plans ORDER BY id').all<Json>()).results;
const verdictCount = async () =>
  (await env.DB.prepare('SELECT count(*) AS n FROM rollout_verdicts').first<{ n: number }>())?.n;

beforeEach(async () => {
  await resetWorld();
});

describe('PUT /v1/rollout/plan', () => {
  it('stores the plan, writes its first percent with the master switch on, and records who and why', async () => {
    const put = await putPlan(PLAN);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({
      ...PLAN,
      state: 'running',
      current_step: { index: 0, percent: 10, started_at: expect.any(String), waiting_since: expect.any(String) },
      next_check_at: expect.any(String),
      put_by: ADMIN,
      verdicts: [],
    });
    expect(await storedFlags()).toEqual({ DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_PERCENT: '10' });
    expect(await flagChanges()).toEqual([
      expect.objectContaining({
        by: ADMIN,
        key: 'DAILY_MIGRATION_ENABLED',
        new_value: 'true',
        reason: 'rollout plan put: step 1 of 3 (10%)',
      }),
      expect.objectContaining({ by: ADMIN, key: 'DAILY_MIGRATION_PERCENT', new_value: '10' }),
    ]);
    expect((await asAdmin('GET', '/v1/rollout/plan')).body).toEqual(put.body);
  });

  it('replaces a running plan: the old one turns replaced, the new one starts at its first step', async () => {
    await putPlan(PLAN);
    const second = await putPlan({ ...PLAN, steps: [5, 25] });
    expect(second.body).toMatchObject({ state: 'running', steps: [5, 25], current_step: { percent: 5 } });
    expect((await plans()).map((plan) => plan.state)).toEqual(['replaced', 'running']);
    expect(await storedFlags()).toMatchObject({ DAILY_MIGRATION_PERCENT: '5' });
  });

  it.each([
    ['falling steps', { ...PLAN, steps: [10, 50, 40] }, 'steps.2'],
    ['equal steps', { ...PLAN, steps: [10, 10] }, 'steps.1'],
    ['a step over 100', { ...PLAN, steps: [10, 101] }, 'steps.1'],
    ['a step below 1', { ...PLAN, steps: [0, 10] }, 'steps.0'],
    ['no steps', { ...PLAN, steps: [] }, 'steps'],
    [
      'a negative margin',
      { ...PLAN, guards: { ...PLAN.guards, max_error_rate_delta: -1 } },
      'guards.max_error_rate_delta',
    ],
    [
      'a missing margin',
      { ...PLAN, guards: { ...PLAN.guards, min_rating_delta: undefined } },
      'guards.min_rating_delta',
    ],
    ['an unknown guard', { ...PLAN, guards: { ...PLAN.guards, max_cpu: 1 } }, 'guards.max_cpu'],
    ['an unknown field', { ...PLAN, speed: 'fast' }, 'speed'],
    ['fractional minutes', { ...PLAN, step_minutes: 1.5 }, 'step_minutes'],
    ['zero minutes', { ...PLAN, step_minutes: 0 }, 'step_minutes'],
    ['minutes over a week', { ...PLAN, step_minutes: 10_081 }, 'step_minutes'],
    ['zero meetings', { ...PLAN, min_meetings: 0 }, 'min_meetings'],
    [
      'a margin as text',
      { ...PLAN, guards: { ...PLAN.guards, max_join_failure_delta: '5' } },
      'guards.max_join_failure_delta',
    ],
  ])('refuses %s with 422 naming the field, changing nothing', async (_case, body, field) => {
    const answer = await putPlan(body);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ code: 'validation', field, detail: expect.stringMatching(/\S/) });
    expect(await plans()).toEqual([]);
    expect(await flagChanges()).toEqual([]);
    expect(await storedFlags()).toEqual({ DAILY_MIGRATION_ENABLED: null, DAILY_MIGRATION_PERCENT: null });
  });
});

describe('GET, pause and resume', () => {
  it('answers 404 before any plan, for reading, pausing and resuming', async () => {
    for (const [method, path] of [
      ['GET', '/v1/rollout/plan'],
      ['POST', '/v1/rollout/plan/pause'],
      ['POST', '/v1/rollout/plan/resume'],
    ] as const)
      expect((await asAdmin(method, path)).body).toMatchObject({ code: 'not-found' });
  });

  it('pauses a running plan (nothing judged, the percent kept) and resumes it, its step afresh; 409 out of turn', async () => {
    await putPlan(PLAN);
    expect((await asAdmin('POST', '/v1/rollout/plan/resume')).status).toBe(409);
    const paused = await asAdmin('POST', '/v1/rollout/plan/pause');
    expect(paused.body).toMatchObject({ state: 'paused', next_check_at: null, current_step: { percent: 10 } });
    expect((await asAdmin('POST', '/v1/rollout/plan/pause')).body).toMatchObject({ code: 'conflict' });
    expect(await judgeRamp(env, Date.now() + 60 * 60_000)).toBe('none');
    expect(await verdictCount()).toBe(0);
    expect(await storedFlags()).toEqual({ DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_PERCENT: '10' });

    // The operator had turned the switch off meanwhile: resuming turns it on again, and says so.
    await setFlags({ DAILY_MIGRATION_ENABLED: 'false' });
    const resumed = await asAdmin('POST', '/v1/rollout/plan/resume');
    expect(resumed.body).toMatchObject({
      state: 'running',
      current_step: { index: 0, started_at: expect.any(String) },
    });
    expect(await storedFlags()).toMatchObject({ DAILY_MIGRATION_ENABLED: 'true' });
    expect((await flagChanges()).at(-1)).toMatchObject({
      by: ADMIN,
      key: 'DAILY_MIGRATION_ENABLED',
      old_value: 'false',
      new_value: 'true',
      reason: 'rollout plan resumed: step 1 of 3 (10%) starts afresh',
    });
  });
});

describe('the Cron pass', () => {
  it('judges a due plan once, however many runs overlap; the verdict with its figures is in the plan', async () => {
    await putPlan(PLAN);
    const later = Date.now() + 2 * 60_000;
    const runs = await Promise.all([judgeRamp(env, later), judgeRamp(env, later), judgeRamp(env, later)]);
    expect(runs.filter((run) => run === 'wait')).toHaveLength(1);
    expect(runs.filter((run) => run === 'not-due')).toHaveLength(2);
    expect(await verdictCount()).toBe(1);
    // Not due again within the minute.
    expect(await judgeRamp(env, later + 30_000)).toBe('not-due');

    const plan = (await asAdmin('GET', '/v1/rollout/plan')).body as Json;
    expect(plan.verdicts).toEqual([
      expect.objectContaining({
        step_index: 0,
        percent: 10,
        decision: 'wait',
        reason: 'step 1 of 3 (10%) waits for data: 0 of 3 Daily meetings',
        daily_meetings: 0,
        guards: expect.arrayContaining([
          { guard: 'max_error_rate_delta', daily: null, whereby: null, delta: null, margin: 2, verdict: 'not-judged' },
        ]),
      }),
    ]);
    expect(plan.next_check_at).toBe(new Date(later + 60_000).toISOString());
  });

  it('pauses a plan that got no Daily meeting for 3 × step_minutes', async () => {
    await putPlan(PLAN);
    const start = Date.now();
    for (const minute of [5, 10, 15, 20, 25]) expect(await judgeRamp(env, start + minute * 60_000)).toBe('wait');
    expect(await judgeRamp(env, start + 30 * 60_000 + 1_000)).toBe('pause');
    expect((await asAdmin('GET', '/v1/rollout/plan')).body).toMatchObject({ state: 'paused' });
    expect(await storedFlags()).toEqual({ DAILY_MIGRATION_ENABLED: 'true', DAILY_MIGRATION_PERCENT: '10' });
  });

  it('writes the first step itself when the plan was stored but its percent never was', async () => {
    await putPlan(PLAN);
    await env.DB.prepare('UPDATE rollout_plans SET step_started_at = NULL, waiting_since = NULL').run();
    await env.FLAGS.put('DAILY_MIGRATION_PERCENT', '0');
    expect(await judgeRamp(env)).toBe('step-started');
    expect(await storedFlags()).toMatchObject({ DAILY_MIGRATION_PERCENT: '10' });
    expect((await flagChanges()).at(-1)).toMatchObject({
      by: 'ramp',
      reason: 'step 1 of 3 (10%): written by the Cron',
    });
  });

  it('pauses when the master switch was turned off outside the ramp', async () => {
    await putPlan(PLAN);
    await setFlags({ DAILY_MIGRATION_ENABLED: 'false' });
    expect(await judgeRamp(env, Date.now() + 5 * 60_000)).toBe('pause');
    expect(await storedFlags()).toMatchObject({ DAILY_MIGRATION_ENABLED: 'false' });
  });
});
