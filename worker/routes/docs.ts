import { z } from '@hono/zod-openapi';
import { ERROR_CODES } from '../errors';

// What the OpenAPI document says of every route besides its own shapes: the error answer, and
// who may call it.

const ErrorSchema = z
  .object({
    detail: z.string().openapi({ description: 'what went wrong, in words' }),
    code: z.enum(ERROR_CODES).openapi({ description: 'what went wrong, for programs: one of a fixed list' }),
    field: z
      .string()
      .optional()
      .openapi({ description: 'the input at fault, for validation errors: a key, a dotted path, a query name' }),
    request_id: z.string().openapi({ description: 'the X-Request-Id of the answer, to find its log line' }),
  })
  .openapi('Error');

/** A JSON body or answer of the schema, as createRoute() declares it. */
export const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });

const ERROR_MEANINGS = {
  400: 'malformed request',
  401: 'no or bad credentials',
  403: 'not allowed',
  404: 'unknown',
  409: 'conflict',
  413: 'too large',
  415: 'not JSON',
  422: 'invalid input',
  429: 'too many requests from this address for this room, meeting or receiver; Retry-After says when to try again',
  500: 'our fault; it is logged',
  502: 'the provider failed',
  503: 'the provider or a setting is unavailable; try again',
} as const;

/** The error answers a route may give (500 always), for the OpenAPI document. */
export const errorResponses = (...statuses: Exclude<keyof typeof ERROR_MEANINGS, 500>[]) =>
  Object.fromEntries(
    [...statuses, 500 as const].map((status) => [
      status,
      { description: ERROR_MEANINGS[status], ...json(ErrorSchema) },
    ]),
  );

/** How callers prove who they are (SPEC §4): a user's JWT three ways, the pipeline's token, the providers' signatures. */
export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "the identity provider's JWT" },
  accessHeader: { type: 'apiKey', in: 'header', name: 'Cf-Access-Jwt-Assertion', description: 'Cloudflare Access' },
  accessCookie: { type: 'apiKey', in: 'cookie', name: 'CF_Authorization', description: 'Cloudflare Access' },
  pipeline: { type: 'http', scheme: 'bearer', description: 'PIPELINE_TOKEN, the transcription pipeline' },
  dailySignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Webhook-Signature',
    description: "Daily's HMAC of X-Webhook-Timestamp and the body",
  },
  wherebySignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Whereby-Signature',
    description: "Whereby's t=<unix seconds>,v1=<HMAC of the time and the body>",
  },
} as const;

type Scheme = keyof typeof SECURITY_SCHEMES;
const signedIn: Partial<Record<Scheme, string[]>>[] = [{ bearer: [] }, { accessHeader: [] }, { accessCookie: [] }];

/** Each route's `security`: who may call it, for the OpenAPI document. */
export const SECURITY = {
  /** Anyone, no credentials. */
  anyone: [],
  /** Anyone; a signed-in caller may get more (an owner's links, consent by person). */
  anyoneOrSignedIn: [{}, ...signedIn],
  /** A signed-in user (administrators: the route says so). */
  signedIn,
  pipeline: [{ pipeline: [] }],
  daily: [{ dailySignature: [] }],
  whereby: [{ wherebySignature: [] }],
} satisfies Record<string, Partial<Record<Scheme, string[]>>[]>;
