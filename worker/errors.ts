import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The one error type the API answers with: a status and a sentence for `{"detail": ...}`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

/** A setting the request needs is missing or malformed; the detail names it. */
export class ConfigError extends ApiError {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(503, `The service is not configured for this: ${setting} ${problem}.`);
    this.name = 'ConfigError';
  }
}

export const notFound = (what: string) => new ApiError(404, `${what} was not found.`);
export const forbidden = (why: string) => new ApiError(403, why);
export const unauthorized = (why: string) => new ApiError(401, why);
export const conflict = (why: string) => new ApiError(409, why);
