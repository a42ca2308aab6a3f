// A receiver of room webhooks (SPEC §11) on 127.0.0.1, as a room owner's automation or the
// transcription pipeline would run one: it keeps every request it got (raw body, headers, time
// of arrival) and answers what it was told to for a path, so tests and the benchmark can see
// what the service sent and check its signature themselves (node:crypto), never through the
// code under test. Runs in plain Node 24 by type stripping.
//
// POST|PUT any path but /__control/...: kept, then answered 200 "ok" unless a behaviour says otherwise.
// PUT  /__control/behaviours {path, status?, body?, location?, hang?}: that path's next answers
//      (`hang`: no answer at all, the connection held open until the receiver closes).
// GET  /__control/received[?path=...]: what came, oldest first. POST /__control/reset forgets it all.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Unix ms of arrival. */
  receivedAt: number;
}

export interface Behaviour {
  path: string;
  status?: number;
  body?: string;
  /** Sent as Location (a redirect's target). */
  location?: string;
  hang?: boolean;
}

export interface RoomWebhookReceiver {
  origin: string;
  close(): Promise<void>;
}

const CONTROL = '/__control';

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(response: ServerResponse, status: number, body: string, type = 'text/plain') {
  response.writeHead(status, { 'content-type': type }).end(body);
}

export async function startRoomWebhookReceiver(port = 0): Promise<RoomWebhookReceiver> {
  let received: ReceivedWebhook[] = [];
  let behaviours = new Map<string, Behaviour>();
  const hanging = new Set<ServerResponse>();

  async function control(request: IncomingMessage, response: ServerResponse, url: URL) {
    const what = url.pathname.slice(CONTROL.length);
    if (request.method === 'GET' && what === '/received') {
      const path = url.searchParams.get('path');
      return reply(response, 200, JSON.stringify(received.filter((r) => !path || r.path === path)), 'application/json');
    }
    if (request.method === 'PUT' && what === '/behaviours') {
      const behaviour = JSON.parse(await bodyOf(request)) as Behaviour;
      behaviours.set(behaviour.path, behaviour);
      return reply(response, 204, '');
    }
    if (request.method === 'POST' && what === '/reset') {
      received = [];
      behaviours = new Map();
      for (const held of hanging) held.destroy();
      hanging.clear();
      return reply(response, 204, '');
    }
    return reply(response, 404, 'no such control');
  }

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://receiver');
    if (url.pathname.startsWith(CONTROL)) return control(request, response, url);
    const body = await bodyOf(request);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
    received.push({ path: url.pathname, headers, body, receivedAt: Date.now() });
    const behaviour = behaviours.get(url.pathname);
    if (behaviour?.hang) {
      hanging.add(response);
      return;
    }
    if (behaviour?.location) response.setHeader('location', behaviour.location);
    reply(response, behaviour?.status ?? 200, behaviour?.body ?? 'ok');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const held of hanging) held.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
