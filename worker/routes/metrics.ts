import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { figuresOver } from '../metrics/report';
import { WindowQuery, windowMs } from '../metrics/window';
import { readFlags } from '../rollout/flags';
import { errorResponses, json, SECURITY } from './docs';
import { Metrics } from './shapes';

export const metricRoutes = new OpenAPIHono<AppEnv>();

metricRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/metrics',
    summary: "The rollout's figures per platform over a window, to compare Daily with Whereby",
    security: SECURITY.signedIn,
    request: { query: WindowQuery },
    responses: { 200: { description: 'the figures', ...json(Metrics) }, ...errorResponses(401, 403, 422) },
  }),
  async (c) => {
    await c.var.auth.requireAdmin();
    const { window } = c.req.valid('query');
    const to = Date.now();
    const from = to - windowMs(window);
    const [platforms, { flags }] = await Promise.all([
      figuresOver(c.var.db, { from, to }),
      readFlags(c.env.FLAGS, c.var.config.flagFallbacks()),
    ]);
    return c.json(
      { window, from: new Date(from).toISOString(), to: new Date(to).toISOString(), flags, platforms },
      200,
    );
  },
);
