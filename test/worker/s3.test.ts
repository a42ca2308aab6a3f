import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BucketSettings } from '../../worker/config';
import { S3Error, s3Bucket } from '../../worker/recordings/s3';
import { objectBytes, objectPath, s3Proxy, servers } from './helpers';

// The S3 client against a real S3 server (s3rver), through the fault proxy that the global
// setup puts in front of it.

const settings: BucketSettings = {
  endpoint: servers.s3.proxy,
  bucket: servers.s3.bucket,
  region: 'us-east-1',
  accessKeyId: servers.s3.accessKeyId,
  secretAccessKey: servers.s3.secretAccessKey,
};
const bucket = s3Bucket(settings);
const MiB = 1024 * 1024;

beforeEach(async () => {
  await s3Proxy.reset();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Byte `i` of the test's source, for any i: a cheap hash of the position (not a pattern of period 256). */
const sourceByte = (i: number) => (Math.imul(i ^ (i >>> 13), 0x9e3779b1) >>> 24) & 0xff;

function sourceChunk(start: number, length: number): Uint8Array {
  const chunk = new Uint8Array(length);
  for (let i = 0; i < length; i++) chunk[i] = sourceByte(start + i);
  return chunk;
}

/** Bytes [start, start + length) of the source as a stream of 64 KiB chunks, made as they are read. */
function sourceStream(start: number, length: number, options: { failAfter?: number } = {}): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (options.failAfter !== undefined && offset >= options.failAfter) {
        controller.error(new Error('the source broke off'));
        return;
      }
      const size = Math.min(64 * 1024, length - offset);
      if (size <= 0) return controller.close();
      controller.enqueue(sourceChunk(start + offset, size));
      offset += size;
    },
  });
}

/** The source's hash over [0, length), computed on its own, not from what was sent. */
function sourceSha256(length: number): string {
  const hash = createHash('sha256');
  for (let offset = 0; offset < length; offset += MiB) hash.update(sourceChunk(offset, Math.min(MiB, length - offset)));
  return hash.digest('hex');
}

async function failure(promise: Promise<unknown>): Promise<S3Error> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(S3Error);
  return error as S3Error;
}

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>1</RequestId></Error>`;

const key = (name: string) => `s3-test/${name}`;

describe('single objects', () => {
  it('puts, heads and deletes an object; a missing one heads as null and deletes without error', async () => {
    await bucket.put(key('hello.txt'), 'hello, bucket', { contentType: 'text/plain' });
    const head = await bucket.head(key('hello.txt'));
    expect(head).toEqual({ size: 13, etag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
    expect(new TextDecoder().decode(await objectBytes(key('hello.txt')))).toBe('hello, bucket');

    await bucket.delete(key('hello.txt'));
    expect(await bucket.head(key('hello.txt'))).toBeNull();
    await expect(objectBytes(key('hello.txt'))).rejects.toThrow(/HTTP 404/);
    await bucket.delete(key('hello.txt'));
    expect(await bucket.head(key('never-there.txt'))).toBeNull();
  });

  it('signs keys with spaces, unicode and the characters S3 encodes beyond encodeURIComponent', async () => {
    const odd = key("a folder/rec (1)!*'~ été+plus.mp4");
    await bucket.put(odd, new Uint8Array([1, 2, 3]));
    expect(await bucket.head(odd)).toMatchObject({ size: 3 });
    expect([...(await objectBytes(odd))]).toEqual([1, 2, 3]);
    const logged = (await s3Proxy.requests()).map((request) => request.path);
    expect(logged).toContain(objectPath(odd));
    expect(objectPath(odd)).toContain('/a%20folder/rec%20%281%29%21%2A%27~%20%C3%A9t%C3%A9%2Bplus.mp4');
  });

  it('streams a put of known length with that Content-Length, and refuses a stream without one', async () => {
    await bucket.put(key('streamed.bin'), sourceStream(0, 300_000), { contentLength: 300_000 });
    expect(sha256(await objectBytes(key('streamed.bin')))).toBe(sourceSha256(300_000));
    const put = (await s3Proxy.requests()).find((request) => request.method === 'PUT');
    expect(put?.contentLength).toBe('300000');
    await expect(bucket.put(key('unknown-length.bin'), sourceStream(0, 10))).rejects.toThrow(/contentLength/);
  });

  it('rejects keys a URL would rewrite', async () => {
    await expect(bucket.put('a/../b', 'x')).rejects.toThrow(/not a usable object key/);
    await expect(bucket.head('')).rejects.toThrow(/not a usable object key/);
  });
});

describe('multipart uploads', () => {
  it('uploads three streamed parts, each with its exact Content-Length; the object is the source, byte for byte', async () => {
    const sizes = [5 * MiB, 5 * MiB, MiB + 7];
    const total = sizes.reduce((sum, size) => sum + size, 0);
    const name = key('three-parts.mp4');
    const uploadId = await bucket.createMultipartUpload(name, 'video/mp4');
    const parts: { partNumber: number; etag: string }[] = [];
    let offset = 0;
    for (const [index, size] of sizes.entries()) {
      const etag = await bucket.uploadPart(name, uploadId, index + 1, sourceStream(offset, size), size);
      parts.push({ partNumber: index + 1, etag });
      offset += size;
    }
    // Given out of order: the client sorts them, as S3 requires.
    await bucket.completeMultipartUpload(name, uploadId, [...parts].reverse());

    expect(await bucket.head(name)).toMatchObject({ size: total });
    const object = await objectBytes(name);
    expect(object.byteLength).toBe(total);
    expect(sha256(object)).toBe(sourceSha256(total));

    const uploads = (await s3Proxy.requests()).filter(
      (request) => request.method === 'PUT' && request.query.partNumber,
    );
    expect(uploads.map((request) => [request.query.partNumber, request.contentLength])).toEqual([
      ['1', String(5 * MiB)],
      ['2', String(5 * MiB)],
      ['3', String(MiB + 7)],
    ]);
    expect(parts.every((part) => /^"[0-9a-f]{32}"$/.test(part.etag))).toBe(true);
  });

  it('takes a part as bytes too, and checks its length', async () => {
    const name = key('bytes-part.bin');
    const uploadId = await bucket.createMultipartUpload(name);
    const etag = await bucket.uploadPart(name, uploadId, 1, sourceChunk(0, 1000), 1000);
    await expect(bucket.uploadPart(name, uploadId, 2, sourceChunk(0, 1000), 999)).rejects.toThrow(
      /1000 bytes, not the 999/,
    );
    await bucket.completeMultipartUpload(name, uploadId, [{ partNumber: 1, etag }]);
    expect(sha256(await objectBytes(name))).toBe(sourceSha256(1000));
  });

  it('fails a part whose stream is shorter or longer than its length, or breaks off, as retryable', async () => {
    const name = key('bad-stream.bin');
    const uploadId = await bucket.createMultipartUpload(name);
    const short = await failure(bucket.uploadPart(name, uploadId, 1, sourceStream(0, 1000), 2000));
    const long = await failure(bucket.uploadPart(name, uploadId, 1, sourceStream(0, 3000), 2000));
    const broken = await failure(
      bucket.uploadPart(name, uploadId, 1, sourceStream(0, 5 * MiB, { failAfter: MiB }), 5 * MiB),
    );
    for (const error of [short, long, broken]) expect(error).toMatchObject({ status: 0, retryable: true });
    expect(broken.message).toMatch(/the body stream failed: the source broke off/);
    await bucket.abortMultipartUpload(name, uploadId);
  });

  it('reads an <Error> inside the 200 answer of CompleteMultipartUpload as a failure', async () => {
    const name = key('complete-error.bin');
    const uploadId = await bucket.createMultipartUpload(name);
    const etag = await bucket.uploadPart(name, uploadId, 1, sourceChunk(0, 100), 100);
    await s3Proxy.fault({
      method: 'POST',
      path: 'uploadId=',
      status: 200,
      body: xmlError('InternalError', 'We encountered an internal error. Please try again.'),
      headers: { 'content-type': 'application/xml' },
    });

    const error = await failure(bucket.completeMultipartUpload(name, uploadId, [{ partNumber: 1, etag }]));
    expect(error).toMatchObject({ code: 'InternalError', status: 200, retryable: true });
    expect(await bucket.head(name)).toBeNull();

    await bucket.completeMultipartUpload(name, uploadId, [{ partNumber: 1, etag }]);
    expect(await bucket.head(name)).toMatchObject({ size: 100 });
  });

  it('aborts an upload: the DELETE ?uploadId= goes out, and the upload is gone for later parts', async () => {
    const name = key('aborted.bin');
    const uploadId = await bucket.createMultipartUpload(name);
    const etag = await bucket.uploadPart(name, uploadId, 1, sourceChunk(0, 100), 100);
    await bucket.abortMultipartUpload(name, uploadId);
    // Aborting twice is harmless: the upload is gone either way.
    await bucket.abortMultipartUpload(name, uploadId);

    const aborts = (await s3Proxy.requests()).filter((request) => request.method === 'DELETE');
    expect(aborts).toHaveLength(2);
    expect(aborts[0]).toMatchObject({ path: objectPath(name), query: { uploadId } });
    const late = await failure(bucket.uploadPart(name, uploadId, 2, sourceChunk(0, 100), 100));
    expect(late).toMatchObject({ code: 'NoSuchUpload', status: 404, retryable: false });
    const completing = await failure(bucket.completeMultipartUpload(name, uploadId, [{ partNumber: 1, etag }]));
    expect(completing.code).toBe('NoSuchUpload');
    expect(await bucket.head(name)).toBeNull();
  });
});

describe('presigned downloads', () => {
  it('gives a URL that plain fetch can read, without credentials', async () => {
    await bucket.put(key('shared.bin'), sourceChunk(0, 5000));
    const url = await bucket.presignGet(key('shared.bin'), 900);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url).not.toContain(`${servers.s3.secretAccessKey}&`);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sourceSha256(5000));
  });

  it('expires: a URL signed for 1 s is refused 2 s later', async () => {
    await bucket.put(key('brief.bin'), 'soon gone');
    const url = await bucket.presignGet(key('brief.bin'), 1);
    const fresh = await fetch(url);
    expect(fresh.status).toBe(200);
    await fresh.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const stale = await fetch(url);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('signs for 1 to 900 seconds only', async () => {
    for (const seconds of [0, 901, 1.5, -1]) {
      await expect(bucket.presignGet(key('x'), seconds)).rejects.toThrow(RangeError);
    }
  });
});

describe('failures', () => {
  const wrongSecret = 'not-the-secret-0123456789';
  const impostor = s3Bucket({ ...settings, secretAccessKey: wrongSecret });

  /** No secret, no signature (64 hex digits), no presigned query in what an error says. */
  function expectNothingSecret(error: S3Error) {
    const said = `${error.message} ${String(error.cause ?? '')}`;
    expect(said).not.toContain(wrongSecret);
    expect(said).not.toContain(`${servers.s3.secretAccessKey} `);
    expect(said).not.toMatch(/[0-9a-f]{64}/);
    expect(said).not.toMatch(/X-Amz-Signature|Signature=/);
  }

  it('a wrong secret: SignatureDoesNotMatch, 403, not retryable, and the error tells no secret', async () => {
    const put = await failure(impostor.put(key('forged.txt'), 'x'));
    expect(put).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403, retryable: false });
    expectNothingSecret(put);

    // HEAD answers carry no body; the code comes from the header s3rver adds (or the status).
    const head = await failure(impostor.head(key('forged.txt')));
    expect(head).toMatchObject({ status: 403, retryable: false });
    expect(['SignatureDoesNotMatch', 'Forbidden']).toContain(head.code);

    // A streamed part refused at once: the client gives up its source instead of hanging on it.
    // The server answers 403 before the body is sent and closes the connection, so, depending on
    // which comes first, the client reads that answer (its error body perhaps lost on the way:
    // the code then comes from the status) or finds the connection gone while still sending.
    const uploadId = await bucket.createMultipartUpload(key('forged.bin'));
    const part = await failure(impostor.uploadPart(key('forged.bin'), uploadId, 1, sourceStream(0, 6 * MiB), 6 * MiB));
    if (part.status === 403) {
      expect(part.retryable).toBe(false);
      expect(['SignatureDoesNotMatch', 'Forbidden']).toContain(part.code);
    } else {
      expect(part).toMatchObject({ status: 0, code: 'NetworkError', retryable: true });
    }
    expectNothingSecret(part);
  });

  it('503 SlowDown and 500 InternalError are retryable, with S3’s code; the part goes through once the server recovers', async () => {
    const name = key('flaky.bin');
    const uploadId = await bucket.createMultipartUpload(name);
    await s3Proxy.fault({
      method: 'PUT',
      path: 'partNumber=',
      status: 503,
      body: xmlError('SlowDown', 'Please reduce your request rate.'),
      times: 2,
    });

    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await failure(bucket.uploadPart(name, uploadId, 1, sourceStream(0, MiB), MiB));
      expect(error).toMatchObject({ code: 'SlowDown', status: 503, retryable: true });
      expect(error.message).toContain('Please reduce your request rate.');
    }
    const etag = await bucket.uploadPart(name, uploadId, 1, sourceStream(0, MiB), MiB);
    await bucket.completeMultipartUpload(name, uploadId, [{ partNumber: 1, etag }]);
    expect(sha256(await objectBytes(name))).toBe(sourceSha256(MiB));

    await s3Proxy.fault({
      method: 'PUT',
      path: '/flaky2',
      status: 500,
      body: xmlError('InternalError', 'We encountered an internal error.'),
    });
    expect(await failure(bucket.put(key('flaky2.txt'), 'x'))).toMatchObject({
      code: 'InternalError',
      status: 500,
      retryable: true,
    });
    await s3Proxy.fault({ method: 'HEAD', path: '.', status: 503 });
    expect(await failure(bucket.head(name))).toMatchObject({
      code: 'ServiceUnavailable',
      status: 503,
      retryable: true,
    });
    await s3Proxy.fault({ method: 'DELETE', path: '.', status: 429 });
    expect(await failure(bucket.delete(name))).toMatchObject({ status: 429, retryable: true });
  });

  it('a dropped connection is a retryable failure without a status', async () => {
    await s3Proxy.fault({ method: 'PUT', path: '.', status: 0 });
    const error = await failure(bucket.put(key('dropped.txt'), 'x'));
    expect(error).toMatchObject({ code: 'NetworkError', status: 0, retryable: true });
  });

  it('a request that gets no answer in time is a retryable Timeout', async () => {
    const impatient = s3Bucket(settings, { timeoutMs: 200 });
    await s3Proxy.fault({ method: 'HEAD', path: '.', status: 200, delay_ms: 2_000 });
    expect(await failure(impatient.head(key('slow')))).toMatchObject({ code: 'Timeout', status: 0, retryable: true });
  });

  it('a refusal (4xx) is not retryable', async () => {
    await s3Proxy.fault({
      method: 'PUT',
      path: '.',
      status: 400,
      body: xmlError('InvalidArgument', 'Part number must be an integer between 1 and 10000.'),
    });
    expect(await failure(bucket.put(key('refused.txt'), 'x'))).toMatchObject({
      code: 'InvalidArgument',
      status: 400,
      retryable: false,
    });
  });
});
