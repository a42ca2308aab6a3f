import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import type { Database } from '../db/client';
import { currentPlan, lastVerdicts } from '../db/rollout-plans';
import { notFound } from '../errors';
import { log } from '../log';
import { pausePlan, putPlan, resumePlan } from '../rollout/ramp';
import { errorResponses, json, SECURITY } from './docs';
import { planAnswer, RampSettingsInput, RolloutPlanSchema } from './rollout-plan-shapes';

// The guarded ramp's plan (SPEC §12), for administrators: put it, read it with its last
// verdicts, pause and resume it. The Cron judges it (scheduled/rollout-ramp.ts).

export const rolloutPlanRoutes = new OpenAPIHono<AppEnv>();

/** How many of the last verdicts the plan's answer carries: an hour of five-minute Cron runs and more. */
const VERDICTS_SHOWN = 20;

async function answer(db: Database) {
  const plan = await currentPlan(db);
  if (!plan) throw notFound('A rollout plan');
  return planAnswer(plan, await lastVerdicts(db, plan.id, VERDICTS_SHOWN));
}

const planResponse = (description: string) => ({ description, ...json(RolloutPlanSchema) });

rolloutPlanRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/rollout/plan',
    summary: 'The guarded ramp: the current plan, its state, step, last verdicts and next check',
    security: SECURITY.signedIn,
    responses: { 200: planResponse('the current plan'), ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    await c.var.auth.requireAdmin();
    return c.json(await answer(c.var.db), 200);
  },
);

rolloutPlanRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/rollout/plan',
    summary: 'Puts a ramp plan over any other (which turns replaced); writes its first step and the master switch on',
    security: SECURITY.signedIn,
    request: { body: { required: true, ...json(RampSettingsInput) } },
    responses: { 200: planResponse('the plan, at its first step'), ...errorResponses(400, 401, 403, 415, 422) },
  }),
  async (c) => {
    const admin = await c.var.auth.requireAdmin();
    const settings = c.req.valid('json');
    const plan = await putPlan(c.var.db, c.env.FLAGS, settings, admin.id, Date.now());
    log('info', 'rollout plan put', { user_id: admin.id, plan_id: plan.id, steps: settings.steps });
    return c.json(await answer(c.var.db), 200);
  },
);

rolloutPlanRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rollout/plan/pause',
    summary: 'Holds the running plan at its step (its percent stays) until it is resumed',
    security: SECURITY.signedIn,
    responses: { 200: planResponse('the plan, paused'), ...errorResponses(401, 403, 404, 409) },
  }),
  async (c) => {
    const admin = await c.var.auth.requireAdmin();
    await pausePlan(c.var.db);
    log('info', 'rollout plan paused', { user_id: admin.id });
    return c.json(await answer(c.var.db), 200);
  },
);

rolloutPlanRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/rollout/plan/resume',
    summary: 'Runs the paused plan again: its current step starts afresh, its percent written with the switch on',
    security: SECURITY.signedIn,
    responses: { 200: planResponse('the plan, running'), ...errorResponses(401, 403, 404, 409) },
  }),
  async (c) => {
    const admin = await c.var.auth.requireAdmin();
    await resumePlan(c.var.db, c.env.FLAGS, admin.id, Date.now());
    log('info', 'rollout plan resumed', { user_id: admin.id });
    return c.json(await answer(c.var.db), 200);
  },
);
