import { config } from '../config';
import { type Database, database } from '../db/client';
import { claimCheck, currentPlan, planStillAt } from '../db/rollout-plans';
import { type RolloutPlan, rolloutPlans, rolloutVerdicts } from '../db/schema';
import { log } from '../log';
import { figuresOver } from '../metrics/report';
import { forgetCachedFlags, readFlags } from '../rollout/flags';
import { changeFlags } from '../rollout/history';
import { CHECK_GAP_MS, startStep, stepLabel } from '../rollout/ramp';
import { decide, type Judgement } from '../rollout/ramp-decision';

// The Cron's judgement of the running plan (SPEC §12): Daily's figures over the current step's
// window against Whereby's, decided by ramp-decision.ts, applied here. A run claims the
// judgement first (claimCheck), so two overlapping runs judge once; each change after it is
// conditional on the plan still being where it was judged.

export type RampRun = 'none' | 'step-started' | 'not-due' | Judgement['decision'];

export async function judgeRamp(env: Env, now = Date.now()): Promise<RampRun> {
  const db = database(env);
  const plan = await currentPlan(db);
  if (plan?.state !== 'running') return 'none';
  if (plan.stepStartedAt === null) {
    await startStep(db, env.FLAGS, plan, { by: 'ramp', reason: `${stepLabel(plan)}: written by the Cron` }, now);
    return 'step-started';
  }
  if (plan.nextCheckAt > now || !(await claimCheck(db, plan, now, now + CHECK_GAP_MS))) return 'not-due';

  // The switch as it is in KV now, not as this isolate last cached it.
  forgetCachedFlags();
  const { flags } = await readFlags(env.FLAGS, config(env).flagFallbacks(), now);
  const judgement = decide({
    settings: plan.settings,
    stepIndex: plan.stepIndex,
    stepStartedAt: plan.stepStartedAt,
    waitingSince: plan.waitingSince,
    now,
    masterSwitchOn: flags.DAILY_MIGRATION_ENABLED,
    figures: await figuresOver(db, { from: plan.stepStartedAt, to: now }),
  });
  await apply(db, env.FLAGS, plan, judgement, now);
  log(judgement.decision === 'roll-back' ? 'warn' : 'info', 'rollout ramp judged', {
    plan_id: plan.id,
    step: plan.stepIndex,
    decision: judgement.decision,
    reason: judgement.reason,
  });
  return judgement.decision;
}

async function apply(db: Database, kv: KVNamespace, plan: RolloutPlan, judgement: Judgement, now: number) {
  const { decision, reason, figures } = judgement;
  const verdict = db
    .insert(rolloutVerdicts)
    .values({ planId: plan.id, at: now, stepIndex: plan.stepIndex, decision, reason, figures });
  const update = (set: Partial<RolloutPlan>) =>
    db
      .update(rolloutPlans)
      .set(set)
      .where(planStillAt(plan, 'running', plan.stepIndex))
      .returning({ id: rolloutPlans.id });

  switch (decision) {
    case 'roll-back':
      // The switch first: turning Daily off is safe whatever happens to the rest.
      await changeFlags(db, kv, { DAILY_MIGRATION_ENABLED: false }, { by: 'ramp', reason }, now);
      await db.batch([verdict, update({ state: 'rolled-back' })]);
      return;
    case 'advance': {
      const [, [advanced]] = await db.batch([verdict, update({ stepIndex: plan.stepIndex + 1, stepStartedAt: null })]);
      // Paused or replaced meanwhile: the operator's word stands, no percent is written.
      if (advanced)
        await startStep(
          db,
          kv,
          { ...plan, stepIndex: plan.stepIndex + 1, stepStartedAt: null },
          { by: 'ramp', reason },
          now,
        );
      return;
    }
    case 'pause':
      await db.batch([verdict, update({ state: 'paused' })]);
      return;
    case 'done':
      await db.batch([verdict, update({ state: 'done' })]);
      return;
    case 'wait':
      await db.batch([verdict, update({ waitingSince: judgement.waitingForData ? (plan.waitingSince ?? now) : null })]);
  }
}
