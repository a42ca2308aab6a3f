// A fault proxy in front of the S3 server (dev/stand-ins/s3-server.ts), for the worker tests:
// every request is logged and forwarded as it is (Host and signature untouched, bodies streamed
// both ways, nothing buffered), unless a fault set through /__control/faults answers it instead
// or cuts its answer short, as the provider stand-ins do (dev/stand-ins/control.ts). A fault's
// `path` regex is tested against the path and against path?query, so
// `{method: 'PUT', path: 'partNumber=', status: 503, times: 2}` fails the next two part uploads.
//
// s3rver lacks AbortMultipartUpload (DELETE ?uploadId= answers 405), so the proxy answers it
// itself: logged, 204, and the upload remembered as aborted so that its later parts and its
// completion answer NoSuchUpload, as S3 would. (s3rver keeps the parts' files; nothing lists them.)

import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  answerWithFault,
  CONTROL_PREFIX,
  createRecorder,
  handleControl,
  isUnder,
  listen,
  send,
  sendBody,
  shutDown,
} from '../dev/stand-ins/control.ts';

interface S3Proxy {
  /** `http://127.0.0.1:PORT`: give it to clients as the S3 endpoint. */
  origin: string;
  close(): Promise<void>;
}

export async function startS3Proxy(target: string, options: { port?: number } = {}): Promise<S3Proxy> {
  const upstream = new URL(target);
  const aborted = new Set<string>();
  const recorder = createRecorder(() => aborted.clear());
  // Aborted on close so that requests held by delay_ms faults do not outlive the server.
  const closing = new AbortController();
  const server = createServer();
  const origin = await listen(server, options.port ?? 0);

  async function handleS3(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    recorder.record(request, url, null);
    const fault = recorder.takeFault(method, url);
    if (fault && fault.status !== null) {
      // The fault answers, so the body is not needed; it is read to its end first, as a server
      // would, so the client is not cut off mid-upload (it would see a dropped connection).
      request.resume();
      if (!request.readableEnded) await once(request, 'end');
    }
    if (fault && (await answerWithFault(fault, response, closing.signal))) return;

    const uploadId = url.searchParams.get('uploadId');
    if (uploadId !== null && method === 'DELETE') {
      request.resume();
      aborted.add(uploadId);
      return send(response, { status: 204 });
    }
    if (uploadId !== null && aborted.has(uploadId)) {
      request.resume();
      closeIfEarly(request, response);
      return send(response, noSuchUpload(uploadId));
    }
    await forward(request, response, fault?.cutAfterBytes ?? null);
  }

  async function forward(
    request: IncomingMessage,
    response: ServerResponse,
    cutAfterBytes: number | null,
  ): Promise<void> {
    const outgoing = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      // The Host header goes as received: it is part of what the client signed.
      headers: request.headers,
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) =>
      outgoing.once('response', resolve).once('error', reject),
    );
    // Not awaited: an upstream may answer before it has read the body (a bad signature, say), and
    // a client that then stops sending would hold it forever. A failure shows in the answer.
    void pipeline(request, outgoing).catch(() => undefined);
    let answer: IncomingMessage;
    try {
      answer = await answered;
    } catch (error) {
      request.resume();
      if (response.headersSent) response.destroy();
      else await send(response, { status: 502, body: `the S3 server did not answer: ${String(error)}` });
      return;
    }
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined) response.setHeader(name, value);
    closeIfEarly(request, response);
    response.writeHead(answer.statusCode ?? 502);
    await sendBody(response, answer, cutAfterBytes);
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', origin);
    // Bucket names cannot contain "_", so /__control never shadows a bucket.
    const handled = isUnder(url.pathname, CONTROL_PREFIX)
      ? handleControl(recorder.controlRoutes, request, response, url, origin)
      : handleS3(request, response, url);
    handled.catch((error: unknown) => {
      console.error(`S3 proxy: ${request.method} ${url.pathname} failed`, error);
      if (!response.headersSent) void send(response, { status: 500, body: String(error) });
      else response.destroy();
    });
  });

  let closed: Promise<void> | undefined;
  return {
    origin,
    close() {
      closed ??= shutDown(server, closing);
      return closed;
    },
  };
}

/**
 * An answer given before the request's body has all come in (S3 refusing a bad signature at
 * once, say) closes the connection. Otherwise a client that then stops sending the body (as our
 * S3 client does on an early answer) may have workerd reuse that connection while this server
 * still waits for the rest of the body, and its next request fails as a lost connection.
 */
function closeIfEarly(request: IncomingMessage, response: ServerResponse): void {
  if (!request.complete) response.setHeader('connection', 'close');
}

function noSuchUpload(uploadId: string) {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>' +
    '<Message>The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.</Message>' +
    `<UploadId>${uploadId.replace(/[<&>]/g, '')}</UploadId></Error>`;
  return { status: 404, body: xml, headers: { 'content-type': 'application/xml' } };
}
