import { describe, expect, it } from 'vitest';
import { EXAMPLE_RAMP_PLAN } from '../../dev/ramp-plan';
import { decide, type GuardName, type RampMoment, type RampSettings } from '../../worker/rollout/ramp-decision';
import type { PlatformFigures } from '../../worker/routes/shapes';

// The guarded ramp's decision, one row per case (SPEC §12). Each row gives both platforms'
// figures over the step's window and what the operator would see decided.

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-02T10:00:00Z');

const SETTINGS: RampSettings = EXAMPLE_RAMP_PLAN;

/** A platform's figures with no data at all, and what a row puts in. */
interface Seen {
  meetings?: number;
  failoversFrom?: number;
  failoversTo?: number;
  calls?: [total: number, failed: number];
  recordings?: [stored: number, failed: number];
  joinSuccess?: number;
  lagP95Ms?: number;
  rating?: number;
}

function figures(seen: Seen = {}): PlatformFigures {
  const [calls, failed] = seen.calls ?? [0, 0];
  const [stored, recFailed] = seen.recordings ?? [0, 0];
  return {
    meetings: { created: seen.meetings ?? 0 },
    failovers: { from: seen.failoversFrom ?? 0, to: seen.failoversTo ?? 0 },
    provider_calls: { total: calls, failed, error_rate: calls ? Math.round((failed / calls) * 10_000) / 10_000 : null },
    webhooks: {
      received: 0,
      rejected: 0,
      duplicates: 0,
      applied: 0,
      ignored: 0,
      delay_ms: { p50: null, p95: seen.lagP95Ms ?? null },
    },
    recordings: {
      started: stored + recFailed,
      in_progress: 0,
      stored,
      failed: recFailed,
      deleted: 0,
      success_rate: stored + recFailed ? Math.round((stored / (stored + recFailed)) * 10_000) / 10_000 : null,
    },
    reconciliation: { participant_corrections: 0, meetings_ended: 0, recordings_found: 0 },
    join_success_rate: seen.joinSuccess ?? null,
    median_seconds_to_join: null,
    degraded_share: null,
    rating_count: seen.rating === undefined ? 0 : 3,
    rating_mean: seen.rating ?? null,
  };
}

/** Healthy figures on both sides: enough Daily meetings, every guard judged and passing. */
const HEALTHY_DAILY: Seen = {
  meetings: 6,
  calls: [20, 0],
  recordings: [4, 0],
  joinSuccess: 0.98,
  lagP95Ms: 2_000,
  rating: 4.5,
};
const HEALTHY_WHEREBY: Seen = {
  meetings: 50,
  calls: [100, 1],
  recordings: [30, 1],
  joinSuccess: 0.97,
  lagP95Ms: 1_500,
  rating: 4.6,
};

interface Row {
  name: string;
  daily?: Seen;
  whereby?: Seen;
  /** Minutes since the step began (its window). */
  ran?: number;
  /** Minutes the step has waited for data; null: not waiting. */
  waited?: number | null;
  step?: number;
  switchOn?: boolean;
  decision: string;
  guards?: Partial<Record<GuardName, string>>;
  reason?: RegExp;
}

const ROWS: Row[] = [
  { name: 'every guard passes after step_minutes: advance', ran: 10, decision: 'advance', reason: /next 50%/ },
  { name: 'passing, but the step has not run step_minutes: wait', ran: 9, decision: 'wait', reason: /run 9 of 10/ },
  {
    name: 'passing at the last step: done',
    ran: 10,
    step: 2,
    decision: 'done',
    reason: /step 3 of 3 \(100%\), the last/,
  },
  {
    name: 'too little data: wait',
    daily: { ...HEALTHY_DAILY, meetings: 4 },
    ran: 12,
    waited: 12,
    decision: 'wait',
    reason: /4 of 5 Daily meetings/,
  },
  {
    name: 'too little data for 3 × step_minutes: pause',
    daily: { ...HEALTHY_DAILY, meetings: 4 },
    ran: 30,
    waited: 30,
    decision: 'pause',
    reason: /after 30 minutes/,
  },
  {
    name: 'too little data for just under 3 × step_minutes: still waits',
    daily: { meetings: 1 },
    ran: 29,
    waited: 29,
    decision: 'wait',
  },
  {
    name: 'a failing guard on too little data does not roll back: wait',
    daily: { meetings: 2, joinSuccess: 0.5 },
    waited: 2,
    decision: 'wait',
  },
  {
    name: 'error rate worse by more than its margin: roll back',
    daily: { ...HEALTHY_DAILY, calls: [20, 1] },
    ran: 3,
    decision: 'roll-back',
    guards: { max_error_rate_delta: 'fail' },
    reason: /provider error rate: Daily 5 pp vs Whereby 1 pp, worse by 4 pp > 2 pp/,
  },
  {
    name: 'recording failures worse by more than the margin: roll back',
    daily: { ...HEALTHY_DAILY, recordings: [3, 1] },
    decision: 'roll-back',
    guards: { max_recording_failure_delta: 'fail' },
  },
  {
    name: 'join failures worse by more than the margin: roll back',
    daily: { ...HEALTHY_DAILY, joinSuccess: 0.9 },
    decision: 'roll-back',
    guards: { max_join_failure_delta: 'fail' },
    reason: /join failures: Daily 10 pp vs Whereby 3 pp/,
  },
  {
    name: 'webhook lag worse by more than the margin: roll back',
    daily: { ...HEALTHY_DAILY, lagP95Ms: 32_000 },
    decision: 'roll-back',
    guards: { max_webhook_lag_seconds_delta: 'fail' },
  },
  {
    name: 'rating lower by more than the margin: roll back',
    daily: { ...HEALTHY_DAILY, rating: 4 },
    decision: 'roll-back',
    guards: { min_rating_delta: 'fail' },
    reason: /rating: Daily 4 points vs Whereby 4.6 points, worse by 0.6 points/,
  },
  {
    name: 'a rating higher than Whereby’s passes',
    daily: { ...HEALTHY_DAILY, rating: 5 },
    ran: 10,
    decision: 'advance',
    guards: { min_rating_delta: 'pass' },
  },
  {
    name: 'exactly at every margin: passes',
    daily: { meetings: 6, calls: [100, 3], joinSuccess: 0.92, lagP95Ms: 31_500, rating: 4.1 },
    whereby: { meetings: 50, calls: [100, 1], joinSuccess: 0.97, lagP95Ms: 1_500, rating: 4.6 },
    ran: 10,
    decision: 'advance',
    guards: {
      max_error_rate_delta: 'pass',
      max_join_failure_delta: 'pass',
      max_webhook_lag_seconds_delta: 'pass',
      min_rating_delta: 'pass',
    },
  },
  {
    name: 'no data on either platform (no recordings, reports, ratings): not judged, does not hold the step',
    daily: { meetings: 6, calls: [20, 0] },
    whereby: { meetings: 50, calls: [100, 0] },
    ran: 10,
    decision: 'advance',
    guards: {
      max_error_rate_delta: 'pass',
      max_recording_failure_delta: 'not-judged',
      max_join_failure_delta: 'not-judged',
      max_webhook_lag_seconds_delta: 'not-judged',
      min_rating_delta: 'not-judged',
    },
    reason: /1 guards pass, 4 not judged/,
  },
  {
    name: 'Whereby has data, Daily none: not judged',
    daily: { meetings: 6 },
    ran: 10,
    decision: 'advance',
    guards: { max_recording_failure_delta: 'not-judged', min_rating_delta: 'not-judged' },
  },
  {
    name: 'Daily has data, Whereby none: Daily held to the best value, and a healthy Daily passes',
    daily: { meetings: 6, calls: [100, 1], recordings: [10, 0], rating: 4.8 },
    whereby: {},
    ran: 10,
    decision: 'advance',
    guards: { max_error_rate_delta: 'pass', max_recording_failure_delta: 'pass', min_rating_delta: 'pass' },
  },
  {
    name: 'Daily has data, Whereby none: a Daily outage still rolls back',
    daily: { meetings: 6, calls: [18, 18] },
    whereby: {},
    decision: 'roll-back',
    guards: { max_error_rate_delta: 'fail' },
    reason: /no Whereby data, so against 0/,
  },
  {
    name: 'Daily outage with failover on: its rooms’ meetings on Whereby count as Daily meetings: roll back',
    daily: { meetings: 0, failoversFrom: 5, calls: [9, 9] },
    ran: 2,
    decision: 'roll-back',
    reason: /over 5 Daily meetings/,
  },
  {
    name: 'Daily outage with failover off, no meeting made: failing error rate over min_meetings calls rolls back',
    daily: { meetings: 0, calls: [6, 6] },
    ran: 2,
    waited: 2,
    decision: 'roll-back',
    reason: /over 6 Daily API calls \(0 of 5 meetings\)/,
  },
  {
    name: 'failing error rate over fewer calls than min_meetings: waits for more',
    daily: { meetings: 0, calls: [3, 3] },
    waited: 2,
    decision: 'wait',
  },
  {
    name: 'meetings failed over to Daily from Whereby are not the rollout’s: too little data',
    daily: { ...HEALTHY_DAILY, meetings: 6, failoversTo: 3 },
    waited: 5,
    decision: 'wait',
    reason: /3 of 5 Daily meetings/,
  },
  {
    name: 'the master switch turned off outside the ramp: pause',
    switchOn: false,
    ran: 10,
    decision: 'pause',
    reason: /DAILY_MIGRATION_ENABLED was turned off/,
  },
];

function momentOf(row: Row): RampMoment {
  const now = T0 + 60 * MINUTE;
  return {
    settings: SETTINGS,
    stepIndex: row.step ?? 0,
    stepStartedAt: now - (row.ran ?? 5) * MINUTE,
    waitingSince: row.waited === undefined || row.waited === null ? null : now - row.waited * MINUTE,
    now,
    masterSwitchOn: row.switchOn ?? true,
    figures: { daily: figures(row.daily ?? HEALTHY_DAILY), whereby: figures(row.whereby ?? HEALTHY_WHEREBY) },
  };
}

describe('the guarded ramp’s decision', () => {
  it.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const judgement = decide(momentOf(row));
    expect(judgement.decision, judgement.reason).toBe(row.decision);
    if (row.reason) expect(judgement.reason).toMatch(row.reason);
    const verdicts = Object.fromEntries(judgement.figures.guards.map((guard) => [guard.guard, guard.verdict]));
    expect(verdicts).toMatchObject(row.guards ?? {});
  });

  it('a healthy step passes every guard, each with both figures, the delta and the margin', () => {
    const judgement = decide(momentOf({ name: 'healthy', ran: 10, decision: 'advance' }));
    expect(judgement.figures).toEqual({
      daily_meetings: 6,
      daily_provider_calls: 20,
      guards: [
        { guard: 'max_error_rate_delta', daily: 0, whereby: 1, delta: -1, margin: 2, verdict: 'pass' },
        { guard: 'max_recording_failure_delta', daily: 0, whereby: 3.23, delta: -3.23, margin: 5, verdict: 'pass' },
        { guard: 'max_join_failure_delta', daily: 2, whereby: 3, delta: -1, margin: 5, verdict: 'pass' },
        { guard: 'max_webhook_lag_seconds_delta', daily: 2, whereby: 1.5, delta: 0.5, margin: 30, verdict: 'pass' },
        { guard: 'min_rating_delta', daily: 4.5, whereby: 4.6, delta: 0.1, margin: 0.5, verdict: 'pass' },
      ],
    });
  });
});
