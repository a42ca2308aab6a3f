import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env';
import { errorResponses, json, SECURITY } from './docs';
import { Me } from './shapes';

// Who the caller is, as Reflector's frontend asks it (SPEC §10): its sub and email, or null.

export const meRoutes = new OpenAPIHono<AppEnv>();

meRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/me',
    summary: 'The signed-in caller: their sub and email; null for an anonymous caller',
    security: SECURITY.anyoneOrSignedIn,
    responses: { 200: { description: 'the caller, or null', ...json(Me) }, ...errorResponses(401, 503) },
  }),
  async (c) => {
    // A presented token that is not valid is refused (401), never taken for an anonymous caller.
    const user = await c.var.auth.user();
    return c.json(user && { sub: user.id, email: user.email }, 200);
  },
);
