// The shared core of the local provider stand-ins: a small router over node:http, JSON
// bodies, the request log, fault injection and the generic /__control endpoints. The S3 fault
// proxy of the tests (test/s3-proxy.ts) uses the same log, faults and control endpoints.
// Runs in plain Node 24 by type stripping: erasable TypeScript only, explicit .ts imports.

import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
  /**
   * A string is sent as is (text/plain unless a content-type header says otherwise); a Readable
   * is streamed (the handler sets content-length); anything else goes as JSON.
   */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
}

interface RouteRequest<Param extends string = never> {
  method: string;
  /** Full path, without the query. */
  path: string;
  params: Readonly<Record<Param, string>>;
  query: URLSearchParams;
  /** Parsed JSON, or null for an empty body. */
  body: unknown;
  headers: IncomingHttpHeaders;
  origin: string;
}

type Handler = (request: RouteRequest) => Reply | Promise<Reply>;

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
  handle: (request: RouteRequest<ParamNames<Pattern>>) => Reply | Promise<Reply>,
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
      const params = Object.fromEntries(names.map((name, i) => [name, values[i]])) as Record<
        ParamNames<Pattern>,
        string
      >;
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

interface ProviderSpec {
  /** Shown on room pages: "Local <name> stand-in room: …". */
  name: string;
  apiKey: string;
  port?: number;
  /** Mounted under /v1. */
  restRoutes: readonly Route[];
  /**
   * Mounted under /__control, next to reset, requests, faults and frame messages; `frames` queues
   * what a room's page posts to the page that frames it.
   */
  controlRoutes(frames: FrameMessages): readonly Route[];
  /**
   * Mounted under /__files: what the provider's download links point at. No API key (a link is
   * its own authorisation); logged and subject to faults like the REST API.
   */
  fileRoutes?: readonly Route[];
  /** The provider's own body for errors the core detects. */
  errorReply(kind: ErrorKind, detail: string): Reply;
  /** Whether a browser path (percent-decoded, e.g. `/my-room`) names a live room. */
  hasRoom(path: string): boolean;
  /** Forget all provider state. */
  reset(): void;
}

interface LoggedRequest {
  /** When it arrived (ms since the epoch): what a load test times an outage by. */
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  /** The Range header, for downloads read in pieces. */
  range: string | null;
  /** The Content-Length header; null for a body sent chunked (or none). */
  contentLength: string | null;
  body: unknown;
}

interface Fault {
  method: string | null;
  /** Tested against the path and against path?query, so `'/rooms/x$'` and `'partNumber=2'` both work. */
  path: RegExp;
  /** The answer instead of the real one; null when the real answer comes, cut (cutAfterBytes) or late (delayMs alone). */
  status: number | null;
  body: unknown;
  headers: Record<string, string>;
  /** Infinity: an outage, which lasts until DELETE /faults ends it. */
  remaining: number;
  delayMs: number;
  /** Send the real answer's headers and this many body bytes, then drop the connection. */
  cutAfterBytes: number | null;
}

/** The request log and pending faults of one server, and the /__control endpoints over them. */
interface Recorder {
  log: LoggedRequest[];
  faults: Fault[];
  /** POST /reset (also runs `onReset`), GET /requests, POST and DELETE /faults. */
  controlRoutes: Route[];
  record(request: IncomingMessage, url: URL, body: unknown): void;
  /** The fault that applies to this request, counted as used; null when none does. */
  takeFault(method: string, url: URL): Fault | null;
}

interface ReceivedBody {
  /** Parsed JSON, null when empty, the raw text when it is not JSON. */
  value: unknown;
  valid: boolean;
}

/** What a stand-in room's page posts to the page that frames it, as the provider's call would. */
export interface FrameMessages {
  /** `room`: the room page's path (`/<name>`); the message in the provider's own format. */
  post(room: string, message: JsonObject): void;
}

/**
 * The room page's part (a script of a few lines): every 250 ms it takes the messages queued for
 * its room and posts each to the framing page. daily-js names its call in the frame's URL
 * (`emb`) and listens only to messages that carry that id, so a Daily message gets it added.
 */
const FRAME_SCRIPT = `<script>
const room = decodeURIComponent(location.pathname);
const emb = new URLSearchParams(location.search).get('emb');
setInterval(async () => {
  const answer = await fetch('/__control/frame-messages/take?room=' + encodeURIComponent(room), { method: 'POST' });
  for (const message of await answer.json()) parent.postMessage(emb ? { ...message, callClientId: emb } : message, '*');
}, 250);
</script>`;

const REST_PREFIX = '/v1';
export const CONTROL_PREFIX = '/__control';
const FILES_PREFIX = '/__files';

export function createRecorder(onReset: () => void): Recorder {
  const log: LoggedRequest[] = [];
  const faults: Fault[] = [];
  return {
    log,
    faults,
    controlRoutes: [
      route('POST', '/reset', () => {
        onReset();
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
      // The end of an outage: every pending fault is dropped, and the real answers come back.
      route('DELETE', '/faults', () => {
        faults.length = 0;
        return noContent;
      }),
    ],
    record(request, url, body) {
      log.push({
        at: Date.now(),
        method: request.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: request.headers.authorization ?? null,
        range: request.headers.range ?? null,
        contentLength: request.headers['content-length'] ?? null,
        body,
      });
    },
    takeFault: (method, url) => takeFault(faults, method, url),
  };
}

export async function startStandIn(spec: ProviderSpec): Promise<StandIn> {
  const queued = new Map<string, JsonObject[]>();
  const recorder = createRecorder(() => {
    queued.clear();
    spec.reset();
  });
  // Aborted on close so that requests held by delay_ms faults do not outlive the server.
  const closing = new AbortController();
  const frames: FrameMessages = {
    post: (room, message) => queued.set(room, [...(queued.get(room) ?? []), message]),
  };
  const controlRoutes: readonly Route[] = [
    ...recorder.controlRoutes,
    route('POST', '/frame-messages/take', ({ query }) => {
      const room = query.get('room') ?? '';
      const messages = queued.get(room) ?? [];
      queued.delete(room);
      return json(200, messages);
    }),
    ...spec.controlRoutes(frames),
  ];

  const server = createServer();
  const origin = await listen(server, spec.port ?? 0);

  /** The provider's API and its download links: logged, faulted, then answered by a route. */
  async function handleProvider(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    prefix: string,
  ): Promise<void> {
    const body = await readBody(request);
    const method = request.method ?? 'GET';
    recorder.record(request, url, body.value);
    const fault = recorder.takeFault(method, url);
    if (fault && (await answerWithFault(fault, response, closing.signal))) return;
    const cut = fault?.cutAfterBytes ?? null;
    const isRest = prefix === REST_PREFIX;
    if (isRest && request.headers.authorization !== `Bearer ${spec.apiKey}`) {
      return send(response, spec.errorReply('unauthorized', 'missing or invalid API key'), cut);
    }
    if (!body.valid) return send(response, spec.errorReply('bad-json', 'the request body is not valid JSON'), cut);
    const routes = isRest ? spec.restRoutes : (spec.fileRoutes ?? []);
    const handler = findHandler(routes, method, subpathOf(url.pathname, prefix));
    if (!handler) return send(response, spec.errorReply('not-found', `${method} ${url.pathname} not found`), cut);
    return send(response, await handler(routeRequest(method, url, body.value, request, origin)), cut);
  }

  function handlePage(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    request.resume();
    const path = safeDecode(url.pathname) ?? url.pathname;
    const found = request.method === 'GET' && spec.hasRoom(path);
    const title = found
      ? `Local ${spec.name} stand-in room: ${path}`
      : `Local ${spec.name} stand-in: no room at ${path}`;
    return send(response, htmlPage(found ? 200 : 404, title, found ? FRAME_SCRIPT : ''));
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', origin);
    let handled: Promise<void> | void;
    if (isUnder(url.pathname, CONTROL_PREFIX)) handled = handleControl(controlRoutes, request, response, url, origin);
    else if (isUnder(url.pathname, REST_PREFIX)) handled = handleProvider(request, response, url, REST_PREFIX);
    else if (isUnder(url.pathname, FILES_PREFIX)) handled = handleProvider(request, response, url, FILES_PREFIX);
    else handled = handlePage(request, response, url);
    Promise.resolve(handled).catch((error: unknown) => {
      console.error(`${spec.name} stand-in: ${request.method} ${url.pathname} failed`, error);
      if (!response.headersSent) void send(response, spec.errorReply('internal', String(error)));
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

/** Answers a /__control request from `routes`. */
export async function handleControl(
  routes: readonly Route[],
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  origin: string,
): Promise<void> {
  const body = await readBody(request);
  if (!body.valid) return send(response, controlError(400, 'the request body is not valid JSON'));
  const method = request.method ?? 'GET';
  const handler = findHandler(routes, method, subpathOf(url.pathname, CONTROL_PREFIX));
  if (!handler) return send(response, controlError(404, `no control endpoint ${method} ${url.pathname}`));
  return send(response, await handler(routeRequest(method, url, body.value, request, origin)));
}

export function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

export function shutDown(server: Server, closing: AbortController): Promise<void> {
  closing.abort();
  server.closeAllConnections();
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function subpathOf(path: string, prefix: string): string {
  return path.slice(prefix.length) || '/';
}

/** A HEAD is answered by the GET route (node sends no body for it). */
/** What a route's handler is given (its params are filled in by findHandler's match). */
function routeRequest(method: string, url: URL, body: unknown, request: IncomingMessage, origin: string) {
  return { method, path: url.pathname, params: {}, query: url.searchParams, body, headers: request.headers, origin };
}

function findHandler(routes: readonly Route[], method: string, subpath: string): Handler | null {
  for (const candidate of routes) {
    if (candidate.method !== method && !(method === 'HEAD' && candidate.method === 'GET')) continue;
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

/** Sends a reply; with `cutAfterBytes`, only that many body bytes before the connection drops. */
export async function send(response: ServerResponse, reply: Reply, cutAfterBytes: number | null = null): Promise<void> {
  for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
  const stream = reply.body instanceof Readable ? reply.body : null;
  if (reply.body === undefined || !statusAllowsBody(reply.status) || response.req.method === 'HEAD') {
    stream?.destroy();
    response.writeHead(reply.status);
    if (cutAfterBytes === null) response.end();
    else await dropConnection(response);
    return;
  }
  if (stream) {
    response.writeHead(reply.status);
    return sendBody(response, stream, cutAfterBytes);
  }
  const isText = typeof reply.body === 'string';
  const payload = Buffer.from(isText ? (reply.body as string) : JSON.stringify(reply.body));
  if (!response.hasHeader('content-type')) {
    response.setHeader('content-type', isText ? 'text/plain; charset=utf-8' : 'application/json');
  }
  response.setHeader('content-length', payload.byteLength);
  response.writeHead(reply.status);
  return sendBody(response, Readable.from([payload]), cutAfterBytes);
}

/**
 * Streams a body after the headers; with `cutAfterBytes`, stops after that many bytes and drops
 * the connection (what a source failing mid-download looks like to its client).
 */
export async function sendBody(response: ServerResponse, body: Readable, cutAfterBytes: number | null): Promise<void> {
  if (cutAfterBytes === null) {
    // A client that goes away mid-body (a cancelled download) is no failure of ours.
    return pipeline(body, response).catch((error: unknown) => {
      if (!response.destroyed) throw error;
    });
  }
  let left = cutAfterBytes;
  if (left > 0) {
    // Leaving the loop early destroys the body stream.
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (response.destroyed) break;
      const piece = chunk.subarray(0, left);
      left -= piece.byteLength;
      if (!response.write(piece)) await drained(response);
      if (left === 0) break;
    }
  } else {
    body.destroy();
  }
  await dropConnection(response);
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done).off('close', done);
      resolve();
    };
    response.once('drain', done).once('close', done);
  });
}

/** Flushes what was written (headers included), then destroys the socket: no clean end. */
async function dropConnection(response: ServerResponse): Promise<void> {
  response.flushHeaders();
  const socket = response.socket;
  if (!socket || socket.destroyed) return;
  await new Promise<void>((resolve) => socket.end(resolve));
  socket.destroy();
}

function statusAllowsBody(status: number): boolean {
  return status !== 204 && status !== 304;
}

function htmlPage(status: number, title: string, script = ''): Reply {
  const text = escapeHtml(title);
  return {
    status,
    body: `<!doctype html>\n<html><head><meta charset="utf-8"><title>${text}</title></head><body><h1>${text}</h1>${script}</body></html>\n`,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  };
}

function takeFault(faults: Fault[], method: string, url: URL): Fault | null {
  const matches = (fault: Fault) => fault.path.test(url.pathname) || fault.path.test(url.pathname + url.search);
  const index = faults.findIndex((fault) => (fault.method === null || fault.method === method) && matches(fault));
  const fault = faults[index];
  if (!fault) return null;
  fault.remaining -= 1;
  if (fault.remaining === 0) faults.splice(index, 1);
  return fault;
}

/**
 * Waits out the fault's delay, then answers with its status (0: drops the connection). Answers
 * false when the request is still to be answered as usual: a cutAfterBytes fault.
 */
export async function answerWithFault(fault: Fault, response: ServerResponse, closing: AbortSignal): Promise<boolean> {
  if (fault.delayMs > 0) {
    try {
      await sleep(fault.delayMs, undefined, { signal: closing });
    } catch {
      response.destroy();
      return true;
    }
  }
  if (fault.status === null) return false;
  if (fault.status === 0) {
    response.socket?.destroy();
    return true;
  }
  await send(response, { status: fault.status, body: fault.body, headers: fault.headers });
  return true;
}

/** Validates a POST /__control/faults body; answers the fault or an error message. */
function parseFault(body: unknown): Fault | string {
  if (!isRecord(body)) return 'the body must be a JSON object';
  const { method, path, status, headers, times = 1, delay_ms: delayMs = 0, cut_after_bytes: cutAfterBytes } = body;
  if (method !== undefined && typeof method !== 'string') return 'method must be a string';
  if (typeof path !== 'string') return 'path must be a regular expression source string';
  let pathRegex: RegExp;
  try {
    pathRegex = new RegExp(path);
  } catch {
    return `path is not a valid regular expression: ${path}`;
  }
  if (
    cutAfterBytes !== undefined &&
    (typeof cutAfterBytes !== 'number' || !Number.isInteger(cutAfterBytes) || cutAfterBytes < 0)
  ) {
    return 'cut_after_bytes must be a non-negative integer';
  }
  // A cut fault keeps the real answer (any status given with it is not used); so does a delay
  // without a status: the real answer, late (a slow provider).
  const cuts = cutAfterBytes !== undefined;
  const late = !cuts && status === undefined && typeof delayMs === 'number' && delayMs > 0;
  if (
    !cuts &&
    !late &&
    (typeof status !== 'number' || !Number.isInteger(status) || (status !== 0 && (status < 200 || status > 599)))
  ) {
    return 'status must be 0 (drop the connection) or an HTTP status from 200 to 599, unless cut_after_bytes or delay_ms alone is given';
  }
  if (headers !== undefined && !isStringRecord(headers)) return 'headers must map names to strings';
  const lasting = times === 'until-cleared';
  if (!lasting && (typeof times !== 'number' || !Number.isInteger(times) || times < 1))
    return 'times must be a positive integer, or "until-cleared" for an outage that DELETE /__control/faults ends';
  if (typeof delayMs !== 'number' || !(delayMs >= 0)) return 'delay_ms must be a non-negative number';
  return {
    method: method === undefined ? null : method.toUpperCase(),
    path: pathRegex,
    status: cuts || late ? null : (status as number),
    body: body.body,
    headers: headers ?? {},
    remaining: lasting ? Number.POSITIVE_INFINITY : (times as number),
    delayMs,
    cutAfterBytes: cuts ? cutAfterBytes : null,
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
