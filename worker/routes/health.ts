import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { isConfigured } from '../config';
import { errorResponses, json, SECURITY } from './docs';

export const healthRoutes = new OpenAPIHono<AppEnv>();

const Health = z
  .object({
    status: z.literal('ok'),
    environment: z.string(),
    integrations: z.object({
      whereby: z.boolean(),
      daily: z.boolean(),
      recordings_bucket: z.boolean(),
      pipeline: z.boolean(),
      sign_in: z.enum(['identity-provider', 'misconfigured', 'development-login', 'none']),
    }),
  })
  .openapi('Health');

healthRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/health',
    summary: 'Liveness, and which integrations are configured',
    security: SECURITY.anyone,
    responses: { 200: { description: 'alive', ...json(Health) }, ...errorResponses() },
  }),
  (c) => {
    const settings = c.var.config;
    const production = settings.environment() === 'production';
    const signIn = settings.hasIdentityProvider()
      ? isConfigured(settings.auth)
        ? ('identity-provider' as const)
        : ('misconfigured' as const)
      : production
        ? ('none' as const)
        : ('development-login' as const);
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
      },
      200,
    );
  },
);
