import { inArray } from 'drizzle-orm';
import type { Database } from '../db/client';
import { currentPlan, markStepStarted, planStillAt } from '../db/rollout-plans';
import { type RolloutPlan, rolloutPlans } from '../db/schema';
import { conflict, notFound } from '../errors';
import { changeFlags, type FlagChangeCause } from './history';
import type { RampSettings } from './ramp-decision';

// The guarded ramp's plan (SPEC §12): put, paused, resumed, and each step's percent written.
// The ramp only ever writes the flags, which choose the platform of a room's *next* meeting
// (rollout/choose.ts, asked only when a meeting is created): an active meeting keeps the
// platform it was made on, so neither a step nor a rollback touches people in a call.

/**
 * A plan is judged at most once a minute: two overlapping Cron runs judge it once, and with the
 * Cron every five minutes (wrangler.toml) every run judges.
 */
export const CHECK_GAP_MS = 60_000;

export const stepLabel = (plan: Pick<RolloutPlan, 'settings' | 'stepIndex'>) =>
  `step ${plan.stepIndex + 1} of ${plan.settings.steps.length} (${plan.settings.steps[plan.stepIndex]}%)`;

/**
 * Writes the current step's percent, with the master switch on (a plan that ramps the percent
 * behind a switch that is off would judge no Daily meeting and pause), and starts the step's
 * window. A plan whose write failed keeps its step unstarted, and the next Cron run writes it.
 */
export async function startStep(db: Database, kv: KVNamespace, plan: RolloutPlan, cause: FlagChangeCause, now: number) {
  const percent = plan.settings.steps[plan.stepIndex];
  await changeFlags(db, kv, { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_PERCENT: percent }, cause, now);
  await markStepStarted(db, plan, now, now + CHECK_GAP_MS);
}

/**
 * The plan put over any plan running or paused (which turns `replaced`: one plan at a time, and
 * an operator changes the margins by putting the plan again), its first step written at once.
 */
export async function putPlan(db: Database, kv: KVNamespace, settings: RampSettings, by: string, now: number) {
  const [, [plan]] = await db.batch([
    db
      .update(rolloutPlans)
      .set({ state: 'replaced' })
      .where(inArray(rolloutPlans.state, ['running', 'paused'])),
    db
      .insert(rolloutPlans)
      .values({ settings, state: 'running', stepIndex: 0, nextCheckAt: now, putBy: by, putAt: now })
      .returning(),
  ]);
  if (!plan) throw new Error('the plan was not stored');
  await startStep(db, kv, plan, { by, reason: `rollout plan put: ${stepLabel(plan)}` }, now);
  return plan;
}

async function planToChange(db: Database) {
  const plan = await currentPlan(db);
  if (!plan) throw notFound('A rollout plan');
  return plan;
}

/** Holds the running plan at its step: its percent stays, nothing is judged until it is resumed. */
export async function pausePlan(db: Database) {
  const plan = await planToChange(db);
  const [paused] = await db
    .update(rolloutPlans)
    .set({ state: 'paused' })
    .where(planStillAt(plan, 'running'))
    .returning({ id: rolloutPlans.id });
  if (!paused) throw conflict(`The rollout plan is ${plan.state}; only a running plan can be paused.`);
}

/**
 * Runs the paused plan again from its current step, which starts afresh: its percent written
 * again (the master switch on) and its window from now, as what happened while it was paused
 * says nothing of the step.
 */
export async function resumePlan(db: Database, kv: KVNamespace, by: string, now: number) {
  const plan = await planToChange(db);
  const [resumed] = await db
    .update(rolloutPlans)
    .set({ state: 'running', stepStartedAt: null, waitingSince: null, nextCheckAt: now })
    .where(planStillAt(plan, 'paused'))
    .returning();
  if (!resumed) throw conflict(`The rollout plan is ${plan.state}; only a paused plan can be resumed.`);
  await startStep(db, kv, resumed, { by, reason: `rollout plan resumed: ${stepLabel(resumed)} starts afresh` }, now);
}
