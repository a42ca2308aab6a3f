import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isOutage, ProviderError } from './platforms/http';

/**
 * The fixed list of error codes every non-2xx answer carries (SPEC §4), each with its status.
 * Clients branch on the code; `detail` is the sentence people read.
 */
const ERROR_STATUSES = {
  /** The input breaks a rule; `field` names the input. */
  validation: 422,
  /** The request cannot be read: malformed JSON, a webhook not in its provider's shape. */
  malformed: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  internal: 500,
  /** A provider answered, but not as it should (refused the call, or an answer we cannot use). */
  'provider-error': 502,
  /** A provider could not be reached in time, or asked us to slow down: try again. */
  'provider-unavailable': 503,
  /** A setting the request needs is missing or malformed; the detail names it. */
  'not-configured': 503,
  /** Something of ours is briefly unavailable (a meeting still being created, the identity provider's keys). */
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUSES;
export const ERROR_CODES = Object.keys(ERROR_STATUSES) as [ErrorCode, ...ErrorCode[]];

/** The one error type the API answers with: `{detail, code, field?, request_id}` (app.ts adds the id). */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  /** The input at fault, for validation errors: a body key (`name`), a nested path (`guards.step`), a query name. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, detail: string, field?: string) {
    super(detail);
    this.name = 'ApiError';
    this.code = code;
    this.detail = detail;
    this.field = field;
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUSES[this.code];
  }
}

/** A setting the request needs is missing or malformed; the detail names it. */
export class ConfigError extends ApiError {
  readonly setting: string;

  constructor(setting: string, problem: string) {
    super('not-configured', `The service is not configured for this: ${setting} ${problem}.`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}

/** Past a rate limit (SPEC §14): 429 with Retry-After, and nothing done. */
export class RateLimitedError extends ApiError {
  readonly retryAfterSeconds: number;

  constructor(detail: string, retryAfterSeconds: number) {
    super('rate-limited', detail);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const notFound = (what: string) => new ApiError('not-found', `${what} was not found.`);
export const forbidden = (why: string) => new ApiError('forbidden', why);
export const unauthenticated = (why: string) => new ApiError('unauthenticated', why);
export const conflict = (why: string) => new ApiError('conflict', why);
export const malformed = (why: string) => new ApiError('malformed', why);
export const invalid = (field: string | undefined, why: string) => new ApiError('validation', why, field);

/** Hono's own refusals (a body over its limit, an unsupported media type, malformed JSON) by status. */
const CODES_OF_HONO_STATUSES: Partial<Record<number, ErrorCode>> = {
  400: 'malformed',
  401: 'unauthenticated',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'too-large',
  415: 'unsupported-media-type',
};

/**
 * What any error means for the API's answer, in one place: an ApiError as it is, a provider's
 * failure as 503 (try again) or 502, a refusal by Hono by its status; null for anything else (a bug).
 */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof ProviderError)
    return new ApiError(isOutage(error) ? 'provider-unavailable' : 'provider-error', error.detail);
  if (error instanceof HTTPException) {
    const code = CODES_OF_HONO_STATUSES[error.status] ?? (error.status >= 500 ? 'internal' : 'malformed');
    return new ApiError(code, error.message || 'The request could not be handled.');
  }
  return null;
}
