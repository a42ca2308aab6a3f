import type { RecordingTrack } from '../db/schema';
import { log } from '../log';
import { PART_SIZE, PARTS_IN_FLIGHT } from './part-plan';
import { type S3Bucket, S3Error } from './s3';

// The streamed copy of one finished recording from a download link into the bucket: a
// multipart upload of fixed-size parts, each read with its own HTTP Range request and piped
// straight into its upload, so memory stays at a part's stream buffers whatever the size, and a
// failed part is retried alone (a consumed stream cannot be sent again; its range can be read again).

const PART_ATTEMPTS = 4;
const PART_BACKOFF_MS = 500;

/** Why a copy failed, and whether trying again later could help. */
export class CopyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'CopyError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Redirects of one read of the download link that are followed, at most. */
const MAX_DOWNLOAD_REDIRECTS = 3;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * One read of the download link (SPEC §14): a redirect is followed only on the link's own host
 * (and never from https down to http), a few hops at most; anything else is refused for good,
 * since a retry would only be sent the same way. Messages name a host, never a URL: the link is
 * signed.
 */
async function fetchDownload(link: string, range: string, fetchSource: typeof fetch): Promise<Response> {
  const origin = new URL(link);
  let url = origin;
  for (let hops = 0; ; hops++) {
    let response: Response;
    try {
      response = await fetchSource(url.toString(), { headers: { range }, redirect: 'manual' });
    } catch (error) {
      // A runtime's message may name the URLs it tried: the reason is logged and kept, a link is not.
      const why = (error instanceof Error ? error.message : String(error)).replace(/\bhttps?:\/\/\S+/g, '<link>');
      throw new CopyError(`the recording could not be downloaded (${why})`, true);
    }
    if (!REDIRECT_STATUSES.has(response.status)) return response;
    await response.body?.cancel();
    const location = response.headers.get('location');
    const next = location === null ? null : URL.parse(location, url);
    if (!next)
      throw new CopyError(`the recording's download answered ${response.status} without a usable Location`, false);
    if (next.host !== origin.host)
      throw new CopyError(
        `the recording's download link redirected to another host (${next.hostname}); it is read only from its own host`,
        false,
      );
    if (origin.protocol === 'https:' && next.protocol !== 'https:')
      throw new CopyError("the recording's download link redirected from https to another protocol", false);
    if (hops >= MAX_DOWNLOAD_REDIRECTS)
      throw new CopyError(`the recording's download link redirected more than ${MAX_DOWNLOAD_REDIRECTS} times`, false);
    url = next;
  }
}

/** The source's size, from the Content-Range of a one-byte range read. */
async function sourceSize(url: string, fetchSource: typeof fetch): Promise<number> {
  const response = await fetchDownload(url, 'bytes=0-0', fetchSource);
  await response.body?.cancel();
  const total = response.headers.get('content-range')?.match(/\/(\d+)$/)?.[1];
  if (response.status === 206 && total) return Number(total);
  if (response.status === 200 && response.headers.has('content-length'))
    return Number(response.headers.get('content-length'));
  throw new CopyError(
    `the recording's download answered ${response.status} without its size`,
    response.status >= 500 || response.status === 429,
  );
}

async function copyPart(
  url: string,
  bucket: S3Bucket,
  key: string,
  uploadId: string,
  part: { number: number; offset: number; length: number },
  fetchSource: typeof fetch,
): Promise<string> {
  const range = `bytes=${part.offset}-${part.offset + part.length - 1}`;
  const response = await fetchDownload(url, range, fetchSource);
  if (response.status !== 206 || Number(response.headers.get('content-length')) !== part.length || !response.body) {
    await response.body?.cancel();
    throw new CopyError(
      `the download answered ${response.status} to ${range}`,
      response.status >= 500 || response.status === 429 || response.status === 206,
    );
  }
  return bucket.uploadPart(key, uploadId, part.number, response.body, part.length);
}

const retryable = (error: unknown) => (error instanceof S3Error || error instanceof CopyError ? error.retryable : true);

async function withRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= PART_ATTEMPTS || !retryable(error)) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new CopyError(
          `${what} failed after ${tried} attempt${tried > 1 ? 's' : ''}: ${reason}`,
          retryable(error),
        );
      }
      await sleep(PART_BACKOFF_MS * 2 ** (tried - 1));
    }
  }
}

/**
 * Runs `work` over the items, at most `limit` at a time; the results in the items' order. After
 * a failure no new item starts, and the first failure is thrown once the running ones are done
 * (so an abort that follows never races a part still uploading).
 */
async function inParallel<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

/**
 * Copies the object at `url` to `key`; returns its size once the stored object has exactly the
 * source's size. On failure the upload is aborted, so no parts are left behind.
 */
export async function copyToBucket(
  url: string,
  bucket: S3Bucket,
  key: string,
  fetchSource: typeof fetch = fetch,
): Promise<number> {
  const size = await sourceSize(url, fetchSource);
  if (size === 0) throw new CopyError('the recording is empty', false);

  const uploadId = await bucket.createMultipartUpload(key, 'video/mp4');
  try {
    const parts = Array.from({ length: Math.ceil(size / PART_SIZE) }, (_, index) => ({
      number: index + 1,
      offset: index * PART_SIZE,
      length: Math.min(PART_SIZE, size - index * PART_SIZE),
    }));
    const etags = await inParallel(parts, PARTS_IN_FLIGHT, (part) =>
      withRetries(`part ${part.number}`, () => copyPart(url, bucket, key, uploadId, part, fetchSource)),
    );
    const uploaded = parts.map((part, index) => ({ partNumber: part.number, etag: etags[index] as string }));
    await withRetries('completing the upload', () => bucket.completeMultipartUpload(key, uploadId, uploaded));
  } catch (error) {
    await bucket.abortMultipartUpload(key, uploadId).catch((abortError: unknown) =>
      log('error', 'multipart upload not aborted; its parts may remain', {
        key,
        upload_id: uploadId,
        error: String(abortError),
      }),
    );
    throw error;
  }

  const stored = await bucket.head(key);
  if (stored?.size !== size) {
    await bucket.delete(key).catch(() => undefined);
    throw new CopyError(`the stored object has ${stored?.size ?? 'no'} bytes, the source ${size}`, true);
  }
  return size;
}

/**
 * Moves a raw-tracks recording's files, which Daily wrote into our bucket, under the
 * recording's key prefix: a copy inside S3, then the original deleted. A repeated message
 * finishes what an interrupted one began. Answers the tracks' total size.
 */
export async function moveTracks(bucket: S3Bucket, tracks: RecordingTrack[]): Promise<number> {
  let total = 0;
  for (const track of tracks) total += await moveTrack(bucket, track);
  return total;
}

/**
 * One track: its source is deleted only once the destination has the source's size (HEAD of
 * both), so a copy cut short, or one an earlier attempt left behind, never costs the only whole
 * file. A destination of another size is copied again; if it still differs, the source stays and
 * the attempt fails, to be tried again.
 */
async function moveTrack(bucket: S3Bucket, track: RecordingTrack): Promise<number> {
  const source = await bucket.head(track.source_key);
  let placed = await bucket.head(track.key);
  if (!source) {
    // An earlier attempt moved it and stopped before it was counted.
    if (placed) return placed.size;
    throw new CopyError(`the ${track.type} track is neither at ${track.source_key} nor at ${track.key}`, false);
  }
  if (placed?.size !== source.size) {
    await withRetries(`moving the ${track.type} track ${track.source_key}`, () =>
      bucket.copyObject(track.source_key, track.key),
    );
    placed = await bucket.head(track.key);
  }
  if (placed?.size !== source.size)
    throw new CopyError(
      `the ${track.type} track's copy at ${track.key} has ${placed?.size ?? 'no'} bytes, its source ${track.source_key} ${source.size}; the source is kept`,
      true,
    );
  await bucket.delete(track.source_key);
  return placed.size;
}
