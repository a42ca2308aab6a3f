import type { Platform } from '../../domain/rooms';
import type { PlatformFigures } from '../routes/shapes';

// The guarded ramp's judgement (SPEC §12), a pure function of the plan, the clock and both
// platforms' figures over the current step's window, so that every case is one row of a table
// (test/worker/ramp-decision.test.ts) and the Cron only applies what it says.

/** A plan's states; `replaced`: a later plan was put over it while it ran or was paused. */
export const PLAN_STATES = ['running', 'paused', 'rolled-back', 'done', 'replaced'] as const;
export type PlanState = (typeof PLAN_STATES)[number];

export const RAMP_DECISIONS = ['advance', 'wait', 'pause', 'roll-back', 'done'] as const;
type RampDecision = (typeof RAMP_DECISIONS)[number];

export const GUARD_NAMES = [
  'max_error_rate_delta',
  'max_recording_failure_delta',
  'max_join_failure_delta',
  'max_webhook_lag_seconds_delta',
  'min_rating_delta',
] as const;
export type GuardName = (typeof GUARD_NAMES)[number];

/** A plan as put: rising percents, how long each step runs, and by how much Daily may be worse. */
export interface RampSettings {
  steps: number[];
  step_minutes: number;
  min_meetings: number;
  guards: Record<GuardName, number>;
}

type GuardVerdict = 'pass' | 'fail' | 'not-judged';

interface GuardJudgement {
  guard: GuardName;
  /** Daily's figure in the guard's unit (percentage points, seconds, rating points); null without data. */
  daily: number | null;
  whereby: number | null;
  /** How much worse Daily is than Whereby (than the best value, without Whereby data); null when not judged. */
  delta: number | null;
  margin: number;
  verdict: GuardVerdict;
}

/** What a verdict keeps of the figures it used. */
export interface VerdictFigures {
  daily_meetings: number;
  daily_provider_calls: number;
  guards: GuardJudgement[];
}

export interface Judgement {
  decision: RampDecision;
  reason: string;
  figures: VerdictFigures;
  /** The step has fewer than min_meetings Daily meetings: it waits for data (or paused for lack of it). */
  waitingForData: boolean;
}

export interface RampMoment {
  settings: RampSettings;
  stepIndex: number;
  /** When the step's percent was written: its window's start (ms). */
  stepStartedAt: number;
  /** Since when the step has lacked enough Daily meetings; null: it has them. */
  waitingSince: number | null;
  now: number;
  /** DAILY_MIGRATION_ENABLED as it is now. */
  masterSwitchOn: boolean;
  figures: Record<Platform, PlatformFigures>;
}

interface Guard {
  label: string;
  unit: string;
  /** The figure in the guard's unit; null without data. */
  value: (figures: PlatformFigures) => number | null;
  /** The value a platform without data is taken to have as the baseline: the best one possible. */
  best: number;
  higherIsBetter: boolean;
}

/** A 0–1 share as percentage points, the unit of the rate guards' margins. */
const points = (share: number | null) => (share === null ? null : share * 100);
const failureShare = (success: number | null) => (success === null ? null : 1 - success);

const GUARDS: Record<GuardName, Guard> = {
  max_error_rate_delta: {
    label: 'provider error rate',
    unit: 'pp',
    value: (f) => points(f.provider_calls.error_rate),
    best: 0,
    higherIsBetter: false,
  },
  max_recording_failure_delta: {
    label: 'recording failures',
    unit: 'pp',
    value: (f) => points(failureShare(f.recordings.success_rate)),
    best: 0,
    higherIsBetter: false,
  },
  max_join_failure_delta: {
    label: 'join failures',
    unit: 'pp',
    value: (f) => points(failureShare(f.join_success_rate)),
    best: 0,
    higherIsBetter: false,
  },
  max_webhook_lag_seconds_delta: {
    label: 'webhook lag p95',
    unit: 's',
    value: (f) => (f.webhooks.delay_ms.p95 === null ? null : f.webhooks.delay_ms.p95 / 1000),
    best: 0,
    higherIsBetter: false,
  },
  min_rating_delta: {
    label: 'rating',
    unit: 'points',
    value: (f) => f.rating_mean,
    best: 5,
    higherIsBetter: true,
  },
};

// The figures are rounded to 4 decimals of a share; rounding the differences too keeps a delta
// exactly at its margin from failing on 0.07 × 100 = 7.000000000000001.
const round = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * One guard over both platforms. Without Daily data there is nothing to judge. Without Whereby
 * data, Daily is held to the best value (0 failures, 0 s of lag, a rating of 5): Whereby's
 * baseline is unknown, and comparing with nothing would let a Daily outage pass in a window where
 * Whereby happened to see no calls (at a high step, or at night).
 */
function judgeGuard(name: GuardName, margin: number, figures: Record<Platform, PlatformFigures>): GuardJudgement {
  const guard = GUARDS[name];
  const daily = guard.value(figures.daily);
  const whereby = guard.value(figures.whereby);
  const shown = {
    guard: name,
    daily: daily === null ? null : round(daily),
    whereby: whereby === null ? null : round(whereby),
    margin,
  };
  if (daily === null) return { ...shown, delta: null, verdict: 'not-judged' };
  const baseline = whereby ?? guard.best;
  const delta = round(guard.higherIsBetter ? baseline - daily : daily - baseline);
  return { ...shown, delta, verdict: delta > margin ? 'fail' : 'pass' };
}

const describeGuard = (judgement: GuardJudgement) => {
  const { label, unit } = GUARDS[judgement.guard];
  const whereby =
    judgement.whereby === null
      ? `no Whereby data, so against ${GUARDS[judgement.guard].best}`
      : `Whereby ${judgement.whereby} ${unit}`;
  return `${label}: Daily ${judgement.daily} ${unit} vs ${whereby}, worse by ${judgement.delta} ${unit} > ${judgement.margin} ${unit}`;
};

/**
 * The meetings the rollout sent to Daily in the window: those made on Daily for rooms chosen for
 * it, and those that failed over from Daily to Whereby (PROVIDER_FAILOVER on). A Daily outage
 * still brings the evidence in: its rooms' meetings count though Whereby made them.
 */
const dailyMeetingsOf = (daily: PlatformFigures) => daily.meetings.created - daily.failovers.to + daily.failovers.from;

const minutes = (ms: number) => Math.floor(ms / 60_000);

/**
 * The decision of one Cron run on a running plan, in this order:
 * - the master switch turned off outside the ramp → pause (the operator took over);
 * - a guard failing on enough data (min_meetings Daily meetings) → roll back; so does a failing
 *   error-rate guard over at least min_meetings Daily API calls, whatever the meetings: with
 *   PROVIDER_FAILOVER off a Daily outage creates no meeting at all, and must not just wait;
 * - too little data → wait, and after 3 × step_minutes of it → pause;
 * - every judged guard passing: wait until the step has run step_minutes, then advance, or at
 *   the last step, done.
 */
export function decide(moment: RampMoment): Judgement {
  const { settings, stepIndex, now, figures } = moment;
  const guards = GUARD_NAMES.map((name) => judgeGuard(name, settings.guards[name], figures));
  const dailyMeetings = dailyMeetingsOf(figures.daily);
  const dailyCalls = figures.daily.provider_calls.total;
  const enough = dailyMeetings >= settings.min_meetings;
  const verdict = (decision: RampDecision, reason: string): Judgement => ({
    decision,
    reason,
    figures: { daily_meetings: dailyMeetings, daily_provider_calls: dailyCalls, guards },
    waitingForData: !enough,
  });
  const step = `step ${stepIndex + 1} of ${settings.steps.length} (${settings.steps[stepIndex]}%)`;

  if (!moment.masterSwitchOn)
    return verdict('pause', `DAILY_MIGRATION_ENABLED was turned off outside the ramp at ${step}; resume to go on`);

  const failing = guards.filter((guard) => guard.verdict === 'fail');
  const outage = failing.find((guard) => guard.guard === 'max_error_rate_delta' && dailyCalls >= settings.min_meetings);
  if (enough && failing.length > 0)
    return verdict(
      'roll-back',
      `rolled back at ${step} over ${dailyMeetings} Daily meetings: ${failing.map(describeGuard).join('; ')}`,
    );
  if (outage)
    return verdict(
      'roll-back',
      `rolled back at ${step} over ${dailyCalls} Daily API calls (${dailyMeetings} of ${settings.min_meetings} meetings): ${describeGuard(outage)}`,
    );

  const stepMs = settings.step_minutes * 60_000;
  if (!enough) {
    const waited = now - (moment.waitingSince ?? now);
    if (waited >= 3 * stepMs)
      return verdict(
        'pause',
        `paused at ${step}: ${dailyMeetings} of ${settings.min_meetings} Daily meetings after ${minutes(waited)} minutes (3 × ${settings.step_minutes})`,
      );
    return verdict('wait', `${step} waits for data: ${dailyMeetings} of ${settings.min_meetings} Daily meetings`);
  }

  const ran = now - moment.stepStartedAt;
  const judged = guards.filter((guard) => guard.verdict === 'pass').length;
  const passing = `${judged} guards pass, ${guards.length - judged} not judged, over ${dailyMeetings} Daily meetings`;
  if (ran < stepMs)
    return verdict('wait', `${step} has run ${minutes(ran)} of ${settings.step_minutes} minutes; ${passing}`);
  const next = settings.steps[stepIndex + 1];
  if (next === undefined) return verdict('done', `${step}, the last, passed: ${passing}`);
  return verdict('advance', `${step} passed: ${passing}; next ${next}%`);
}
