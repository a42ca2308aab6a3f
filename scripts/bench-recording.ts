// The recording copy, measured (issue 4): a generated Daily recording of each size is copied
// by the local Worker's queue consumer from the Daily stand-in into the local S3 server, and the
// same bytes are copied directly between the same two endpoints by curl, streaming (download
// piped into a signed upload), once in one PUT and once in the Worker's own parts. Reported: the
// throughputs, the Worker's ratios to both, and the Worker process's peak memory above its idle
// level while it copies.

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { AwsClient } from 'aws4fetch';
import { dailyEvent, dailySignature } from '../dev/provider-webhooks.ts';
import { PART_SIZE, PARTS_IN_FLIGHT } from '../worker/recordings/part-plan.ts';
import type { LocalService } from './local/service.ts';

export interface CopyFigures {
  size: number;
  workerSeconds: number;
  curlSeconds: number;
  /** curl copying the same bytes in the Worker's parts (copyWithCurlInParts). */
  curlInPartsSeconds: number;
  idleRssBytes: number;
  peakRssBytes: number;
}

const MiB = 1024 * 1024;

/** Every process below `pid` (workerd runs under wrangler's node). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const visit = (id: number) => {
    for (const child of parents.get(id) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** Resident memory of the workerd processes that run the Worker. */
function workerdRss(service: LocalService): number {
  let total = 0;
  for (const id of descendants(service.pid)) {
    try {
      if (!readFileSync(`/proc/${id}/cmdline`, 'utf8').includes('workerd')) continue;
      const rss = readFileSync(`/proc/${id}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)?.[1];
      total += Number(rss ?? 0) * 1024;
    } catch {
      // Gone.
    }
  }
  return total;
}

async function api(
  service: LocalService,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function control(origin: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${origin}/__control${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`stand-in ${path}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

/** The Worker's copy: a ready event for a Daily meeting, then the queue consumer's work, until stored. */
async function copyThroughWorker(service: LocalService, size: number, sample: () => void): Promise<number> {
  const name = `bench-copy-${size / MiB}mib-${randomUUID().slice(0, 6)}`;
  const flags = (await api(service, 'GET', '/v1/flags')) as { DAILY_MIGRATION_ROOM_IDS: string[] };
  await api(service, 'PUT', '/v1/flags', {
    DAILY_MIGRATION_ENABLED: true,
    DAILY_MIGRATION_ROOM_IDS: [...flags.DAILY_MIGRATION_ROOM_IDS, name],
    DAILY_MIGRATION_PERCENT: 0,
  });
  await api(service, 'POST', '/v1/rooms', { name, platform: 'daily' });
  const meeting = (await api(service, 'POST', `/v1/rooms/${name}/meeting`)) as {
    id: string;
    room_name: string;
    platform: string;
  };
  if (meeting.platform !== 'daily') throw new Error('the copy benchmark needs a Daily meeting');
  const recordingId = `rec-${name}`;
  await control(service.standIns.daily.origin, 'PUT', `/daily/files/${recordingId}`, { size });

  const body = JSON.stringify(
    dailyEvent('recording.ready-to-download', {
      type: 'cloud',
      recording_id: recordingId,
      room_name: meeting.room_name,
      start_ts: Math.floor(Date.now() / 1000) - 600,
      status: 'finished',
      max_participants: 2,
      duration: 600,
    }),
  );
  const secret = service.settings.values.DAILY_WEBHOOK_SECRET ?? '';
  const signature = await dailySignature(body, secret);

  const started = performance.now();
  await api(service, 'POST', '/v1/daily/webhook', body, signature);
  const deadline = Date.now() + 30 * 60_000;
  while (Date.now() < deadline) {
    sample();
    const { items } = (await api(service, 'GET', `/v1/meetings/${meeting.id}/recordings`)) as {
      items: { status: string; size: number; error: string | null }[];
    };
    const [recording] = items;
    if (recording?.status === 'stored') {
      if (recording.size !== size) throw new Error(`stored ${recording.size} bytes of ${size}`);
      return (performance.now() - started) / 1000;
    }
    if (recording?.status === 'failed') throw new Error(`the copy failed: ${recording.error}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the copy did not finish within 30 minutes');
}

/**
 * One curl download piped into one curl upload, by the shell, so that no byte passes through this
 * process (which also runs the stand-in and the S3 server). The upload is a presigned PUT, so curl
 * sends the body as it reads it, with an explicit length and no chunked encoding (S3 wants a
 * Content-Length) and without waiting on `Expect: 100-continue`. Answers the upload's ETag.
 */
function curlPipe(source: string, range: string | null, length: number, presignedPut: string): Promise<string> {
  const script =
    `curl -sS --fail ${range ? '-r "$RANGE" ' : ''}"$SOURCE" | ` +
    'curl -sS --fail -o /dev/null -w "%header{etag}" -H "Content-Length: $LENGTH" -H "Transfer-Encoding:" -H "Expect:" -T - "$TARGET"';
  return new Promise((resolve, reject) => {
    const pipeline = spawn('bash', ['-o', 'pipefail', '-c', script], {
      env: { ...process.env, SOURCE: source, RANGE: range ?? '', LENGTH: String(length), TARGET: presignedPut },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let etag = '';
    pipeline.stdout.on('data', (chunk: Buffer) => (etag += chunk.toString()));
    pipeline.on('exit', (code) => (code === 0 ? resolve(etag.trim()) : reject(new Error(`curl exited with ${code}`))));
  });
}

/** A generated recording of `size` at the Daily stand-in, the bucket's URL for `name`, and a signer for it. */
async function curlCopyEnds(service: LocalService, name: string, size: number) {
  await control(service.standIns.daily.origin, 'PUT', `/daily/files/${name}`, { size });
  const { endpoint, bucket, accessKeyId, secretAccessKey } = service.bucket;
  const signer = new AwsClient({ accessKeyId, secretAccessKey, service: 's3', region: 'us-east-1' });
  return {
    source: `${service.standIns.daily.origin}/__files/recordings/${name}`,
    target: `${endpoint}/${bucket}/${name}.mp4`,
    signer,
    presignPut: async (url: string) =>
      (
        await signer.sign(`${url}${url.includes('?') ? '&' : '?'}X-Amz-Expires=3600`, {
          method: 'PUT',
          aws: { signQuery: true },
        })
      ).url,
  };
}

async function expectStored(target: string, size: number) {
  const stored = await fetch(target, { method: 'HEAD' });
  if (Number(stored.headers.get('content-length')) !== size)
    throw new Error(`curl stored ${stored.headers.get('content-length')} bytes of ${size}`);
}

/** The same bytes, source to bucket, by curl in one streamed PUT: the issue's yardstick. */
async function copyWithCurl(service: LocalService, size: number): Promise<number> {
  const { source, target, presignPut } = await curlCopyEnds(service, `curl-${size}`, size);
  const url = await presignPut(target);
  const started = performance.now();
  await curlPipe(source, null, size, url);
  const seconds = (performance.now() - started) / 1000;
  await expectStored(target, size);
  return seconds;
}

/**
 * The same bytes by curl in the Worker's own way: a multipart upload of PART_SIZE parts,
 * PARTS_IN_FLIGHT at once, each a range read piped into its part upload. Against this the
 * Worker's figure is its own cost; against one PUT it also pays for the multipart upload, whose
 * completion the local S3 server (s3rver) answers by reading every part back and writing the
 * whole object again, which S3 does not.
 */
async function copyWithCurlInParts(service: LocalService, size: number): Promise<number> {
  const { source, target, signer, presignPut } = await curlCopyEnds(service, `curl-parts-${size}`, size);
  const started = performance.now();
  const created = await signer.fetch(`${target}?uploads`, { method: 'POST' });
  const uploadId = (await created.text()).match(/<UploadId>([^<]+)<\/UploadId>/)?.[1];
  if (!uploadId) throw new Error(`the bucket started no multipart upload (${created.status})`);
  const parts = Array.from({ length: Math.ceil(size / PART_SIZE) }, (_, index) => ({
    number: index + 1,
    start: index * PART_SIZE,
    length: Math.min(PART_SIZE, size - index * PART_SIZE),
  }));
  const etags: string[] = [];
  let next = 0;
  const lane = async () => {
    for (let part = parts[next++]; part; part = parts[next++]) {
      const url = await presignPut(`${target}?partNumber=${part.number}&uploadId=${encodeURIComponent(uploadId)}`);
      etags[part.number - 1] = await curlPipe(
        source,
        `${part.start}-${part.start + part.length - 1}`,
        part.length,
        url,
      );
    }
  };
  await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, lane));
  const body = `<CompleteMultipartUpload>${parts
    .map((part) => `<Part><PartNumber>${part.number}</PartNumber><ETag>${etags[part.number - 1]}</ETag></Part>`)
    .join('')}</CompleteMultipartUpload>`;
  const completed = await signer.fetch(`${target}?uploadId=${encodeURIComponent(uploadId)}`, { method: 'POST', body });
  if (!completed.ok) throw new Error(`the multipart upload did not complete (${completed.status})`);
  await completed.body?.cancel();
  const seconds = (performance.now() - started) / 1000;
  await expectStored(target, size);
  return seconds;
}

export async function benchRecordingCopies(service: LocalService, sizes: number[]): Promise<CopyFigures[]> {
  const figures: CopyFigures[] = [];
  for (const size of sizes) {
    process.stderr.write(`recording copy of ${size / MiB} MiB: curl ...\n`);
    const curlSeconds = await copyWithCurl(service, size);
    process.stderr.write(`recording copy of ${size / MiB} MiB: curl in parts ...\n`);
    const curlInPartsSeconds = await copyWithCurlInParts(service, size);
    // Idle: after the service has settled, before the copy starts.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const idleRssBytes = workerdRss(service);
    let peakRssBytes = idleRssBytes;
    const sample = () => (peakRssBytes = Math.max(peakRssBytes, workerdRss(service)));
    const timer = setInterval(sample, 100);
    process.stderr.write(`recording copy of ${size / MiB} MiB: the Worker ...\n`);
    try {
      const workerSeconds = await copyThroughWorker(service, size, sample);
      figures.push({ size, workerSeconds, curlSeconds, curlInPartsSeconds, idleRssBytes, peakRssBytes });
    } finally {
      clearInterval(timer);
    }
  }
  return figures;
}

export function copyTable(figures: CopyFigures[]): string[][] {
  return [
    [
      'recording copy',
      'Worker MB/s',
      'curl MB/s',
      'ratio',
      'curl in parts MB/s',
      'ratio',
      'workerd RSS idle → peak',
      'growth',
    ],
    ...figures.map((f) => [
      `${f.size / MiB} MiB`,
      (f.size / MiB / f.workerSeconds).toFixed(1),
      (f.size / MiB / f.curlSeconds).toFixed(1),
      (f.curlSeconds / f.workerSeconds).toFixed(2),
      (f.size / MiB / f.curlInPartsSeconds).toFixed(1),
      (f.curlInPartsSeconds / f.workerSeconds).toFixed(2),
      `${(f.idleRssBytes / MiB).toFixed(0)} → ${(f.peakRssBytes / MiB).toFixed(0)} MiB`,
      `${((f.peakRssBytes - f.idleRssBytes) / MiB).toFixed(1)} MiB`,
    ]),
  ];
}
