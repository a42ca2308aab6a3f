import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { PLATFORMS } from '../../domain/rooms';
import type { AppEnv } from '../app-env';
import { isConfigured } from '../config';
import { ApiError } from '../errors';
import { log } from '../log';
import { errorResponses, json, SECURITY } from './docs';
import { Health } from './shapes';

export const healthRoutes = new OpenAPIHono<AppEnv>();

healthRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/health',
    summary: 'Liveness, and which integrations are configured; with deep=1, whether D1 answers',
    security: SECURITY.anyone,
    request: {
      query: z.object({
        deep: z
          .enum(['0', '1'])
          .optional()
          .openapi({ description: '1: also ask D1 one query (costs what a join of an unknown room costs)' }),
      }),
    },
    responses: { 200: { description: 'alive', ...json(Health) }, ...errorResponses(422, 503) },
  }),
  async (c) => {
    const settings = c.var.config;
    const production = settings.environment() === 'production';
    const signIn = settings.hasIdentityProvider()
      ? isConfigured(settings.auth)
        ? ('identity-provider' as const)
        : ('misconfigured' as const)
      : production
        ? ('none' as const)
        : ('development-login' as const);
    // A monitor's question "is D1 answering?": one round trip, no table touched.
    // One call to each breaker's Durable Object, both at once (a view never rejects: null instead).
    const breakerViews = Promise.all(PLATFORMS.map((name) => c.var.platforms.breaker(name).view()));
    let database: 'ok' | undefined;
    if (c.req.valid('query').deep === '1') {
      try {
        await c.var.db.get(sql`select 1`);
        database = 'ok';
      } catch (error) {
        log('error', 'health: D1 did not answer', { request_id: c.var.requestId, error });
        throw new ApiError('unavailable', 'The database (D1) did not answer; try again shortly.');
      }
    }
    const [whereby, daily] = await breakerViews;
    return c.json(
      {
        status: 'ok' as const,
        environment: production ? 'production' : 'development',
        integrations: {
          whereby: isConfigured(settings.whereby),
          daily: isConfigured(settings.daily),
          recordings_bucket: isConfigured(settings.bucket),
          pipeline: isConfigured(settings.pipelineToken),
          sign_in: signIn,
        },
        // A malformed PROVIDER_FAILOVER is shown as off; a creation's answer names it.
        provider_failover: isConfigured(c.var.platforms.canFailOver) ? c.var.platforms.canFailOver() : false,
        breakers: { whereby: whereby ?? null, daily: daily ?? null },
        ...(database ? { database } : {}),
      },
      200,
    );
  },
);
