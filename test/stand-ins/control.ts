// The shared core of the local provider stand-ins: a small router over node:http, JSON
// bodies, the request log, fault injection and the generic /__control endpoints.
// Runs in plain Node 24 by type stripping: erasable TypeScript only, explicit .ts imports.

import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StandIn {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `origin + '/v1'` */
  apiUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

export type JsonObject = Record<string, unknown>;

export interface Reply {
  status: number;
  /** A string is sent as is (text/plain unless a content-type header says otherwise); anything else as JSON. */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
}

export interface RouteRequest<Param extends string = never> {
  method: string;
  /** Full path, without the query. */
  path: string;
  params: Readonly<Record<Param, string>>;
  query: URLSearchParams;
  /** Parsed JSON, or null for an empty body. */
  body: unknown;
  origin: string;
}

type Handler = (request: RouteRequest) => Reply;

export interface Route {
  method: string;
  /** The handler bound to the path's parameters, or null when the pattern does not match. */
  match(subpath: string): Handler | null;
}

/** `'/rooms/:name/presence'` → `'name'` */
type ParamNames<Pattern extends string> = Pattern extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamNames<`/${Rest}`>
  : Pattern extends `${string}:${infer Name}`
    ? Name
    : never;

/** A route whose `:name` segments become typed `params`; the pattern is relative to its mount point. */
export function route<Pattern extends string>(
  method: string,
  pattern: Pattern,
  handle: (request: RouteRequest<ParamNames<Pattern>>) => Reply,
): Route {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return escapeRegExp(segment);
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^${source}$`);
  return {
    method,
    match(subpath) {
      const found = regex.exec(subpath);
      if (!found) return null;
      const values = found.slice(1).map(safeDecode);
      if (values.some((value) => value === null)) return null;
      // The regex captured exactly one value per declared name.
      const params = Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<ParamNames<Pattern>, string>;
      return (request) => handle({ ...request, params });
    },
  };
}

export function json(status: number, body: unknown): Reply {
  return { status, body };
}

export const noContent: Reply = { status: 204 };

/** The answer shape of the /__control endpoints' own errors. */
export function controlError(status: number, message: string): Reply {
  return json(status, { error: message });
}

export type ErrorKind = 'unauthorized' | 'not-found' | 'bad-json' | 'internal';

export interface ProviderSpec {
  /** Shown on room pages: "Local <name> stand-in room: …". */
  name: string;
  apiKey: string;
  port?: number;
  /** Mounted under /v1. */
  restRoutes: readonly Route[];
  /** Mounted under /__control, next to reset, requests and faults. */
  controlRoutes: readonly Route[];
  /** The provider's own body for errors the core detects. */
  errorReply(kind: ErrorKind, detail: string): Reply;
  /** Whether a browser path (percent-decoded, e.g. `/my-room`) names a live room. */
  hasRoom(path: string): boolean;
  /** Forget all provider state. */
  reset(): void;
}

interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  body: unknown;
}

interface Fault {
  method: string | null;
  path: RegExp;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  remaining: number;
  delayMs: number;
}

interface ReceivedBody {
  /** Parsed JSON, null when empty, the raw text when it is not JSON. */
  value: unknown;
  valid: boolean;
}

const REST_PREFIX = '/v1';
const CONTROL_PREFIX = '/__control';

export async function startStandIn(spec: ProviderSpec): Promise<StandIn> {
  const log: LoggedRequest[] = [];
  const faults: Fault[] = [];
  // Aborted on close so that requests held by delay_ms faults do not outlive the server.
  const closing = new AbortController();
  const controlRoutes: readonly Route[] = [
    route('POST', '/reset', () => {
      spec.reset();
      log.length = 0;
      faults.length = 0;
      return noContent;
    }),
    route('GET', '/requests', () => json(200, log)),
    route('POST', '/faults', ({ body }) => {
      const fault = parseFault(body);
      if (typeof fault === 'string') return controlError(400, fault);
      faults.push(fault);
      return noContent;
    }),
    ...spec.controlRoutes,
  ];

  const server = createServer();
  const origin = await listen(server, spec.port ?? 0);

  async function handleRest(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    log.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization ?? null,
      body: body.value,
    });
    const fault = takeFault(faults, method, url.pathname);
    if (fault) return answerWithFault(fault, response, closing.signal);
    if (request.headers.authorization !== `Bearer ${spec.apiKey}`) {
      return send(response, spec.errorReply('unauthorized', 'missing or invalid API key'));
    }
    if (!body.valid) return send(response, spec.errorReply('bad-json', 'the request body is not valid JSON'));
    const handler = findHandler(spec.restRoutes, method, subpathOf(url.pathname, REST_PREFIX));
    if (!handler) return send(response, spec.errorReply('not-found', `${method} ${url.pathname} not found`));
    send(response, handler({ method, path: url.pathname, params: {}, query: url.searchParams, body: body.value, origin }));
  }

  async function handleControl(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(request);
    if (!body.valid) return send(response, controlError(400, 'the request body is not valid JSON'));
    const method = request.method ?? 'GET';
    const handler = findHandler(controlRoutes, method, subpathOf(url.pathname, CONTROL_PREFIX));
    if (!handler) return send(response, controlError(404, `no control endpoint ${method} ${url.pathname}`));
    send(response, handler({ method, path: url.pathname, params: {}, query: url.searchParams, body: body.value, origin }));
  }

  function handlePage(request: IncomingMessage, response: ServerResponse, url: URL): void {
    request.resume();
    const path = safeDecode(url.pathname) ?? url.pathname;
    const found = request.method === 'GET' && spec.hasRoom(path);
    const title = found ? `Local ${spec.name} stand-in room: ${path}` : `Local ${spec.name} stand-in: no room at ${path}`;
    send(response, htmlPage(found ? 200 : 404, title));
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', origin);
    let handled: Promise<void> | void;
    if (isUnder(url.pathname, CONTROL_PREFIX)) handled = handleControl(request, response, url);
    else if (isUnder(url.pathname, REST_PREFIX)) handled = handleRest(request, response, url);
    else handled = handlePage(request, response, url);
    Promise.resolve(handled).catch((error: unknown) => {
      console.error(`${spec.name} stand-in: ${request.method} ${url.pathname} failed`, error);
      if (!response.headersSent) send(response, spec.errorReply('internal', String(error)));
      else response.destroy();
    });
  });

  let closed: Promise<void> | undefined;
  return {
    origin,
    apiUrl: origin + REST_PREFIX,
    apiKey: spec.apiKey,
    close() {
      closed ??= shutDown(server, closing);
      return closed;
    },
  };
}

function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

function shutDown(server: Server, closing: AbortController): Promise<void> {
  closing.abort();
  server.closeAllConnections();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function subpathOf(path: string, prefix: string): string {
  return path.slice(prefix.length) || '/';
}

function findHandler(routes: readonly Route[], method: string, subpath: string): Handler | null {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const handler = candidate.match(subpath);
    if (handler) return handler;
  }
  return null;
}

async function readBody(request: IncomingMessage): Promise<ReceivedBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { value: null, valid: true };
  try {
    return { value: JSON.parse(text) as unknown, valid: true };
  } catch {
    return { value: text, valid: false };
  }
}

function send(response: ServerResponse, reply: Reply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  if (reply.body === undefined || !statusAllowsBody(reply.status)) {
    response.writeHead(reply.status);
    response.end();
    return;
  }
  const isText = typeof reply.body === 'string';
  const payload = isText ? (reply.body as string) : JSON.stringify(reply.body);
  if (!response.hasHeader('content-type')) {
    response.setHeader('content-type', isText ? 'text/plain; charset=utf-8' : 'application/json');
  }
  response.setHeader('content-length', Buffer.byteLength(payload));
  response.writeHead(reply.status);
  response.end(payload);
}

function statusAllowsBody(status: number): boolean {
  return status !== 204 && status !== 304;
}

function htmlPage(status: number, title: string): Reply {
  const text = escapeHtml(title);
  return {
    status,
    body: `<!doctype html>\n<html><head><meta charset="utf-8"><title>${text}</title></head><body><h1>${text}</h1></body></html>\n`,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  };
}

function takeFault(faults: Fault[], method: string, path: string): Fault | null {
  const index = faults.findIndex((fault) => (fault.method === null || fault.method === method) && fault.path.test(path));
  const fault = faults[index];
  if (!fault) return null;
  fault.remaining -= 1;
  if (fault.remaining === 0) faults.splice(index, 1);
  return fault;
}

async function answerWithFault(fault: Fault, response: ServerResponse, closing: AbortSignal): Promise<void> {
  if (fault.delayMs > 0) {
    try {
      await sleep(fault.delayMs, undefined, { signal: closing });
    } catch {
      response.destroy();
      return;
    }
  }
  if (fault.status === 0) {
    response.socket?.destroy();
    return;
  }
  send(response, { status: fault.status, body: fault.body, headers: fault.headers });
}

/** Validates a POST /__control/faults body; answers the fault or an error message. */
function parseFault(body: unknown): Fault | string {
  if (!isRecord(body)) return 'the body must be a JSON object';
  const { method, path, status, headers, times = 1, delay_ms: delayMs = 0 } = body;
  if (method !== undefined && typeof method !== 'string') return 'method must be a string';
  if (typeof path !== 'string') return 'path must be a regular expression source string';
  let pathRegex: RegExp;
  try {
    pathRegex = new RegExp(path);
  } catch {
    return `path is not a valid regular expression: ${path}`;
  }
  if (typeof status !== 'number' || !Number.isInteger(status) || (status !== 0 && (status < 200 || status > 599))) {
    return 'status must be 0 (drop the connection) or an HTTP status from 200 to 599';
  }
  if (headers !== undefined && !isStringRecord(headers)) return 'headers must map names to strings';
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) return 'times must be a positive integer';
  if (typeof delayMs !== 'number' || !(delayMs >= 0)) return 'delay_ms must be a non-negative number';
  return {
    method: method === undefined ? null : method.toUpperCase(),
    path: pathRegex,
    status,
    body: body.body,
    headers: headers ?? {},
    remaining: times,
    delayMs,
  };
}

// Validation helpers shared by the providers.

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === 'string');
}

export function isRecordArray(value: unknown): value is JsonObject[] {
  return Array.isArray(value) && value.every(isRecord);
}

/** Milliseconds since the epoch for an ISO-8601 date string, or null. */
export function parseDate(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

function safeDecode(segment: string | undefined): string | null {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
