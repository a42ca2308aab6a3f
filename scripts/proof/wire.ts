// What the proof sends over the wire: requests to the service (send, and must for the
// fixtures' calls that have to succeed). Its webhooks are signed and shaped by
// dev/provider-webhooks.ts, as the providers sign and shape them.

export type Json = Record<string, any>;
export type Headers = Record<string, string>;

export const seconds = () => Math.floor(Date.now() / 1000);
export const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
export const J = (value: unknown) => JSON.stringify(value);

// ---------------------------------------------------------------------------------------------
// HTTP

interface Answer {
  status: number;
  headers: globalThis.Headers;
  text: string;
  body: Json | null;
}

export async function send(url: string, init: RequestInit & { headers?: Headers }): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(30_000), ...init });
  const text = await response.text();
  let body: Json | null = null;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** A call the fixtures need to succeed. */
export async function must(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; expect?: number } = {},
): Promise<Json> {
  const headers: Headers = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const answer = await send(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  if (answer.status !== (options.expect ?? 200))
    throw new Error(`fixture ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer.body ?? {};
}
