import { AwsClient } from 'aws4fetch';
import type { BucketSettings } from '../config';

// The recordings bucket over plain S3 REST, signed with aws4fetch: path-style URLs
// (`<endpoint>/<bucket>/<key>`) so any S3-compatible endpoint works, and every failure turned
// into an S3Error that says whether trying again can help. Retrying is the caller's business
// (a part is retried by re-reading its byte range), so nothing here retries on its own.

/** An S3 request failed. `code` is S3's own (`NoSuchKey`, `SlowDown`, ...); `status` 0 means no answer. */
export class S3Error extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'S3Error';
    this.code = code;
    this.status = status;
    this.retryable = RETRYABLE_STATUSES.has(status) || status >= 500 || RETRYABLE_CODES.has(code);
  }
}

export interface S3Bucket {
  put(key: string, body: BodyInit, options?: { contentLength?: number; contentType?: string }): Promise<void>;
  /** null when there is no such object. */
  head(key: string): Promise<{ size: number; etag: string } | null>;
  /** An object already gone counts as deleted. */
  delete(key: string): Promise<void>;
  /** Answers the UploadId. */
  createMultipartUpload(key: string, contentType?: string): Promise<string>;
  /** Answers the part's ETag. A stream goes out as it is read, with exactly `contentLength` bytes. */
  uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: ReadableStream<Uint8Array> | ArrayBuffer | Uint8Array,
    contentLength: number,
  ): Promise<string>;
  completeMultipartUpload(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void>;
  /** An upload already gone (aborted or completed) counts as aborted. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
  /** A GET URL signed in its query, valid for `expiresSeconds` (1 to 900). */
  presignGet(key: string, expiresSeconds: number): Promise<string>;
  /** Copies an object of this bucket to another key, inside the S3 service (no bytes pass here). */
  copyObject(sourceKey: string, key: string): Promise<void>;
}

interface S3BucketOptions {
  fetch?: typeof fetch;
  /** Per request, body included; a stalled endpoint would otherwise hold a Queue consumer for minutes. */
  timeoutMs?: number;
}

// 408 and 429 are S3 asking to slow down or resend; 5xx (see above) its own trouble.
const RETRYABLE_STATUSES = new Set([0, 408, 429]);
// S3 may name these inside an answer whose status says nothing (a 200 or a 400).
const RETRYABLE_CODES = new Set([
  'InternalError',
  'ServiceUnavailable',
  'SlowDown',
  'RequestTimeout',
  'NetworkError',
  'Timeout',
]);
const MAX_PRESIGN_SECONDS = 900;
const DEFAULT_TIMEOUT_MS = 120_000;

type Method = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';

interface S3Request {
  method: Method;
  key: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  /** Words for messages: "upload part 3". */
  action: string;
  /** Statuses that are an answer rather than a failure, e.g. 404 on delete. */
  accept?: number[];
}

export function s3Bucket(settings: BucketSettings, options: S3BucketOptions = {}): S3Bucket {
  const client = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    service: 's3',
    region: settings.region,
  });
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = `${settings.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(settings.bucket)}`;

  function objectUrl(key: string, query: Record<string, string> = {}): URL {
    const url = new URL(`${base}/${encodeKey(key)}`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  }

  /** Signs and sends one request; answers the response when its status is OK or accepted. */
  async function send(request: S3Request): Promise<Response> {
    // Only method, URL and headers are signed (aws4fetch sends UNSIGNED-PAYLOAD for s3), so the
    // body goes to fetch untouched: a stream is never read twice or buffered.
    const signed = await client.sign(objectUrl(request.key, request.query).toString(), {
      method: request.method,
      headers: request.headers ?? {},
    });
    let response: Response;
    try {
      response = await doFetch(signed.url, {
        method: request.method,
        headers: signed.headers,
        body: request.body ?? null,
        // A signature is for one host and a stream can be sent once: a redirect is an answer.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw noAnswer(request, error);
    }
    if (response.ok || request.accept?.includes(response.status)) return response;
    throw await errorFrom(request, response);
  }

  /** Sends a request whose answer body does not matter, and lets go of that body. */
  async function sendAndDiscard(request: S3Request): Promise<Response> {
    const response = await send(request);
    await response.body?.cancel();
    return response;
  }

  return {
    async put(key, body, { contentLength, contentType } = {}) {
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      await sendWithBody(
        { method: 'PUT', key, headers, action: 'store the object' },
        body,
        contentLength,
        sendAndDiscard,
      );
    },

    async head(key) {
      const request: S3Request = { method: 'HEAD', key, action: 'look up the object', accept: [404] };
      const response = await sendAndDiscard(request);
      if (response.status === 404) return null;
      const size = Number(response.headers.get('content-length') ?? NaN);
      if (!Number.isSafeInteger(size)) throw malformed(request, 'it has no Content-Length');
      return { size, etag: response.headers.get('etag') ?? '' };
    },

    async delete(key) {
      await sendAndDiscard({ method: 'DELETE', key, action: 'delete the object', accept: [404] });
    },

    async createMultipartUpload(key, contentType) {
      const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
      const request: S3Request = {
        method: 'POST',
        key,
        query: { uploads: '' },
        headers,
        action: 'start a multipart upload',
      };
      const text = await (await send(request)).text();
      const uploadId = xmlElement(text, 'UploadId');
      if (!uploadId) throw malformed(request, 'it has no UploadId');
      return uploadId;
    },

    async uploadPart(key, uploadId, partNumber, body, contentLength) {
      const query = { partNumber: String(partNumber), uploadId };
      const request: S3Request = { method: 'PUT', key, query, action: `upload part ${partNumber}` };
      const response = await sendWithBody(request, body, contentLength, sendAndDiscard);
      const etag = response.headers.get('etag');
      if (!etag) throw malformed(request, 'it has no ETag');
      return etag;
    },

    async completeMultipartUpload(key, uploadId, parts) {
      const request: S3Request = {
        method: 'POST',
        key,
        query: { uploadId },
        headers: { 'content-type': 'application/xml' },
        body: completionXml(parts),
        action: 'complete the multipart upload',
      };
      const response = await send(request);
      // S3 answers 200 at once and only then assembles the object: a failure comes as an
      // <Error> inside that 200 body.
      const text = await response.text();
      if (/<Error>/.test(text)) throw errorFromXml(request, response.status, text);
      if (!/<CompleteMultipartUploadResult[\s>]/.test(text))
        throw malformed(request, 'it is not a CompleteMultipartUploadResult');
    },

    async abortMultipartUpload(key, uploadId) {
      await sendAndDiscard({
        method: 'DELETE',
        key,
        query: { uploadId },
        action: 'abort the multipart upload',
        accept: [404],
      });
    },

    async copyObject(sourceKey, key) {
      const source = `/${encodeURIComponent(settings.bucket)}/${encodeKey(sourceKey)}`;
      const request: S3Request = {
        method: 'PUT',
        key,
        headers: { 'x-amz-copy-source': source },
        action: 'copy the object',
      };
      // Like a completion, a copy can fail after its 200: the <Error> is then in the body.
      const text = await (await send(request)).text();
      if (/<Error>/.test(text)) throw errorFromXml(request, 200, text);
    },

    async presignGet(key, expiresSeconds) {
      if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGN_SECONDS) {
        throw new RangeError(`a download link is valid for 1 to ${MAX_PRESIGN_SECONDS} seconds, not ${expiresSeconds}`);
      }
      const url = objectUrl(key, { 'X-Amz-Expires': String(expiresSeconds) });
      const signed = await client.sign(url.toString(), { method: 'GET', aws: { signQuery: true } });
      return signed.url;
    },
  };
}

/**
 * Sends a body of a known length. A stream is piped through a FixedLengthStream, which gives the
 * request its Content-Length (S3 refuses chunked uploads) and fails the request if the stream
 * turns out shorter or longer; the bytes pass through without being collected.
 */
async function sendWithBody(
  request: S3Request,
  body: BodyInit,
  contentLength: number | undefined,
  sendRequest: (request: S3Request) => Promise<Response>,
): Promise<Response> {
  if (!(body instanceof ReadableStream)) {
    const size = byteLengthOf(body);
    if (contentLength !== undefined && size !== undefined && size !== contentLength) {
      throw new RangeError(`the body has ${size} bytes, not the ${contentLength} given`);
    }
    return sendRequest({ ...request, body });
  }
  if (contentLength === undefined || !Number.isSafeInteger(contentLength) || contentLength < 0) {
    throw new TypeError('a streamed body needs its exact length (contentLength)');
  }
  const fixed = new FixedLengthStream(contentLength);
  const stopPiping = new AbortController();
  let pipeFailure: unknown;
  const piped = body.pipeTo(fixed.writable, { signal: stopPiping.signal }).catch((error: unknown) => {
    pipeFailure = error;
  });
  // An early answer (an error before the whole body went out) leaves the source half read:
  // stopping the pipe cancels the source rather than leaving it open. Answers the source's
  // own failure, if it had one.
  const stop = async (): Promise<unknown> => {
    stopPiping.abort();
    await piped;
    return pipeFailure === stopPiping.signal.reason ? undefined : pipeFailure;
  };
  try {
    return await sendRequest({ ...request, body: fixed.readable });
  } catch (error) {
    // The source failing mid-stream shows up as a request without an answer: say so.
    const sourceFailure = await stop();
    if (error instanceof S3Error && error.status === 0 && sourceFailure !== undefined) {
      throw new S3Error(error.code, 0, `${error.message}; the body stream failed: ${messageOf(sourceFailure)}`, {
        cause: sourceFailure,
      });
    }
    throw error;
  } finally {
    await stop();
  }
}

function byteLengthOf(body: BodyInit): number | undefined {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength;
  if (body instanceof Blob) return body.size;
  return undefined;
}

/** Each segment percent-encoded as S3 canonicalises it (RFC 3986: also !'()*), `/` kept. */
function encodeKey(key: string): string {
  const segments = key.split('/');
  // A URL parser would resolve `.` and `..` (even encoded), silently naming another object.
  if (key === '' || segments.some((segment) => segment === '.' || segment === '..')) {
    throw new TypeError(`not a usable object key: "${key}"`);
  }
  return segments
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

function completionXml(parts: { partNumber: number; etag: string }[]): string {
  const items = [...parts]
    .sort((a, b) => a.partNumber - b.partNumber)
    .map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escapeXml(part.etag)}</ETag></Part>`);
  return `<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload>${items.join('')}</CompleteMultipartUpload>`;
}

// Errors. Messages name the action, the key and S3's code and message: never the URL (a
// presigned one carries a signature), the Authorization header or the secret.

function describe(request: S3Request): string {
  return `S3 could not ${request.action} (${request.method} ${request.key})`;
}

function noAnswer(request: S3Request, error: unknown): S3Error {
  const timedOut = error instanceof Error && error.name === 'TimeoutError';
  const why = timedOut ? 'no answer in time' : `no answer: ${messageOf(error)}`;
  return new S3Error(timedOut ? 'Timeout' : 'NetworkError', 0, `${describe(request)}: ${why}`, { cause: error });
}

async function errorFrom(request: S3Request, response: Response): Promise<S3Error> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status alone still says what happened.
  }
  if (/<Error>/.test(text)) return errorFromXml(request, response.status, text);
  // HEAD answers have no body; some S3-compatible servers put the code in a header.
  const code = response.headers.get('x-amz-error-code') ?? STATUS_CODES[response.status] ?? `Http${response.status}`;
  return new S3Error(code, response.status, `${describe(request)}: ${code} (HTTP ${response.status})`);
}

function errorFromXml(request: S3Request, status: number, xml: string): S3Error {
  const code = xmlElement(xml, 'Code') ?? `Http${status}`;
  const message = xmlElement(xml, 'Message');
  const detail = message ? `${code}: ${truncate(message, 300)}` : code;
  return new S3Error(code, status, `${describe(request)}: ${detail} (HTTP ${status})`);
}

function malformed(request: S3Request, why: string): S3Error {
  return new S3Error('MalformedResponse', 200, `${describe(request)}: the answer is not understood: ${why}`);
}

const STATUS_CODES: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'RequestTimeout',
  409: 'Conflict',
  412: 'PreconditionFailed',
  429: 'SlowDown',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

// S3's XML is flat and machine-written: a regex per element is enough, no parser needed.
function xmlElement(xml: string, name: string): string | undefined {
  const found = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return found?.[1] === undefined ? undefined : unescapeXml(found[1]);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => XML_ENTITIES[entity] ?? '');
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };

function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => `&${c === '&' ? 'amp' : c === '<' ? 'lt' : 'gt'};`);
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
