import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { COUNTS_KEPT_MS } from '../metrics/counters';
import { figuresOver } from '../metrics/report';
import { readFlags } from '../rollout/flags';
import { errorResponses, json, SECURITY } from './docs';
import { Metrics } from './shapes';

export const metricRoutes = new OpenAPIHono<AppEnv>();

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WINDOW_RULE = 'a window is a whole number of minutes, hours or days, such as 30m, 24h or 7d, of at most 90 days';

const windowMs = (window: string) => {
  const [, amount, unit] = /^([1-9]\d{0,5})([mhd])$/.exec(window) ?? [];
  return amount && unit ? Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS] : Number.NaN;
};

const Query = z.object({
  window: z
    .string()
    .refine((window) => windowMs(window) <= COUNTS_KEPT_MS, WINDOW_RULE)
    .default('24h')
    .openapi({ description: 'how far back from now: 30m, 24h, 7d (at most 90d)', example: '24h' }),
});

metricRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/metrics',
    summary: "The rollout's figures per platform over a window, to compare Daily with Whereby",
    security: SECURITY.signedIn,
    request: { query: Query },
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
