import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { dailyEvent } from '../../dev/provider-webhooks';
import { database } from '../../worker/db/client';
import { markRecordingStored } from '../../worker/db/recordings';
import worker from '../../worker/index';
import { ADMIN, call, callAndWait, createRoom, OWNER, resetWorld, STRANGER, servers, tokenFor } from './helpers';
import {
  deliver,
  deliverPending,
  deliveryRows,
  hookUrl,
  messageFor,
  receiver,
  signatureHolds,
} from './room-webhook-helpers';
import { meetingOn, sendDaily } from './webhook-helpers';

// Room webhooks (SPEC §11): every cause records its event in D1 with itself, the queue's consumer
// delivers it signed as Reflector signs, retries with backoff, keeps failures, and keeps order.

const SECRET = 'a-room-webhook-secret-ünïcode';

beforeEach(async () => {
  await resetWorld();
  await receiver.reset();
});

const uniqueName = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

async function roomWithHook(path: string, fields: Record<string, unknown> = {}) {
  const name = uniqueName('hook');
  const room = await createRoom(OWNER, { name, webhook_url: hookUrl(path), webhook_secret: SECRET, ...fields });
  return room as { id: string; name: string };
}

const join = (name: string) => callAndWait('POST', `/v1/rooms/${name}/meeting`);

describe("a room's webhook settings", () => {
  it('refuses a URL the policy refuses at POST and PATCH with 422, changing nothing', async () => {
    const token = await tokenFor(OWNER);
    const refused = await call('POST', '/v1/rooms', {
      token,
      body: { name: uniqueName('bad'), webhook_url: 'http://hooks.example.com/x' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'validation',
      field: 'webhook_url',
      detail: expect.stringMatching(/https/),
    });
    const room = await roomWithHook('/settings');
    const patched = await call('PATCH', `/v1/rooms/${room.id}`, { token, body: { webhook_url: 'https://10.1.2.3/x' } });
    expect(patched.status).toBe(422);
    expect((await call('GET', `/v1/rooms/${room.id}`, { token })).body?.webhook_url).toBe(hookUrl('/settings'));
  });

  it('shows the URL and secret to the owner and admins only', async () => {
    const room = await roomWithHook('/hidden', { is_shared: true });
    const owner = await call('GET', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER) });
    expect(owner.body).toMatchObject({ webhook_url: hookUrl('/hidden'), webhook_secret: SECRET });
    const admin = await call('GET', `/v1/rooms/${room.id}`, { token: await tokenFor(ADMIN) });
    expect(admin.body).toMatchObject({ webhook_secret: SECRET });
    for (const answer of [
      await call('GET', `/v1/rooms/${room.id}`, { token: await tokenFor(STRANGER) }),
      await call('GET', `/v1/rooms/${room.id}`),
    ])
      expect(answer.body).toMatchObject({ webhook_url: null, webhook_secret: null });
    const list = await call('GET', '/v1/rooms', { token: await tokenFor(STRANGER) });
    expect(list.body?.items.find((r: { id: string }) => r.id === room.id)).toMatchObject({
      webhook_url: null,
      webhook_secret: null,
      webhook_failures: null,
    });
  });
});

describe('events recorded with their causes', () => {
  it('records meeting.started when a join creates the meeting, and hands it to the queue before the request is done', async () => {
    const room = await roomWithHook('/started');
    const joined = await join(room.name);
    expect(joined.status).toBe(200);
    const [row, ...more] = await deliveryRows(room.id);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ event: 'meeting.started', meeting_id: joined.body?.id, status: 'pending' });
    expect(row?.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect(row?.queued_at).not.toBeNull();
  });

  it('records nothing for a room without a webhook_url', async () => {
    const name = uniqueName('plain');
    const room = await createRoom(OWNER, { name });
    await join(name);
    await callAndWait('PATCH', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER), body: { is_locked: true } });
    expect(await deliveryRows()).toEqual([]);
  });

  it('records meeting.ended for a settings change, a join of an expired meeting, the provider session end and a deletion', async () => {
    const token = await tokenFor(OWNER);
    const room = await roomWithHook('/ended');
    await join(room.name);
    await callAndWait('PATCH', `/v1/rooms/${room.id}`, { token, body: { is_locked: true } });
    await join(room.name);
    await env.DB.prepare("UPDATE meetings SET end_date = '2000-01-01T00:00:00.000Z' WHERE is_active = 1").run();
    await join(room.name);
    await callAndWait('DELETE', `/v1/rooms/${room.id}`, { token });
    const events = (await deliveryRows(room.id)).map((row) => row.event);
    expect(events).toEqual([
      'meeting.started',
      'meeting.ended',
      'meeting.started',
      'meeting.ended',
      'meeting.started',
      'meeting.ended',
    ]);

    const daily = await meetingOn('daily', uniqueName('dly'), {
      webhook_url: hookUrl('/daily'),
      webhook_secret: SECRET,
    });
    await sendDaily(dailyEvent('meeting.ended', { room: daily.roomName, start_ts: 1, end_ts: Date.now() / 1000 }));
    const dailyEvents = (await deliveryRows()).filter((row) => row.meeting_id === daily.id).map((row) => row.event);
    expect(dailyEvents).toEqual(['meeting.started', 'meeting.ended']);
  });

  it('records recording.stored once a recording is stored, and recording.deleted once deleted', async () => {
    const room = await roomWithHook('/recording');
    const joined = await join(room.name);
    const id = crypto.randomUUID();
    await env.DB.prepare(
      "INSERT INTO recordings (id, platform, meeting_id, platform_recording_id, object_key, status, duration, started_at, created_at, updated_at) VALUES (?, 'whereby', ?, 'rec-1', 'hook-2026.mp4', 'ready', 61, 1700000000000, 1, 1)",
    )
      .bind(id, joined.body?.id)
      .run();
    await markRecordingStored(database(env), id, 12345);
    await env.DB.prepare("UPDATE recordings SET status = 'deleted' WHERE id = ?").bind(id).run();
    const rows = (await deliveryRows(room.id)).filter((row) => row.recording_id === id);
    expect(rows.map((row) => row.event)).toEqual(['recording.stored', 'recording.deleted']);
  });
});

describe('delivery', () => {
  it("signs as Reflector: its headers, X-Webhook-Retry 0, and an HMAC a receiver's node:crypto verifies", async () => {
    const room = await roomWithHook('/signed');
    const joined = await join(room.name);
    const { result } = await deliverPending(room.id);
    expect(result.explicitAcks).toHaveLength(1);
    const [got, ...more] = await receiver.received('/signed');
    expect(more).toEqual([]);
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Reflector-Webhook/1.0',
      'x-webhook-event': 'meeting.started',
      'x-webhook-retry': '0',
    });
    expect(signatureHolds(got?.headers ?? {}, got?.body ?? '', SECRET)).toBe(true);
    expect(signatureHolds(got?.headers ?? {}, got?.body ?? '', 'another secret')).toBe(false);
    const t = Number(/t=(\d+)/.exec(got?.headers['x-webhook-signature'] ?? '')?.[1]);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(10);
    const body = JSON.parse(got?.body ?? '{}');
    expect(body).toEqual({
      event: 'meeting.started',
      event_id: (await deliveryRows(room.id))[0]?.event_id,
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      room: { id: room.id, name: room.name },
      meeting: {
        id: joined.body?.id,
        room_name: joined.body?.room_name,
        platform: 'whereby',
        start_date: joined.body?.start_date,
        end_date: joined.body?.end_date,
        ended_at: null,
        is_locked: false,
        room_mode: 'normal',
        recording_type: 'cloud',
        recording_trigger: 'automatic-2nd-participant',
        failover_from: null,
      },
    });
    expect((await deliveryRows(room.id))[0]).toMatchObject({ status: 'delivered', last_status: 200 });
  });

  it('sends no signature header for a room whose owner removed its secret', async () => {
    const room = await roomWithHook('/unsigned');
    // A URL given alone gets a secret made up (as Reflector does); taking the secret away leaves none.
    const removed = await call('PATCH', `/v1/rooms/${room.id}`, {
      token: await tokenFor(OWNER),
      body: { webhook_secret: null },
    });
    expect(removed.body?.webhook_secret).toBeNull();
    await join(room.name);
    await deliverPending(room.id);
    const [got] = await receiver.received('/unsigned');
    expect(got?.headers['x-webhook-event']).toBe('meeting.started');
    expect(got?.headers).not.toHaveProperty('x-webhook-signature');
  });

  it("gives meeting.ended the participants' count and their join and leave times", async () => {
    const room = await roomWithHook('/participants');
    const joined = await join(room.name);
    const meetingId = joined.body?.id as string;
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO participant_sessions (meeting_id, participant_id, user_id, user_name, joined_at, left_at) VALUES (?, 'p-1', 'u-1', 'Ada', 1700000000000, 1700000600000)",
      ).bind(meetingId),
      env.DB.prepare(
        "INSERT INTO participant_sessions (meeting_id, participant_id, joined_at) VALUES (?, 'p-2', 1700000100000)",
      ).bind(meetingId),
    ]);
    await callAndWait('PATCH', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER), body: { is_locked: true } });
    await deliverPending(room.id);
    await deliverPending(room.id);
    const [, ended] = await receiver.received('/participants');
    const body = JSON.parse(ended?.body ?? '{}');
    expect(body.event).toBe('meeting.ended');
    expect(body.meeting.ended_at).toMatch(/^\d{4}-/);
    expect(body.participants).toEqual({
      count: 2,
      sessions: [
        {
          participant_id: 'p-1',
          user_id: 'u-1',
          user_name: 'Ada',
          joined_at: '2023-11-14T22:13:20.000Z',
          left_at: '2023-11-14T22:23:20.000Z',
        },
        { participant_id: 'p-2', user_id: null, user_name: null, joined_at: '2023-11-14T22:15:00.000Z', left_at: null },
      ],
    });
  });

  it('retries an answer other than 2xx with backoff, the same event_id and body each time, then keeps it as failed', async () => {
    const room = await roomWithHook('/failing');
    await join(room.name);
    await receiver.behave({ path: '/failing', status: 503, body: 'down for maintenance' });
    const delays: (number | undefined)[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      // The retry's time has come.
      await env.DB.prepare('UPDATE room_webhook_deliveries SET next_attempt_at = 0').run();
      const [row] = await deliveryRows(room.id);
      const before = Date.now();
      const { sent } = await deliver([messageFor(row as never)]);
      const [after] = await deliveryRows(room.id);
      if (attempt < 6) {
        expect(after).toMatchObject({ status: 'pending', attempts: attempt + 1, last_status: 503 });
        expect(after?.last_error).toContain('503');
        delays.push(sent[0]?.delaySeconds);
        expect(after?.next_attempt_at).toBeGreaterThanOrEqual(before + (sent[0]?.delaySeconds ?? 0) * 1000);
      } else {
        expect(sent).toEqual([]);
        expect(after).toMatchObject({ status: 'failed', attempts: 7, last_status: 503 });
      }
    }
    // First retry within 30 s, the second within 2 minutes of it, at least 5 over at least 30 minutes.
    expect(delays).toEqual([10, 60, 300, 900, 1800, 3600]);
    const received = await receiver.received('/failing');
    expect(received.map((r) => r.headers['x-webhook-retry'])).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
  });

  it('does not follow a redirect: a 3xx is a failure', async () => {
    const room = await roomWithHook('/moved');
    await join(room.name);
    await receiver.behave({ path: '/moved', status: 302, location: hookUrl('/elsewhere') });
    await deliverPending(room.id);
    expect(await receiver.received('/elsewhere')).toEqual([]);
    expect((await deliveryRows(room.id))[0]).toMatchObject({ status: 'pending', attempts: 1, last_status: 302 });
  });

  it('cuts a receiver that does not answer at 10 s and retries', async () => {
    const room = await roomWithHook('/hanging');
    await join(room.name);
    await receiver.behave({ path: '/hanging', hang: true });
    const started = Date.now();
    await deliverPending(room.id);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(9_500);
    expect(took).toBeLessThan(15_000);
    const [row] = await deliveryRows(room.id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status: null });
    expect(row?.last_error).toMatch(/10 s/);
  }, 30_000);

  it('checks the URL before every send: a private address is never called, and the delivery is kept as failed', async () => {
    const room = await roomWithHook('/private');
    await join(room.name);
    await env.DB.prepare("UPDATE rooms SET webhook_url = 'https://127.0.0.1/private' WHERE id = ?").bind(room.id).run();
    await deliverPending(room.id);
    expect(await receiver.received('/private')).toEqual([]);
    const [row] = await deliveryRows(room.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.last_error).toMatch(/public host/);
  });

  it("delivers a meeting's started before its ended, whichever message comes first", async () => {
    const room = await roomWithHook('/order');
    await join(room.name);
    await callAndWait('PATCH', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER), body: { is_locked: true } });
    const [started, ended] = await deliveryRows(room.id);
    const early = await deliver([messageFor(ended as never)]);
    expect(await receiver.received('/order')).toEqual([]);
    // Held back, not an attempt: it comes again a little later.
    expect(early.sent).toEqual([{ body: messageFor(ended as never), delaySeconds: expect.any(Number) }]);
    await deliver([messageFor(started as never), messageFor(ended as never)]);
    await deliver([messageFor(ended as never)]);
    const events = (await receiver.received('/order')).map((r) => r.headers['x-webhook-event']);
    expect(events).toEqual(['meeting.started', 'meeting.ended']);
  });

  it("still delivers a deleted room's last events, to the URL it had", async () => {
    const room = await roomWithHook('/deleted');
    await join(room.name);
    await callAndWait('DELETE', `/v1/rooms/${room.id}`, { token: await tokenFor(OWNER) });
    await deliverPending(room.id);
    await deliverPending(room.id);
    const events = (await receiver.received('/deleted')).map((r) => JSON.parse(r.body));
    expect(events.map((e) => e.event)).toEqual(['meeting.started', 'meeting.ended']);
    expect(events[1].room).toEqual({ id: room.id, name: room.name });
  });

  it('gives a repeated message of an attempt already made nothing to do', async () => {
    const room = await roomWithHook('/once');
    await join(room.name);
    const [row] = await deliveryRows(room.id);
    await deliver([messageFor(row as never)]);
    await deliver([messageFor(row as never)]);
    expect(await receiver.received('/once')).toHaveLength(1);
  });

  it('has the Cron hand the queue the deliveries whose message was lost', async () => {
    const room = await roomWithHook('/lost');
    await join(room.name);
    await env.DB.prepare('UPDATE room_webhook_deliveries SET queued_at = NULL, next_attempt_at = 0').run();
    const sent: unknown[] = [];
    const queue = {
      send: async (body: unknown) => void sent.push(body),
      sendBatch: async (b: { body: unknown }[]) => void sent.push(...b.map((m) => m.body)),
    };
    const ctx = createExecutionContext();
    worker.scheduled(
      createScheduledController({ scheduledTime: Date.now(), cron: '*/5 * * * *' }),
      { ...env, ROOM_WEBHOOKS: queue as unknown as Queue },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const [row] = await deliveryRows(room.id);
    expect(sent).toEqual([messageFor(row as never)]);
    expect(row?.queued_at).not.toBeNull();
  });
});

describe('recording.stored and the lookup', () => {
  async function storedRecording(path: string, declined: boolean) {
    const room = await roomWithHook(path);
    const joined = await join(room.name);
    const meetingId = joined.body?.id as string;
    if (declined) await call('POST', `/v1/meetings/${meetingId}/consent`, { body: { consent_given: false } });
    const id = crypto.randomUUID();
    const key = `${joined.body?.room_name}-2026-11-24T10:15:02Z.mp4`;
    await env.DB.prepare(
      "INSERT INTO recordings (id, platform, meeting_id, platform_recording_id, object_key, status, duration, started_at, created_at, updated_at) VALUES (?, 'whereby', ?, ?, ?, 'ready', 61, 1764000000000, 1, 1)",
    )
      .bind(id, meetingId, `rec-${id}`, key)
      .run();
    await markRecordingStored(database(env), id, 12345);
    return { room, meetingId, id, key };
  }

  it('sends the recording, its consent and its meeting', async () => {
    const { room, meetingId, id, key } = await storedRecording('/stored', true);
    await deliverPending(room.id);
    await deliverPending(room.id);
    const [, stored] = await receiver.received('/stored');
    const body = JSON.parse(stored?.body ?? '{}');
    expect(body).toMatchObject({
      event: 'recording.stored',
      room: { id: room.id, name: room.name },
      recording: {
        id,
        platform: 'whereby',
        object_key: key,
        bucket: servers.s3.bucket,
        size: 12345,
        duration: 61,
        start_ts: 1764000000,
      },
      consent: { asked: true, any_declined: true },
      meeting: { id: meetingId, platform: 'whereby' },
    });
  });

  const lookup = (key: string | null, token: string | null = 'test-pipeline-token') =>
    call('GET', `/v1/recordings/lookup${key === null ? '' : `?object_key=${encodeURIComponent(key)}`}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it('answers the pipeline the same body for an object key', async () => {
    const { room, key } = await storedRecording('/lookup', false);
    await deliverPending(room.id);
    await deliverPending(room.id);
    const [, stored] = await receiver.received('/lookup');
    const sent = JSON.parse(stored?.body ?? '{}');
    const answer = await lookup(key);
    expect(answer.status).toBe(200);
    const { event_id: _a, timestamp: _b, ...rest } = sent;
    expect(answer.body).toMatchObject({ ...rest, consent: { asked: true, any_declined: false } });
  });

  it('refuses without the token, with a bad key, and knows no unknown object', async () => {
    await storedRecording('/lookup-refused', false);
    expect((await lookup('x.mp4', null)).status).toBe(401);
    expect((await lookup('x.mp4', 'wrong')).status).toBe(401);
    expect((await lookup(null)).body).toMatchObject({ code: 'validation', field: 'object_key' });
    expect((await lookup('k'.repeat(1025))).status).toBe(422);
    expect((await lookup('nothing-here.mp4')).body).toMatchObject({ code: 'not-found' });
  });
});

describe('failures shown and re-sent', () => {
  async function failedDelivery(path: string) {
    const room = await roomWithHook(path);
    await join(room.name);
    await env.DB.prepare(
      "UPDATE room_webhook_deliveries SET status = 'failed', attempts = 7, last_status = 500, last_error = 'the receiver answered 500' WHERE room_id = ?",
    )
      .bind(room.id)
      .run();
    return room;
  }

  it("shows the owner their room's failed deliveries and a summary on the room, and nobody else", async () => {
    const room = await failedDelivery('/shown');
    const owner = await tokenFor(OWNER);
    const list = await call('GET', `/v1/rooms/${room.id}/webhook/deliveries?status=failed`, { token: owner });
    expect(list.status).toBe(200);
    expect(list.body?.items).toEqual([
      expect.objectContaining({
        event: 'meeting.started',
        status: 'failed',
        last_status: 500,
        last_error: 'the receiver answered 500',
        attempts: 7,
      }),
    ]);
    const rooms = await call('GET', '/v1/rooms', { token: owner });
    const mine = rooms.body?.items.find((r: { id: string }) => r.id === room.id);
    expect(mine.webhook_failures).toMatchObject({ count: 1, last_error: 'the receiver answered 500' });
    expect(mine.webhook_url).toBe(hookUrl('/shown'));
    const stranger = await call('GET', `/v1/rooms/${room.id}/webhook/deliveries`, { token: await tokenFor(STRANGER) });
    expect(stranger.status).toBe(403);
  });

  it('lets the owner re-send a failed delivery, which is delivered again with the same event_id', async () => {
    const room = await failedDelivery('/resend');
    const [row] = await deliveryRows(room.id);
    const owner = await tokenFor(OWNER);
    const path = `/v1/rooms/${room.id}/webhook/deliveries/${row?.id}/resend`;
    const resent = await callAndWait('POST', path, { token: owner });
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ id: row?.id, status: 'pending', last_error: 'the receiver answered 500' });
    // Handed to the queue after the answer.
    expect((await deliveryRows(room.id))[0]?.queued_at).not.toBeNull();
    // Pending already: nothing to re-send.
    expect((await call('POST', path, { token: owner })).status).toBe(409);
    await deliverPending(room.id);
    const [got] = await receiver.received('/resend');
    expect(JSON.parse(got?.body ?? '{}').event_id).toBe(row?.event_id);
    expect(got?.headers['x-webhook-retry']).toBe('7');
    expect((await deliveryRows(room.id))[0]).toMatchObject({ status: 'delivered', last_status: 200 });
  });

  it('re-sends every failed delivery of a room at once', async () => {
    const room = await failedDelivery('/resend-all');
    const answer = await callAndWait('POST', `/v1/rooms/${room.id}/webhook/deliveries/resend`, {
      token: await tokenFor(OWNER),
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ resent: 1 });
    expect((await deliveryRows(room.id))[0]).toMatchObject({ status: 'pending' });
  });

  it("shows admins every room's failed deliveries", async () => {
    const first = await failedDelivery('/admin-a');
    const second = await failedDelivery('/admin-b');
    const list = await call('GET', '/v1/webhook-deliveries?status=failed', { token: await tokenFor(ADMIN) });
    expect(list.status).toBe(200);
    expect(list.body?.items.map((item: { room_id: string }) => item.room_id).sort()).toEqual(
      [first.id, second.id].sort(),
    );
    expect((await call('GET', '/v1/webhook-deliveries', { token: await tokenFor(OWNER) })).status).toBe(403);
  });

  it('refuses a delivery of another room, and an unknown one, with 404', async () => {
    const room = await failedDelivery('/other-a');
    const other = await failedDelivery('/other-b');
    const [row] = await deliveryRows(other.id);
    const owner = await tokenFor(OWNER);
    expect(
      (await call('POST', `/v1/rooms/${room.id}/webhook/deliveries/${row?.id}/resend`, { token: owner })).status,
    ).toBe(404);
    expect((await call('POST', `/v1/rooms/${room.id}/webhook/deliveries/999999/resend`, { token: owner })).status).toBe(
      404,
    );
    expect((await call('POST', `/v1/rooms/${room.id}/webhook/deliveries/nope/resend`, { token: owner })).status).toBe(
      422,
    );
  });
});
