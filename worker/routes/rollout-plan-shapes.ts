import { z } from '@hono/zod-openapi';
import type { RolloutPlan, RolloutVerdict } from '../db/schema';
import { GUARD_NAMES, PLAN_STATES, RAMP_DECISIONS } from '../rollout/ramp-decision';

// The guarded ramp's plan in the API (SPEC §12): what PUT /v1/rollout/plan takes and what
// GET answers.

const margin = (description: string, max: number) => z.number().min(0).max(max).openapi({ description });

const Guards = z
  .object({
    max_error_rate_delta: margin(
      "percentage points by which Daily's provider API error rate may exceed Whereby's (the figures' 0–1 shares × 100)",
      100,
    ),
    max_recording_failure_delta: margin(
      "percentage points by which Daily's recording failure share (1 − success rate) may exceed Whereby's",
      100,
    ),
    max_join_failure_delta: margin(
      "percentage points by which Daily's join failure share (1 − join success rate) may exceed Whereby's",
      100,
    ),
    max_webhook_lag_seconds_delta: margin("seconds by which Daily's p95 webhook lag may exceed Whereby's", 86_400),
    min_rating_delta: margin("rating points (1–5) by which Daily's mean rating may be lower than Whereby's", 4),
  })
  .strict()
  .openapi({
    description:
      'how much worse Daily may be than Whereby over a step; a platform without data for a figure: with Daily ' +
      'none the guard is not judged, with Whereby none Daily is held to the best value (0 failures, 0 s, rating 5)',
  });

export const RampSettingsInput = z
  .object({
    steps: z
      .array(z.number().min(1).max(100))
      .min(1)
      .max(20)
      .superRefine((steps, ctx) => {
        steps.forEach((percent, index) => {
          const before = steps[index - 1];
          if (before !== undefined && percent <= before)
            ctx.addIssue({ code: 'custom', path: [index], message: `each step rises: ${percent} follows ${before}` });
        });
      })
      .openapi({
        description: 'the DAILY_MIGRATION_PERCENT of each step, rising, each 1 to 100',
        example: [10, 50, 100],
      }),
    step_minutes: z
      .number()
      .int()
      .min(1)
      .max(10_080)
      .openapi({ description: 'how long each step runs on passing judgements before the next (at most a week)' }),
    min_meetings: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .openapi({
        description:
          'Daily meetings a step needs before it is judged: made on Daily, or failed over from it; a failing error ' +
          'rate over this many Daily API calls rolls back even with fewer meetings',
      }),
    guards: Guards,
  })
  .strict()
  .openapi('RolloutPlanInput');

const iso = z.iso.datetime();

const GuardJudgementSchema = z.object({
  guard: z.enum(GUARD_NAMES),
  daily: z.number().nullable().openapi({ description: "Daily's figure in the guard's unit; null without data" }),
  whereby: z.number().nullable(),
  delta: z.number().nullable().openapi({ description: 'how much worse Daily is; null when not judged' }),
  margin: z.number(),
  verdict: z.enum(['pass', 'fail', 'not-judged']),
});

const VerdictSchema = z.object({
  at: iso,
  step_index: z.number().int(),
  percent: z.number(),
  decision: z.enum(RAMP_DECISIONS),
  reason: z.string(),
  daily_meetings: z.number().int(),
  daily_provider_calls: z.number().int(),
  guards: z.array(GuardJudgementSchema),
});

export const RolloutPlanSchema = RampSettingsInput.extend({
  id: z.number().int(),
  state: z.enum(PLAN_STATES),
  current_step: z.object({
    index: z.number().int(),
    percent: z.number(),
    started_at: iso
      .nullable()
      .openapi({ description: 'when its percent was written; null: the next Cron run writes it' }),
    waiting_since: iso
      .nullable()
      .openapi({ description: 'since when it lacks enough Daily meetings; null: it has them' }),
  }),
  next_check_at: iso
    .nullable()
    .openapi({ description: 'the first Cron run (every 5 minutes) from then judges the plan; null unless running' }),
  put_by: z.string(),
  put_at: iso,
  verdicts: z.array(VerdictSchema).openapi({ description: 'the last judgements, newest first, with their figures' }),
}).openapi('RolloutPlan');

type RolloutPlanAnswer = z.infer<typeof RolloutPlanSchema>;

const isoOf = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function planAnswer(
  plan: RolloutPlan,
  verdicts: Pick<RolloutVerdict, 'at' | 'stepIndex' | 'decision' | 'reason' | 'figures'>[],
): RolloutPlanAnswer {
  const { steps } = plan.settings;
  return {
    id: plan.id,
    state: plan.state,
    ...plan.settings,
    current_step: {
      index: plan.stepIndex,
      percent: steps[plan.stepIndex] ?? 0,
      started_at: isoOf(plan.stepStartedAt),
      waiting_since: isoOf(plan.waitingSince),
    },
    next_check_at: plan.state === 'running' ? isoOf(plan.nextCheckAt) : null,
    put_by: plan.putBy,
    put_at: new Date(plan.putAt).toISOString(),
    verdicts: verdicts.map((verdict) => ({
      at: new Date(verdict.at).toISOString(),
      step_index: verdict.stepIndex,
      percent: steps[verdict.stepIndex] ?? 0,
      decision: verdict.decision,
      reason: verdict.reason,
      ...verdict.figures,
    })),
  };
}
