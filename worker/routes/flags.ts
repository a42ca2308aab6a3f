import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { log } from '../log';
import { FLAG_KEYS, forgetCachedFlags, readFlags } from '../rollout/flags';
import { changeFlags } from '../rollout/history';
import { errorResponses, json, SECURITY } from './docs';
import { RolloutFlagsInput, RolloutFlagsSchema } from './shapes';

export const flagRoutes = new OpenAPIHono<AppEnv>();

const EffectiveFlags = RolloutFlagsSchema.extend({
  malformed: z
    .array(z.object({ key: z.enum(FLAG_KEYS), source: z.enum(['kv', 'env']), raw: z.string(), reason: z.string() }))
    .openapi({ description: 'stored values that did not parse and were ignored' }),
}).openapi('EffectiveRolloutFlags');

flagRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flags',
    summary: 'The effective rollout flags, with any stored value that failed to parse',
    security: SECURITY.signedIn,
    responses: { 200: { description: 'the flags', ...json(EffectiveFlags) }, ...errorResponses(401, 403) },
  }),
  async (c) => {
    await c.var.auth.requireAdmin();
    // An operator looking at the flags sees KV as it is now, not this isolate's cached copy.
    forgetCachedFlags();
    const { flags, malformed } = await readFlags(c.env.FLAGS, c.var.config.flagFallbacks());
    return c.json({ ...flags, malformed }, 200);
  },
);

flagRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/flags',
    summary: 'Writes the rollout flags to KV',
    security: SECURITY.signedIn,
    request: { body: { required: true, ...json(RolloutFlagsInput) } },
    responses: {
      200: { description: 'the flags now in effect', ...json(EffectiveFlags) },
      ...errorResponses(400, 401, 403, 422),
    },
  }),
  async (c) => {
    const admin = await c.var.auth.requireAdmin();
    const { reason, ...flags } = c.req.valid('json');
    await changeFlags(c.var.db, c.env.FLAGS, flags, { by: admin.id, reason: reason ?? 'set through the API' });
    log('info', 'rollout flags written', { user_id: admin.id, ...flags });
    const state = await readFlags(c.env.FLAGS, c.var.config.flagFallbacks());
    return c.json({ ...state.flags, malformed: state.malformed }, 200);
  },
);
