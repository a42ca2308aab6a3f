// A hostile request of the proof, and the engine around it: its kinds, sending it (from an address
// of its own), judging its answer, and the API's operations it aims at.

import { type Headers, J, type Json, send } from './wire.ts';

export type Kind =
  | 'malformed JSON'
  | 'wrong types'
  | 'unknown fields'
  | 'invalid room names'
  | 'over-long names'
  | 'bad query'
  | 'wrong content type'
  | 'missing/forged/expired/garbage credentials'
  | 'not allowed (non-owner, non-admin)'
  | 'unknown ids and paths'
  | 'wrong method'
  | 'conflict'
  | 'webhook: bad or missing signature'
  | 'webhook: stale or future timestamp'
  | 'webhook: wrong secret'
  | 'webhook: tampered body'
  | 'webhook: authentic but malformed'
  | 'webhook: replay of an applied event'
  | 'webhook: Daily ping'
  | 'oversized body'
  | 'wrong pipeline token'
  | 'consent: meeting ended over an hour ago'
  | 'consent: repeated answer'
  | 'consent: malformed consent_key'
  | 'report: meeting ended over an hour ago'
  | 'rate limit: joins of one room from one address'
  | 'rate limit: answers in one meeting from one address'
  | 'rate limit: refused webhooks from one address'
  | 'rate limit: what it must not hold back'
  | 'pipeline: nothing to delete now'
  | 'refused room fields'
  | 'join: meeting not of the room, or no longer active'
  | 'recording start: not a Daily meeting, or no longer active';

export interface Attack {
  kind: Kind;
  /** The OpenAPI operation it aims at, `METHOD /v1/path/{param}`; null for paths outside the API. */
  operation: string | null;
  what: string;
  method: string;
  path: string;
  headers?: Headers;
  body?: string | Buffer | (() => ReadableStream<Uint8Array>);
  /** The statuses the routes give for this input. */
  expect: number[];
  /** For a documented 200: what its body must be. */
  expectBody?: Json;
  /** For a refusal of bad input: the `field` the answer must name. */
  expectField?: string;
  /** The client's address (CF-Connecting-IP); when absent, one of its own (see runAttack). */
  from?: string;
  /** Headers made when the request is sent (a signature whose time matters), over `headers`. */
  sign?: () => Promise<Headers>;
}

export interface Outcome {
  attack: Attack;
  status: number | null;
  body: Json | null;
  text: string;
  requestId: string | null;
  retryAfter: string | null;
  error?: string;
}

export const json = (token?: string, extra: Headers = {}): Headers => ({
  'content-type': 'application/json',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...extra,
});

export function streamOf(text: string): () => ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  return () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
          controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
        controller.close();
      },
    });
}

// Every hostile request comes from an address of its own, unless it names one: the rate limits
// (SPEC §14) count per client IP, and these requests are judged on what the routes answer for their
// input, which a 429 would hide. wrangler dev takes a client's CF-Connecting-IP as it is (it sets
// the header only when the request has none), as Cloudflare's edge never would.
let addresses = 0;
const ownAddress = () => {
  const n = ++addresses;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

export async function runAttack(base: string, attack: Attack): Promise<Outcome> {
  const body = typeof attack.body === 'function' ? attack.body() : attack.body;
  try {
    const answer = await send(`${base}${attack.path}`, {
      method: attack.method,
      headers: {
        'cf-connecting-ip': attack.from ?? ownAddress(),
        ...attack.headers,
        ...(attack.sign ? await attack.sign() : {}),
      },
      body,
      ...(typeof attack.body === 'function' ? { duplex: 'half' } : {}),
    } as RequestInit & { headers?: Headers });
    return {
      attack,
      status: answer.status,
      body: answer.body,
      text: answer.text,
      requestId: answer.headers.get('x-request-id'),
      retryAfter: answer.headers.get('retry-after'),
    };
  } catch (error) {
    return {
      attack,
      status: null,
      body: null,
      text: '',
      requestId: null,
      retryAfter: null,
      error:
        error instanceof Error ? `${error.message}${error.cause ? ` (${String(error.cause)})` : ''}` : String(error),
    };
  }
}

/** What is wrong with an answer, if anything. */
export function judge(outcome: Outcome): string | null {
  const { attack, status, body } = outcome;
  if (status === null) return `no answer (${outcome.error})`;
  if (status >= 500) return `answered ${status}: ${outcome.text.slice(0, 300)}`;
  if (!attack.expect.includes(status))
    return `answered ${status}, not ${attack.expect.join(' or ')}: ${outcome.text.slice(0, 300)}`;
  if (body === null) return `answered ${status} with a body that is not JSON: ${outcome.text.slice(0, 200)}`;
  if (status >= 400 && (typeof body.detail !== 'string' || body.detail.trim() === ''))
    return `answered ${status} without a detail: ${outcome.text.slice(0, 200)}`;
  if (attack.expectField !== undefined && status >= 400 && body.field !== attack.expectField)
    return `answered ${status} naming the field ${J(body.field)}, not ${J(attack.expectField)}`;
  if (status === 429 && (body.code !== 'rate-limited' || !/^[1-9]\d*$/.test(outcome.retryAfter ?? '')))
    return `answered 429 without code rate-limited and a Retry-After in seconds (code ${J(body.code)}, Retry-After ${J(outcome.retryAfter)})`;
  if (status < 400) {
    for (const [key, value] of Object.entries(attack.expectBody ?? {})) {
      if (body[key] !== value) return `answered ${status} with ${key} ${J(body[key])}, not ${J(value)}`;
    }
  }
  if (!outcome.requestId) return `answered ${status} without an X-Request-Id header`;
  return null;
}

export async function pool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

/** The API's operations as its OpenAPI document lists them: `METHOD /v1/path/{param}`. */
export async function operations(base: string): Promise<string[]> {
  const document = (await (await fetch(`${base}/v1/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => `${method.toUpperCase()} ${path.startsWith('/v1') ? path : `/v1${path}`}`),
  );
}
