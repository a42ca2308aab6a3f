import { and, desc, eq, inArray, isNull, lte } from 'drizzle-orm';
import type { PlanState } from '../rollout/ramp-decision';
import type { Database } from './client';
import { type RolloutPlan, rolloutPlans, rolloutVerdicts } from './schema';

// The queries of the guarded ramp's plans and verdicts. Every change of a plan is conditional on
// the state (and step) it was read in, so that a Cron run and an admin's click, or two
// overlapping Cron runs, never both apply a change: the one whose update matched a row did.

/** The current plan: the newest one put; undefined before the first. */
export const currentPlan = async (db: Database): Promise<RolloutPlan | undefined> =>
  (await db.select().from(rolloutPlans).orderBy(desc(rolloutPlans.id)).limit(1))[0];

/** The plan's last `limit` verdicts, newest first. */
export const lastVerdicts = (db: Database, planId: number, limit: number) =>
  db
    .select()
    .from(rolloutVerdicts)
    .where(eq(rolloutVerdicts.planId, planId))
    .orderBy(desc(rolloutVerdicts.id))
    .limit(limit);

/** Where a plan must still be for a change to apply: its state, and its step when given. */
export const planStillAt = (plan: Pick<RolloutPlan, 'id'>, state: PlanState | PlanState[], stepIndex?: number) =>
  and(
    eq(rolloutPlans.id, plan.id),
    Array.isArray(state) ? inArray(rolloutPlans.state, state) : eq(rolloutPlans.state, state),
    stepIndex === undefined ? undefined : eq(rolloutPlans.stepIndex, stepIndex),
  );

/**
 * A Cron run's claim on the running plan's judgement: moves its next check on, if it was due and
 * the plan is still at that step. Undefined: not due, or another run claimed it.
 */
export const claimCheck = async (db: Database, plan: RolloutPlan, now: number, nextCheckAt: number) =>
  (
    await db
      .update(rolloutPlans)
      .set({ nextCheckAt })
      .where(and(planStillAt(plan, 'running', plan.stepIndex), lte(rolloutPlans.nextCheckAt, now)))
      .returning({ id: rolloutPlans.id })
  )[0];

/** The step's percent is written: its window starts now. Only once per step (null before). */
export const markStepStarted = (db: Database, plan: RolloutPlan, now: number, nextCheckAt: number) =>
  db
    .update(rolloutPlans)
    .set({ stepStartedAt: now, waitingSince: now, nextCheckAt })
    .where(and(planStillAt(plan, 'running', plan.stepIndex), isNull(rolloutPlans.stepStartedAt)));
