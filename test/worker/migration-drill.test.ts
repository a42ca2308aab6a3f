import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createHash, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { dailyEvent, dailyParticipant, dailySignature, wherebyClient, wherebyEvent } from '../../dev/provider-webhooks';
import worker from '../../worker/index';
import type { RecordingCopyMessage } from '../../worker/recordings/copy-message';
import { WEBHOOK_SECRETS } from '../servers';
import {
  ADMIN,
  call,
  callAndWait,
  createRoom,
  directBucket,
  OWNER,
  objectBytes,
  requestWith,
  resetWorld,
  s3Proxy,
  servers,
  standIn,
  tokenFor,
} from './helpers';
import { sendDaily, sendWhereby } from './webhook-helpers';

// The migration drill of issue 6: the whole rollout story, chapter by chapter, as an operator
// runs it against the provider stand-ins. Rooms start on Whereby; two are listed for Daily (one
// by id, one by name) and the switch goes on; their next meetings are on Daily while the others
// stay on Whereby; both providers' webhooks keep the participant counts; a Daily recording lands
// in the bucket under Whereby's key layout next to a Whereby one; then the rollback: new
// meetings go back to Whereby while the Daily meeting already running goes on working.
//
// The chapters share one world and run in order (each `it` builds on the one before).

type Json = Record<string, any>;

const ALPHA = 'drill-alpha'; // listed by its id
const BRAVO = 'drill-bravo'; // listed by its name
const CHARLIE = 'drill-charlie'; // never listed
const DELTA = 'drill-delta'; // created after the rollback

/** The bucket's key layout of Whereby, which the transcription pipeline reads: `<room name>-<UTC start ISO>.mp4`. */
const WHEREBY_KEY = /^(?<room>[a-z0-9-]+)-(?<start>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\.mp4$/;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** What everyone gets from the join page's request (anonymous unless a token is given); its work after the answer done too. */
async function join(room: string, token?: string): Promise<Json> {
  const response = await callAndWait('POST', `/v1/rooms/${room}/meeting`, { token });
  expect(response.status, `join ${room}: ${JSON.stringify(response.body)}`).toBe(200);
  return response.body as Json;
}

/** The meeting's time is up: what the clock does to a meeting after its 8 hours. */
async function timeRunsOut(meetingId: string) {
  await env.DB.prepare('UPDATE meetings SET end_date = ? WHERE id = ?')
    .bind(new Date(Date.now() - 1000).toISOString(), meetingId)
    .run();
}

async function putFlags(flags: {
  DAILY_MIGRATION_ENABLED: boolean;
  DAILY_MIGRATION_ROOM_IDS: string[];
  DAILY_MIGRATION_PERCENT: number;
}) {
  const response = await call('PUT', '/v1/flags', { token: await tokenFor(ADMIN), body: flags });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as Json;
}

/** The meetings the Whereby stand-in holds, as Whereby's dashboard would list them. */
async function wherebyMeetings(): Promise<Json[]> {
  return (await (await fetch(`${servers.whereby.origin}/__control/whereby/meetings`)).json()) as Json[];
}

/** The rooms the Daily stand-in holds, as Daily's dashboard would list them. */
async function dailyRooms(): Promise<Json[]> {
  return (await (await fetch(`${servers.daily.origin}/__control/daily/rooms`)).json()) as Json[];
}

/** Whereby's own id of a meeting (what its webhooks name), found at Whereby by the room URL. */
async function wherebyMeetingId(meeting: Json): Promise<string> {
  const found = (await wherebyMeetings()).find((m) => m.roomUrl === meeting.room_url);
  expect(found, `no Whereby meeting has the URL ${meeting.room_url}`).toBeDefined();
  return String(found!.meetingId);
}

async function expectApplied(response: { status: number; body: Json | null }) {
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body?.status).toBe('applied');
}

/**
 * Daily's recording.ready-to-download, signed, through the Worker with a queue that keeps what
 * it is sent: the messages the copy consumer would receive.
 */
async function dailyRecordingReady(roomName: string, recordingId: string, startMs: number) {
  const sent: RecordingCopyMessage[] = [];
  const queue = {
    send: async (body: RecordingCopyMessage) => void sent.push(body),
    sendBatch: async () => undefined,
  } as unknown as Queue;
  const event = dailyEvent('recording.ready-to-download', {
    type: 'cloud',
    recording_id: recordingId,
    room_name: roomName,
    start_ts: startMs / 1000,
    status: 'finished',
    max_participants: 2,
    duration: 600,
    s3_key: `daily/${roomName}/${recordingId}`,
  });
  const body = JSON.stringify(event);
  const response = await requestWith(
    '/v1/daily/webhook',
    {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...(await dailySignature(body, WEBHOOK_SECRETS.daily)) },
    },
    { ...env, RECORDING_COPIES: queue },
  );
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'applied' });
  return sent;
}

/** The queue delivers the messages to the Worker's consumer, as Cloudflare Queues would. */
async function deliverToConsumer(messages: RecordingCopyMessage[]) {
  const batch = createMessageBatch<RecordingCopyMessage>(
    'recording-copies',
    messages.map((body) => ({ id: randomUUID(), timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  const dlq: unknown[] = [];
  const handler: ExportedHandler<Env, RecordingCopyMessage> = worker;
  await handler.queue?.(
    batch,
    { ...env, RECORDING_COPIES_DLQ: { send: async (body: unknown) => void dlq.push(body) } as unknown as Queue },
    ctx,
  );
  const result = await getQueueResult(batch, ctx);
  expect(dlq, 'nothing goes to the dead-letter queue').toEqual([]);
  expect(result.explicitAcks).toHaveLength(messages.length);
  expect(result.retryMessages).toEqual([]);
}

/** The owner's view of a meeting's recordings, and each one downloaded through its link. */
async function ownerRecordings(meetingId: string) {
  const response = await call('GET', `/v1/meetings/${meetingId}/recordings`, { token: await tokenFor(OWNER) });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const items = response.body?.items as Json[];
  const downloads = await Promise.all(
    items.map(async (item) => {
      expect(item.download_url, `recording ${item.id} (${item.status}) has a download link`).toEqual(
        expect.any(String),
      );
      const url = new URL(item.download_url);
      expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);
      const download = await fetch(url);
      expect(download.status, `download of ${item.object_key}`).toBe(200);
      return new Uint8Array(await download.arrayBuffer());
    }),
  );
  return { items, downloads };
}

const world = {
  rooms: {} as Record<string, Json>,
  /** The meeting each room had at the end of the last chapter. */
  meetings: {} as Record<string, Json>,
  dailyRecording: { key: '', sha256: '' },
};

describe('the migration drill: Whereby to Daily room by room, and the rollback', () => {
  beforeAll(async () => {
    await resetWorld();
    await s3Proxy.reset();
  });

  it('chapter 1: every room starts on Whereby; each meeting is made at Whereby', async () => {
    for (const name of [ALPHA, BRAVO, CHARLIE])
      world.rooms[name] = await createRoom(OWNER, { name, recording_type: 'cloud' });
    for (const name of [ALPHA, BRAVO, CHARLIE]) expect(world.rooms[name]?.platform).toBe('whereby');

    const flags = await call('GET', '/v1/flags', { token: await tokenFor(ADMIN) });
    expect(flags.body).toMatchObject({
      DAILY_MIGRATION_ENABLED: false,
      DAILY_MIGRATION_ROOM_IDS: [],
      DAILY_MIGRATION_PERCENT: 0,
      malformed: [],
    });

    for (const name of [ALPHA, BRAVO, CHARLIE]) {
      const meeting = await join(name);
      expect(meeting).toMatchObject({ platform: 'whereby', is_active: true, num_clients: 0, host_room_url: '' });
      expect(meeting.room_url.startsWith(`${servers.whereby.roomOrigin}/${name}-`)).toBe(true);
      world.meetings[name] = meeting;
    }
    // Whereby holds the three meetings; Daily was never asked for a room.
    const atWhereby = (await wherebyMeetings()).map((m) => m.roomUrl);
    expect(atWhereby).toEqual(
      expect.arrayContaining([ALPHA, BRAVO, CHARLIE].map((name) => world.meetings[name]?.room_url)),
    );
    expect(await dailyRooms()).toEqual([]);
    // The room's owner gets Whereby's host link.
    expect((await join(ALPHA, await tokenFor(OWNER))).host_room_url).toMatch(/roomKey=/);
  });

  it('chapter 2: two rooms listed (one by id, one by name), the switch on: their next meetings are on Daily, the others stay on Whereby', async () => {
    const alpha = world.rooms[ALPHA]!;
    const written = await putFlags({
      DAILY_MIGRATION_ENABLED: true,
      DAILY_MIGRATION_ROOM_IDS: [alpha.id, BRAVO],
      DAILY_MIGRATION_PERCENT: 0,
    });
    expect(written).toMatchObject({
      DAILY_MIGRATION_ENABLED: true,
      DAILY_MIGRATION_ROOM_IDS: [alpha.id, BRAVO],
      malformed: [],
    });

    // A flip never moves a meeting in progress: people in the call stay where they are.
    for (const name of [ALPHA, BRAVO, CHARLIE])
      expect(await join(name)).toMatchObject({ id: world.meetings[name]?.id, platform: 'whereby' });
    expect(await dailyRooms()).toEqual([]);

    // Their time runs out; the next join of each room makes its next meeting.
    for (const name of [ALPHA, BRAVO, CHARLIE]) await timeRunsOut(world.meetings[name]!.id);
    for (const name of [ALPHA, BRAVO]) {
      const meeting = await join(name);
      expect(meeting, `${name} moves to Daily`).toMatchObject({ platform: 'daily', is_active: true, num_clients: 0 });
      expect(meeting.id).not.toBe(world.meetings[name]?.id);
      expect(meeting.room_url).toBe(`${servers.daily.roomOrigin}/${meeting.room_name}`);
      world.meetings[name] = meeting;
    }
    const charlie = await join(CHARLIE);
    expect(charlie, 'an unlisted room stays on Whereby').toMatchObject({ platform: 'whereby' });
    expect(charlie.id).not.toBe(world.meetings[CHARLIE]?.id);
    world.meetings[CHARLIE] = charlie;

    // Daily now holds a room for each migrated meeting, and only for those.
    const atDaily = await dailyRooms();
    expect(atDaily.map((room) => room.url).sort()).toEqual(
      [world.meetings[ALPHA]?.room_url, world.meetings[BRAVO]?.room_url].sort(),
    );
    expect(atDaily.every((room) => room.config.enable_recording === 'cloud')).toBe(true);
    // Whereby got the new meeting of charlie and nothing for the migrated rooms; the meetings the
    // time ran out on are ended there.
    expect((await wherebyMeetings()).map((m) => m.roomUrl)).toEqual([charlie.room_url]);

    // The owner of a Daily room joins with an owner token; everyone else with the plain URL.
    const owner = await join(ALPHA, await tokenFor(OWNER));
    expect(owner.id).toBe(world.meetings[ALPHA]?.id);
    expect(new URL(owner.room_url).searchParams.get('t')).toBeTruthy();
  });

  it('chapter 3: both providers’ webhooks are applied: joins and leaves keep num_clients right on Daily and on Whereby', async () => {
    const alpha = world.meetings[ALPHA]!;
    const bravo = world.meetings[BRAVO]!;
    const charlie = world.meetings[CHARLIE]!;

    // Daily: three people join alpha (one join delivered twice), one leaves.
    await expectApplied(
      await sendDaily(
        dailyEvent('meeting.started', { start_ts: nowSeconds() - 40, meeting_id: randomUUID(), room: alpha.room_name }),
      ),
    );
    const joined = dailyEvent('participant.joined', dailyParticipant(alpha.room_name, 'ann'));
    await expectApplied(await sendDaily(joined));
    expect((await sendDaily(joined)).body).toEqual({ status: 'duplicate' });
    await expectApplied(await sendDaily(dailyEvent('participant.joined', dailyParticipant(alpha.room_name, 'ben'))));
    await expectApplied(await sendDaily(dailyEvent('participant.joined', dailyParticipant(alpha.room_name, 'cat'))));
    await expectApplied(
      await sendDaily(dailyEvent('participant.left', { ...dailyParticipant(alpha.room_name, 'ben'), duration: 20 })),
    );
    // Daily: on bravo a leave arrives before its join (out of order): nobody is left behind.
    await expectApplied(
      await sendDaily(dailyEvent('participant.left', { ...dailyParticipant(bravo.room_name, 'dan'), duration: 5 })),
    );
    await expectApplied(await sendDaily(dailyEvent('participant.joined', dailyParticipant(bravo.room_name, 'dan'))));
    await expectApplied(await sendDaily(dailyEvent('participant.joined', dailyParticipant(bravo.room_name, 'eve'))));

    // Whereby: two people join charlie, one leaves.
    const charlieId = await wherebyMeetingId(charlie);
    const roomName = charlie.room_name as string;
    await expectApplied(
      await sendWhereby(
        wherebyEvent('room.session.started', {
          meetingId: charlieId,
          roomName: `/${roomName}`,
          roomSessionId: 'session-1',
        }),
      ),
    );
    await expectApplied(
      await sendWhereby(wherebyEvent('room.client.joined', wherebyClient(charlieId, roomName, 'fay'))),
    );
    await expectApplied(
      await sendWhereby(wherebyEvent('room.client.joined', wherebyClient(charlieId, roomName, 'gus'))),
    );
    await expectApplied(await sendWhereby(wherebyEvent('room.client.left', wherebyClient(charlieId, roomName, 'fay'))));

    // What the join page shows.
    expect(await join(ALPHA)).toMatchObject({ id: alpha.id, platform: 'daily', num_clients: 2 });
    expect(await join(BRAVO)).toMatchObject({ id: bravo.id, platform: 'daily', num_clients: 1 });
    expect(await join(CHARLIE)).toMatchObject({ id: charlie.id, platform: 'whereby', num_clients: 1 });

    // An event of the other provider's naming never touches a meeting: Whereby's event for a
    // Daily room name is a meeting Whereby does not have.
    const crossed = await sendWhereby(
      wherebyEvent('room.client.joined', wherebyClient(alpha.room_name, alpha.room_name, 'hal')),
    );
    expect(crossed.body).toEqual({ status: 'unknown-meeting' });
    expect((await join(ALPHA)).num_clients).toBe(2);
  });

  it('chapter 4: a Daily recording is copied into the bucket under Whereby’s key layout, next to a Whereby one; the owner lists and downloads both', async () => {
    const alpha = world.meetings[ALPHA]!;
    const charlie = world.meetings[CHARLIE]!;

    // Whereby records charlie's meeting straight into the bucket, then says so.
    const wherebyStart = Date.now() - 10 * 60_000;
    const wherebyKey = `${charlie.room_name}-${isoSeconds(wherebyStart)}.mp4`;
    const wherebyBytes = new Uint8Array(256 * 1024).map((_, i) => (i * 31) % 251);
    const bucket = directBucket();
    await bucket.put(wherebyKey, wherebyBytes, { contentType: 'video/mp4' });
    const charlieId = await wherebyMeetingId(charlie);
    await expectApplied(
      await sendWhereby(
        wherebyEvent('recording.finished', {
          meetingId: charlieId,
          roomName: `/${charlie.room_name}`,
          recordingId: 'whereby-rec-1',
          filename: wherebyKey,
          status: 'completed',
        }),
      ),
    );

    // Daily records alpha's meeting; its ready event hands the copy to the queue.
    const dailyStart = Date.now() - 11 * 60_000;
    await standIn.setDailyFile('daily-rec-1', 3 * 1024 * 1024 + 17);
    const source = await standIn.dailyFileSha256('daily-rec-1');
    const messages = await dailyRecordingReady(alpha.room_name, 'daily-rec-1', dailyStart);
    expect(messages).toHaveLength(1);
    await deliverToConsumer(messages);

    const dailyKey = `${alpha.room_name}-${isoSeconds(dailyStart)}.mp4`;
    // Both objects sit in the one bucket in the same layout: the pipeline tells them apart by nothing.
    for (const [key, room] of [
      [dailyKey, alpha.room_name],
      [wherebyKey, charlie.room_name],
    ]) {
      const parsed = WHEREBY_KEY.exec(key!);
      expect(parsed?.groups?.room, key).toBe(room);
    }
    expect(sha256(await objectBytes(dailyKey))).toBe(source.sha256);
    expect(sha256(await objectBytes(wherebyKey))).toBe(sha256(wherebyBytes));

    const daily = await ownerRecordings(alpha.id);
    expect(daily.items).toMatchObject([
      { platform: 'daily', status: 'stored', object_key: dailyKey, size: source.size, duration: 600 },
    ]);
    expect(sha256(daily.downloads[0]!)).toBe(source.sha256);
    const whereby = await ownerRecordings(charlie.id);
    expect(whereby.items).toMatchObject([{ platform: 'whereby', status: 'stored', object_key: wherebyKey }]);
    expect(sha256(whereby.downloads[0]!)).toBe(sha256(wherebyBytes));

    // Nobody else sees them.
    expect((await call('GET', `/v1/meetings/${alpha.id}/recordings`)).status).toBe(401);
    expect(
      (await call('GET', `/v1/meetings/${alpha.id}/recordings`, { token: await tokenFor('someone-else') })).status,
    ).toBe(403);
    world.dailyRecording = { key: dailyKey, sha256: source.sha256 };
  });

  it('chapter 5: the switch off: new meetings go back to Whereby; the ongoing Daily meeting keeps its join, its webhooks and its recordings', async () => {
    const alpha = world.meetings[ALPHA]!;
    const bravo = world.meetings[BRAVO]!;
    const charlie = world.meetings[CHARLIE]!;
    const written = await putFlags({
      DAILY_MIGRATION_ENABLED: false,
      DAILY_MIGRATION_ROOM_IDS: [world.rooms[ALPHA]!.id, BRAVO],
      DAILY_MIGRATION_PERCENT: 0,
    });
    expect(written).toMatchObject({ DAILY_MIGRATION_ENABLED: false });

    // A room created now, and charlie's next meeting, are on Whereby.
    world.rooms[DELTA] = await createRoom(OWNER, { name: DELTA });
    expect(await join(DELTA)).toMatchObject({ platform: 'whereby' });
    // Charlie's last guest leaves (a meeting with people in it holds past its time), and its time runs out.
    await expectApplied(
      await sendWhereby(
        wherebyEvent('room.client.left', wherebyClient(await wherebyMeetingId(charlie), charlie.room_name, 'gus')),
      ),
    );
    await timeRunsOut(charlie.id);
    const charlieNext = await join(CHARLIE);
    expect(charlieNext).toMatchObject({ platform: 'whereby' });
    expect(charlieNext.id).not.toBe(charlie.id);

    // Bravo's Daily meeting ends, its last guest gone and its time up: its next one is on Whereby,
    // though bravo is still listed.
    await expectApplied(
      await sendDaily(dailyEvent('participant.left', { ...dailyParticipant(bravo.room_name, 'eve'), duration: 60 })),
    );
    await timeRunsOut(bravo.id);
    const bravoNext = await join(BRAVO);
    expect(bravoNext).toMatchObject({ platform: 'whereby' });
    expect(bravoNext.room_url.startsWith(`${servers.whereby.roomOrigin}/${BRAVO}-`)).toBe(true);

    // Alpha's Daily meeting is still going: everyone joining gets that same Daily meeting.
    const stillAlpha = await join(ALPHA);
    expect(stillAlpha).toMatchObject({
      id: alpha.id,
      platform: 'daily',
      room_url: alpha.room_url,
      room_name: alpha.room_name,
      num_clients: 2,
    });
    const ownerJoin = await join(ALPHA, await tokenFor(OWNER));
    expect(ownerJoin.id).toBe(alpha.id);
    expect(ownerJoin.room_url.startsWith(`${alpha.room_url}?t=`)).toBe(true);
    expect((await dailyRooms()).map((room) => room.url)).toContain(alpha.room_url);

    // Its webhooks are still applied.
    await expectApplied(await sendDaily(dailyEvent('participant.joined', dailyParticipant(alpha.room_name, 'ida'))));
    await expectApplied(
      await sendDaily(dailyEvent('participant.left', { ...dailyParticipant(alpha.room_name, 'ann'), duration: 90 })),
    );
    await expectApplied(await sendDaily(dailyEvent('participant.joined', dailyParticipant(alpha.room_name, 'jon'))));
    expect((await join(ALPHA)).num_clients).toBe(3);

    // Its next recording is still copied and stored, next to the first.
    const secondStart = Date.now() - 2 * 60_000;
    await standIn.setDailyFile('daily-rec-2', 1024 * 1024 + 5);
    const source = await standIn.dailyFileSha256('daily-rec-2');
    await expectApplied(
      await sendDaily(
        dailyEvent('recording.started', {
          recording_id: 'daily-rec-2',
          start_ts: secondStart / 1000,
          instance_id: randomUUID(),
          room_name: alpha.room_name,
        }),
      ),
    );
    const messages = await dailyRecordingReady(alpha.room_name, 'daily-rec-2', secondStart);
    await deliverToConsumer(messages);
    const secondKey = `${alpha.room_name}-${isoSeconds(secondStart)}.mp4`;
    const listed = await ownerRecordings(alpha.id);
    expect(listed.items).toMatchObject([
      { platform: 'daily', status: 'stored', object_key: world.dailyRecording.key },
      { platform: 'daily', status: 'stored', object_key: secondKey, size: source.size },
    ]);
    expect(listed.downloads.map(sha256)).toEqual([world.dailyRecording.sha256, source.sha256]);
    expect(WHEREBY_KEY.exec(secondKey)?.groups?.room).toBe(alpha.room_name);

    // Once alpha's Daily meeting is over, everyone gone and its time up, alpha is back on Whereby as well.
    for (const person of ['cat', 'ida', 'jon'])
      await expectApplied(
        await sendDaily(dailyEvent('participant.left', { ...dailyParticipant(alpha.room_name, person), duration: 60 })),
      );
    await timeRunsOut(alpha.id);
    const alphaNext = await join(ALPHA);
    expect(alphaNext).toMatchObject({ platform: 'whereby', num_clients: 0 });
    expect(alphaNext.id).not.toBe(alpha.id);
    // And the flags the operator sees say what happened.
    expect((await call('GET', '/v1/flags', { token: await tokenFor(ADMIN) })).body).toMatchObject({
      DAILY_MIGRATION_ENABLED: false,
      DAILY_MIGRATION_ROOM_IDS: [world.rooms[ALPHA]!.id, BRAVO],
      malformed: [],
    });
  });

  it('epilogue: the operator’s figures tell the same story, platform by platform', async () => {
    const token = await tokenFor(ADMIN);
    // The counts of calls and repeats are written just after the answers: wait for them to land.
    await vi.waitFor(
      async () => {
        const { status, body } = await call('GET', '/v1/metrics?window=1h', { token });
        expect(status).toBe(200);
        const { whereby, daily } = (body as Json).platforms as Record<'whereby' | 'daily', Json>;
        // Whereby: the first three meetings, charlie's second, and the four made after the rollback.
        expect(whereby.meetings.created).toBe(8);
        expect(daily.meetings.created).toBe(2);
        expect(whereby.provider_calls).toMatchObject({ failed: 0, error_rate: 0 });
        expect(daily.provider_calls).toMatchObject({ failed: 0, error_rate: 0 });
        expect(daily.webhooks).toMatchObject({ duplicates: 1, rejected: 0 });
        expect(whereby.webhooks).toMatchObject({ duplicates: 0, rejected: 0, ignored: 1 });
        expect(daily.recordings).toMatchObject({ started: 2, stored: 2, failed: 0, success_rate: 1 });
        expect(whereby.recordings).toMatchObject({ started: 1, stored: 1, failed: 0, success_rate: 1 });
      },
      { timeout: 5_000, interval: 100 },
    );
  });
});
