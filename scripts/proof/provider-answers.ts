// Hostile answers from the providers (SPEC §14): a provider's room URL off its own domain, and a
// recording's download link that redirects to another host. Unlike the hostile requests these
// reach the providers and change what a failure changes (a failed recording), so they run after
// the snapshots; what must hold is that nothing hostile is stored, handed to a page or fetched.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsClient } from 'aws4fetch';
import { dailyEvent, deliveryHeaders } from '../../dev/provider-webhooks.ts';
import type { LocalService } from '../local/service.ts';
import { type Fixture, ROOMS, type Secrets, type Tokens } from './setup.ts';
import { d1 } from './state.ts';
import { J, type Json, must, seconds, send } from './wire.ts';

/** Room URLs no page may frame: other schemes, another host, http from a provider. */
const HOSTILE_ROOM_URLS = [
  'javascript:alert(document.domain)',
  'data:text/html,<script>alert(1)</script>',
  'https://rooms.evil.example/room',
  'http://rooms.evil.example/room',
];

/** The provider's create call answered with `roomUrl`, as a fault of its stand-in. */
const createAnswer = (platform: 'whereby' | 'daily', roomUrl: string) =>
  platform === 'whereby'
    ? {
        method: 'POST',
        path: '^/v1/meetings$',
        status: 201,
        body: { meetingId: 'hostile', roomName: '/hostile', roomUrl, hostRoomUrl: roomUrl },
      }
    : { method: 'POST', path: '^/v1/rooms$', status: 200, body: { id: 'hostile', name: 'hostile', url: roomUrl } };

async function fault(origin: string, body: Json) {
  const answer = await send(`${origin}/__control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: J(body),
  });
  if (answer.status !== 204) throw new Error(`the stand-in refused the fault ${J(body)}: ${answer.text}`);
}

/** Each provider answering each hostile room URL: the join is a 502 and no meeting is stored. */
async function hostileRoomUrls(service: LocalService, tokens: Tokens, violation: (text: string) => void) {
  const tried: { name: string; platform: string; roomUrl: string }[] = [];
  for (const platform of ['whereby', 'daily'] as const) {
    for (const [index, roomUrl] of HOSTILE_ROOM_URLS.entries()) {
      const name = `proof-url-${platform}-${index}`;
      await must(service.url, 'POST', '/v1/rooms', { token: tokens.owner, body: { name, platform }, expect: 201 });
      await fault(service.standIns[platform].origin, createAnswer(platform, roomUrl));
      const join = await send(`${service.url}/v1/rooms/${name}/meeting`, { method: 'POST' });
      tried.push({ name, platform, roomUrl });
      if (join.status !== 502 || join.body?.code !== 'provider-error')
        violation(`${platform} answering ${roomUrl}: the join answered ${join.status} ${join.text.slice(0, 200)}`);
      if (join.text.includes(roomUrl)) violation(`${platform} answering ${roomUrl}: the answer repeats the URL`);
    }
  }
  const [stored] = await d1(
    `SELECT rooms.name AS name FROM meetings JOIN rooms ON rooms.id = meetings.room_id WHERE rooms.name LIKE 'proof-url-%'`,
  );
  for (const row of stored?.results ?? []) {
    const attempt = tried.find((entry) => entry.name === row.name);
    violation(`${attempt?.platform} answering ${attempt?.roomUrl}: a meeting was stored`);
  }
  return tried.length;
}

/** Whether the bucket holds `key`, asked as S3 is asked. */
async function inBucket(service: LocalService, key: string) {
  const { endpoint, bucket, accessKeyId, secretAccessKey } = service.bucket;
  const s3 = new AwsClient({ accessKeyId, secretAccessKey, service: 's3', region: 'us-east-1' });
  const head = await s3.fetch(`${endpoint}/${bucket}/${key}`, { method: 'HEAD' });
  return head.status === 200;
}

/**
 * A Daily recording whose download link redirects to another host: the copy fails for good,
 * saying so, nothing is stored, and the other host is never asked.
 */
async function redirectedDownload(
  service: LocalService,
  fixture: Fixture,
  tokens: Tokens,
  secrets: Secrets,
  violation: (text: string) => void,
) {
  let asked = 0;
  const elsewhere = createServer((_request, response) => {
    asked++;
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '4' }).end('evil');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  try {
    const recordingId = 'proof-rec-redirected';
    await fault(service.standIns.daily.origin, {
      path: `^/__files/recordings/${recordingId}$`,
      status: 302,
      headers: { location: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/recording.mp4` },
      times: 20,
    });
    const meeting = fixture.meetings[ROOMS.daily]!;
    const body = J(
      dailyEvent('recording.ready-to-download', {
        type: 'cloud',
        recording_id: recordingId,
        room_name: meeting.room_name,
        start_ts: seconds() - 120,
        status: 'finished',
        duration: 60,
      }),
    );
    const delivery = await send(`${service.url}/v1/daily/webhook`, {
      method: 'POST',
      headers: await deliveryHeaders('daily', body, secrets.daily),
      body,
    });
    if (delivery.status !== 200) violation(`the redirected recording's webhook answered ${delivery.status}`);

    const known = new Set(fixture.recordings.map((item) => item.id));
    const deadline = Date.now() + 60_000;
    let recording: Json | undefined;
    while (Date.now() < deadline) {
      const { items } = await must(service.url, 'GET', `/v1/meetings/${meeting.id}/recordings`, {
        token: tokens.owner,
      });
      recording = (items as Json[]).find((item) => !known.has(item.id));
      if (recording && ['failed', 'stored'].includes(String(recording.status))) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (recording?.status !== 'failed' || !String(recording.error).includes('another host'))
      violation(`the redirected download ended ${recording?.status ?? 'never'}: ${recording?.error ?? ''}`);
    if (recording?.download_url) violation('the redirected recording has a download link');
    if (recording?.object_key && (await inBucket(service, String(recording.object_key))))
      violation('the redirected recording is in the bucket');
    if (asked) violation(`the other host was asked ${asked} times for the recording`);
  } finally {
    elsewhere.close();
  }
}

/** Runs both; answers how many hostile answers were tried. */
export async function hostileProviderAnswers(
  service: LocalService,
  fixture: Fixture,
  tokens: Tokens,
  secrets: Secrets,
  violation: (text: string) => void,
): Promise<number> {
  const tried = await hostileRoomUrls(service, tokens, violation);
  await redirectedDownload(service, fixture, tokens, secrets, violation);
  return tried + 1;
}
