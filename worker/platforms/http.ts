import type { z } from 'zod';

// The HTTP client both providers share: bearer auth, a timeout per attempt, retries with
// exponential backoff for 429 and 5xx, and every failure turned into a ProviderError.

export type ProviderFailure = 'unreachable' | 'timeout' | 'rate-limited' | 'server-error' | 'rejected' | 'malformed';

/**
 * Failures that may pass if tried again: the provider did not answer in time, was unreachable,
 * failed (5xx) or asked us to slow down (429). These are its outages (SPEC §9); a refusal or an
 * answer we cannot use is the provider answering.
 */
const OUTAGES: ReadonlySet<ProviderFailure> = new Set(['unreachable', 'timeout', 'rate-limited', 'server-error']);

export const isOutage = (error: unknown): error is ProviderError =>
  error instanceof ProviderError && OUTAGES.has(error.failure);

/** A provider call failed. What that means for the API's answer is decided in worker/error-answer.ts. */
export class ProviderError extends Error {
  readonly provider: string;
  readonly failure: ProviderFailure;
  readonly detail: string;
  readonly providerStatus: number | undefined;

  constructor(provider: string, failure: ProviderFailure, detail: string, providerStatus?: number) {
    super(detail);
    this.name = 'ProviderError';
    this.provider = provider;
    this.failure = failure;
    this.detail = detail;
    this.providerStatus = providerStatus;
  }
}

export interface ProviderClientOptions {
  /** For messages: "Daily", "Whereby". */
  provider: string;
  apiUrl: string;
  apiKey: string;
  /** Tells the provider's error body in words, for the detail. */
  describeError: (status: number, body: string) => string;
  /** How long to wait before retrying a 429, from the provider's answer; null: use backoff. */
  retryAfterMs: (response: Response, body: string) => number | null;
  /** Told of every call once it is over (after its retries), for the rollout's figures. */
  onCall?: (outcome: 'ok' | 'failed') => void;
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
  fetch?: typeof fetch;
}

interface ProviderRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: unknown;
  /** A what-we-were-doing phrase for errors: "create the room". */
  action: string;
  /** Statuses that are an answer, not a failure (e.g. 404 on delete). */
  accept?: number[];
}

const MAX_RETRY_WAIT_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function providerClient(options: ProviderClientOptions) {
  const { provider, timeoutMs = 8_000, attempts = 3, backoffMs = 200 } = options;
  const doFetch = options.fetch ?? fetch;

  async function send(request: ProviderRequest): Promise<{ status: number; text: string }> {
    try {
      const answer = await sendWithRetries(request);
      options.onCall?.('ok');
      return answer;
    } catch (error) {
      options.onCall?.('failed');
      throw error;
    }
  }

  async function sendWithRetries(request: ProviderRequest): Promise<{ status: number; text: string }> {
    const failing = (failure: ProviderFailure, why: string, status?: number) =>
      new ProviderError(provider, failure, `${provider} could not ${request.action}: ${why}.`, status);
    let last: ProviderError = failing('unreachable', 'no attempt was made');

    for (let attempt = 1; attempt <= attempts; attempt++) {
      let response: Response;
      try {
        response = await doFetch(`${options.apiUrl}${request.path}`, {
          method: request.method,
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        last = timedOut
          ? failing('timeout', `no answer within ${timeoutMs / 1000} s`)
          : failing(
              'unreachable',
              `the request did not reach it (${error instanceof Error ? error.message : String(error)})`,
            );
        if (attempt < attempts) await sleep(backoffMs * 2 ** (attempt - 1));
        continue;
      }
      const text = await response.text();
      if (response.ok || request.accept?.includes(response.status)) return { status: response.status, text };

      const why = `${options.describeError(response.status, text)} (HTTP ${response.status})`;
      if (response.status === 429) {
        last = failing('rate-limited', why, 429);
        const wait = options.retryAfterMs(response, text) ?? backoffMs * 2 ** (attempt - 1);
        if (wait > MAX_RETRY_WAIT_MS) break;
        if (attempt < attempts) await sleep(wait);
      } else if (response.status >= 500) {
        last = failing('server-error', why, response.status);
        if (attempt < attempts) await sleep(backoffMs * 2 ** (attempt - 1));
      } else {
        throw failing('rejected', why, response.status);
      }
    }
    throw last;
  }

  return {
    /** Sends the request and validates the JSON answer against the schema. */
    async json<T>(request: ProviderRequest, schema: z.ZodType<T>): Promise<T> {
      const { text } = await send(request);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ProviderError(
          provider,
          'malformed',
          `${provider} could not ${request.action}: its answer is not JSON.`,
        );
      }
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ProviderError(
          provider,
          'malformed',
          `${provider} could not ${request.action}: its answer lacks a valid ${issue?.path.join('.') || 'body'}.`,
        );
      }
      return parsed.data;
    },
    /** Sends the request and returns only its status. */
    async status(request: ProviderRequest): Promise<number> {
      return (await send(request)).status;
    },
  };
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
