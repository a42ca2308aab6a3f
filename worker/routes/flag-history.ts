import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { listFlagChanges } from '../db/flag-changes';
import { errorResponses, json, SECURITY } from './docs';
import { FlagChangeList, FlagHistoryQuery, flagChangeAnswer } from './flag-history-shapes';
import { listPage } from './shapes';

// GET /v1/flags/history (SPEC §12): every change of a rollout flag, whoever made it.

export const flagHistoryRoutes = new OpenAPIHono<AppEnv>();

flagHistoryRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/flags/history',
    summary: "The rollout flags' changes, newest first: when, who, the key, old and new value, why",
    security: SECURITY.signedIn,
    request: { query: FlagHistoryQuery },
    responses: {
      200: { description: 'a page of changes', ...json(FlagChangeList) },
      ...errorResponses(401, 403, 422),
    },
  }),
  async (c) => {
    await c.var.auth.requireAdmin();
    const { page, size, key } = c.req.valid('query');
    const { items, total } = await listFlagChanges(c.var.db, { key }, page, size);
    return c.json(listPage(items.map(flagChangeAnswer), total, { page, size }), 200);
  },
);
