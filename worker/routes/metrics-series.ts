import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { seriesGrid, seriesOver } from '../metrics/series';
import { WindowQuery, windowMs } from '../metrics/window';
import { errorResponses, json, SECURITY } from './docs';
import { flagChangeAnswer } from './flag-history-shapes';
import { MetricsSeries } from './metrics-series-shapes';

// GET /v1/metrics/series: the /admin charts' figures (SPEC §13), bucket by bucket over a window.

export const metricSeriesRoutes = new OpenAPIHono<AppEnv>();

const iso = (ms: number) => new Date(ms).toISOString();

metricSeriesRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/metrics/series',
    summary: "Both platforms' figures over a window, bucket by bucket, with the flag changes inside it",
    security: SECURITY.signedIn,
    request: { query: WindowQuery },
    responses: { 200: { description: 'the series', ...json(MetricsSeries) }, ...errorResponses(401, 403, 422) },
  }),
  async (c) => {
    await c.var.auth.requireAdmin();
    const { window } = c.req.valid('query');
    const { grid, buckets, flagChanges } = await seriesOver(c.var.db, seriesGrid(windowMs(window), Date.now()));
    return c.json(
      {
        window,
        from: iso(grid.start),
        to: iso(grid.start + grid.count * grid.width),
        bucket_seconds: grid.width / 1000,
        buckets: buckets.map((figures, index) => ({ from: iso(grid.start + index * grid.width), ...figures })),
        flag_changes: flagChanges.map(flagChangeAnswer),
      },
      200,
    );
  },
);
