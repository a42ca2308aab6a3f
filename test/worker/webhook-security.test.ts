import { env } from 'cloudflare:workers';
import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { dailyEvent, dailySignature, wherebyEvent, wherebySignature } from '../../dev/provider-webhooks';
import { WEBHOOK_SECRETS } from '../servers';
import { requestWith, resetWorld } from './helpers';
import { meetingOn, sendDaily, sendWhereby, webhookState } from './webhook-helpers';

// The webhooks' signatures and the events they refuse or leave alone, route by route: the
// signatures that pass (happy path), the input refused or taken and left alone (error cases), and
// the senders refused (security). What each event does once taken is in webhook-events.test.ts.

beforeEach(resetWorld);

const MINUTE = 60;
const seconds = () => Math.floor(Date.now() / 1000);

// The Worker and dev/provider-webhooks.ts both sign with WebCrypto; a signature made with
// node:crypto shows that they agree with another HMAC implementation too, not only with each other.
const nodeHmac = (key: string | Buffer, message: string, digest: 'base64' | 'hex') =>
  createHmac('sha256', key).update(message).digest(digest);

async function dailyJoin() {
  const meeting = await meetingOn('daily', 'signed-daily');
  const event = dailyEvent('participant.joined', {
    room: meeting.roomName,
    session_id: 's-1',
    user_id: null,
    user_name: 'Ada',
    joined_at: seconds(),
  });
  return { meeting, event, body: JSON.stringify(event) };
}

async function wherebyJoin() {
  const meeting = await meetingOn('whereby', 'signed-whereby');
  const event = wherebyEvent('room.client.joined', {
    meetingId: meeting.platformMeetingId,
    roomName: `/${meeting.roomName}`,
    participantId: 'p-1',
    displayName: 'Ada',
  });
  return { meeting, event, body: JSON.stringify(event) };
}

/** Sends the request and checks it was refused with the status and that nothing changed. */
async function expectRefused(
  send: () => Promise<{ status: number; body: Record<string, any> | null }>,
  status: number,
  detail?: string,
) {
  const before = await webhookState();
  const response = await send();
  expect(response.status).toBe(status);
  if (detail) expect(response.body?.detail).toContain(detail);
  expect(await webhookState()).toEqual(before);
}

describe('POST /v1/daily/webhook', () => {
  describe('happy path', () => {
    it('accepts a correctly signed event and applies it', async () => {
      const { body } = await dailyJoin();
      const response = await sendDaily(body);
      expect(response).toMatchObject({ status: 200, body: { status: 'applied' } });
    });

    it('accepts the signature as node:crypto computes it from PROVIDERS.md', async () => {
      const { body } = await dailyJoin();
      const timestamp = String(seconds());
      const signature = nodeHmac(Buffer.from(WEBHOOK_SECRETS.daily, 'base64'), `${timestamp}.${body}`, 'base64');
      const headers = { 'x-webhook-signature': signature, 'x-webhook-timestamp': timestamp };
      expect(await sendDaily(body, headers)).toMatchObject({ status: 200, body: { status: 'applied' } });
    });

    it('accepts the timestamp in milliseconds too', async () => {
      const { body } = await dailyJoin();
      expect((await sendDaily(body, await dailySignature(body, WEBHOOK_SECRETS.daily, Date.now()))).status).toBe(200);
    });

    it('accepts a signature over the compact re-serialisation of a pretty-printed body', async () => {
      const { event } = await dailyJoin();
      const pretty = JSON.stringify(event, null, 2);
      expect((await sendDaily(pretty, await dailySignature(JSON.stringify(event), WEBHOOK_SECRETS.daily))).status).toBe(
        200,
      );
    });

    it('accepts timestamps up to 5 minutes old', async () => {
      const { body } = await dailyJoin();
      expect(
        (await sendDaily(body, await dailySignature(body, WEBHOOK_SECRETS.daily, seconds() - 4 * MINUTE))).status,
      ).toBe(200);
    });
  });

  describe('error cases', () => {
    it('refuses authentic but malformed JSON with 400', async () => {
      await expectRefused(() => sendDaily('{"type": "participant.joined", '), 400, 'not JSON');
    });

    it('refuses an authentic event of a known type whose payload is not documented with 400', async () => {
      const { meeting } = await dailyJoin();
      const event = dailyEvent('participant.joined', { room: meeting.roomName, joined_at: 'soon' });
      await expectRefused(() => sendDaily(event), 400, 'participant.joined payload is not as documented');
    });

    it('refuses a time no date can hold with 400, rather than failing on it', async () => {
      const { meeting } = await dailyJoin();
      const ready = {
        type: 'cloud',
        recording_id: 'r',
        room_name: meeting.roomName,
        start_ts: 1e16,
        status: 'finished',
        duration: 1,
      };
      await expectRefused(() => sendDaily(dailyEvent('recording.ready-to-download', ready)), 400, 'start_ts');
      await expectRefused(
        () => sendDaily({ ...dailyEvent('meeting.started', { room: meeting.roomName, start_ts: 1 }), event_ts: 1e308 }),
        400,
        'event_ts',
      );
    });

    it('refuses an envelope without an id with 400', async () => {
      await expectRefused(() => sendDaily({ type: 'meeting.started', payload: {} }), 400, 'envelope');
    });

    it('refuses a body over 1 MB with 413', async () => {
      const body = JSON.stringify({
        ...dailyEvent('meeting.started', { room: 'x', start_ts: seconds() }),
        padding: 'x'.repeat(1024 * 1024),
      });
      await expectRefused(() => sendDaily(body), 413, '1 MB');
    });

    it('answers an event of an unknown meeting with 200 and logs it', async () => {
      const response = await sendDaily(
        dailyEvent('participant.joined', {
          room: 'no-such-room',
          session_id: 's',
          user_id: null,
          user_name: null,
          joined_at: seconds(),
        }),
      );
      expect(response.body).toEqual({ status: 'unknown-meeting' });
      const { events, sessions } = await webhookState();
      expect(events).toMatchObject([{ outcome: 'unknown-meeting', meeting_id: null }]);
      expect(sessions).toEqual([]);
    });

    it('answers a repeat delivery with 200 and changes nothing', async () => {
      const { body } = await dailyJoin();
      expect((await sendDaily(body)).body).toEqual({ status: 'applied' });
      await expectRefused(() => sendDaily(body), 200);
      expect((await sendDaily(body)).body).toEqual({ status: 'duplicate' });
    });
  });

  describe('security', () => {
    it('refuses a tampered body', async () => {
      const { body } = await dailyJoin();
      await expectRefused(
        async () => sendDaily(body.replace('Ada', 'Eve'), await dailySignature(body, WEBHOOK_SECRETS.daily)),
        401,
        'does not match',
      );
    });

    it('refuses a signature made with another secret', async () => {
      const { body } = await dailyJoin();
      await expectRefused(
        async () => sendDaily(body, await dailySignature(body, btoa('another-secret'))),
        401,
        'does not match',
      );
    });

    it.each([
      ['no headers', {}],
      ['no timestamp', { 'x-webhook-signature': 'abc=' }],
      ['no signature', { 'x-webhook-timestamp': '1' }],
    ])('refuses an event with %s', async (_, headers) => {
      const { body } = await dailyJoin();
      await expectRefused(() => sendDaily(body, headers), 401, 'missing');
    });

    it.each([
      ['stale', -6 * MINUTE],
      ['future', 6 * MINUTE],
    ])('refuses a %s timestamp, even correctly signed', async (_, offset) => {
      const { body } = await dailyJoin();
      await expectRefused(
        async () => sendDaily(body, await dailySignature(body, WEBHOOK_SECRETS.daily, seconds() + offset)),
        401,
        '5 minutes',
      );
    });

    it('refuses a timestamp that is not a number', async () => {
      const { body } = await dailyJoin();
      await expectRefused(
        async () => sendDaily(body, await dailySignature(body, WEBHOOK_SECRETS.daily, 'yesterday')),
        401,
        'not a number',
      );
    });

    it('answers the unsigned {"test":"test"} ping with 200 and changes nothing', async () => {
      await expectRefused(() => sendDaily('{"test":"test"}', {}), 200);
    });

    it('does not take a signed-looking body with more than the ping for the ping', async () => {
      await expectRefused(() => sendDaily('{"test":"test","type":"participant.joined"}', {}), 401);
    });

    it('fails closed when its secret is not configured', async () => {
      const { body } = await dailyJoin();
      const before = await webhookState();
      const response = await requestWith(
        '/v1/daily/webhook',
        { method: 'POST', body, headers: await dailySignature(body, WEBHOOK_SECRETS.daily) },
        { ...env, DAILY_WEBHOOK_SECRET: '' },
      );
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        detail: expect.stringContaining('DAILY_WEBHOOK_SECRET is not set'),
        code: 'not-configured',
        request_id: response.headers.get('x-request-id'),
      });
      expect(await webhookState()).toEqual(before);
    });
  });
});

describe('POST /v1/whereby', () => {
  describe('happy path', () => {
    it('accepts a correctly signed event and applies it', async () => {
      const { body } = await wherebyJoin();
      expect(await sendWhereby(body)).toMatchObject({ status: 200, body: { status: 'applied' } });
    });

    it('accepts the signature as node:crypto computes it from PROVIDERS.md', async () => {
      const { body } = await wherebyJoin();
      const t = seconds();
      const headers = { 'whereby-signature': `t=${t},v1=${nodeHmac(WEBHOOK_SECRETS.whereby, `${t}.${body}`, 'hex')}` };
      expect(await sendWhereby(body, headers)).toMatchObject({ status: 200, body: { status: 'applied' } });
    });

    it('accepts the header’s parts in any order and the compact re-serialisation', async () => {
      const { event } = await wherebyJoin();
      const compact = JSON.stringify(event);
      const [t, v1] = (await wherebySignature(compact, WEBHOOK_SECRETS.whereby))['whereby-signature'].split(',');
      expect((await sendWhereby(JSON.stringify(event, null, 1), { 'whereby-signature': `${v1},${t}` })).status).toBe(
        200,
      );
    });
  });

  describe('error cases', () => {
    it('refuses authentic but malformed events with 400', async () => {
      await expectRefused(() => sendWhereby('not json at all'), 400, 'not JSON');
      await expectRefused(
        () => sendWhereby(wherebyEvent('room.client.joined', { roomName: '/x' })),
        400,
        'room.client.joined data is not as documented',
      );
      await expectRefused(() => sendWhereby({ id: 'e', type: 'room.client.joined', data: {} }), 400, 'createdAt');
    });

    it('refuses a body over 1 MB with 413', async () => {
      await expectRefused(
        () =>
          sendWhereby({
            ...wherebyEvent('room.session.started', { meetingId: '1' }),
            padding: 'y'.repeat(1024 * 1024 + 1),
          }),
        413,
      );
    });

    it('counts a repeat of an event as a repeat even when it arrives at the same moment', async () => {
      const { body } = await wherebyJoin();
      const responses = await Promise.all(Array.from({ length: 10 }, () => sendWhereby(body)));
      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
      expect(responses.filter((response) => response.body?.status === 'applied')).toHaveLength(1);
      expect((await webhookState()).events).toHaveLength(1);
    });
  });

  describe('security', () => {
    it('refuses a tampered body', async () => {
      const { body } = await wherebyJoin();
      await expectRefused(
        async () => sendWhereby(body.replace('p-1', 'p-2'), await wherebySignature(body, WEBHOOK_SECRETS.whereby)),
        401,
        'does not match',
      );
    });

    it('refuses a signature made with another secret', async () => {
      const { body } = await wherebyJoin();
      await expectRefused(async () => sendWhereby(body, await wherebySignature(body, 'guess')), 401, 'does not match');
    });

    it.each([
      ['no header', {}],
      ['no v1', { 'whereby-signature': `t=${Math.floor(Date.now() / 1000)}` }],
      ['no t', { 'whereby-signature': 'v1=abcd' }],
      ['a signature that is not hex', { 'whereby-signature': `t=${Math.floor(Date.now() / 1000)},v1=zz` }],
    ])('refuses an event with %s', async (_, headers) => {
      const { body } = await wherebyJoin();
      await expectRefused(() => sendWhereby(body, headers), 401);
    });

    it.each([
      ['stale', -6 * MINUTE],
      ['future', 6 * MINUTE],
    ])('refuses a %s timestamp', async (_, offset) => {
      const { body } = await wherebyJoin();
      await expectRefused(
        async () => sendWhereby(body, await wherebySignature(body, WEBHOOK_SECRETS.whereby, seconds() + offset)),
        401,
        '5 minutes',
      );
    });

    it('fails closed when its secret is not configured', async () => {
      const { body } = await wherebyJoin();
      const response = await requestWith(
        '/v1/whereby',
        { method: 'POST', body, headers: await wherebySignature(body, WEBHOOK_SECRETS.whereby) },
        { ...env, WHEREBY_WEBHOOK_SECRET: '' },
      );
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        detail: expect.stringContaining('WHEREBY_WEBHOOK_SECRET is not set'),
        code: 'not-configured',
        request_id: response.headers.get('x-request-id'),
      });
    });
  });
});

describe('POST /v1/daily/webhook and POST /v1/whereby', () => {
  describe('error cases', () => {
    it('answers an authentic unknown type with 200, logs it once and applies nothing', async () => {
      const response = await sendDaily(dailyEvent('waiting-participant.joined', { room: 'anything' }, 'evt-unknown'));
      expect(response.body).toEqual({ status: 'unknown-type' });
      const whereby = await sendWhereby(wherebyEvent('transcription.finished', { meetingId: '1' }, 'w-unknown'));
      expect(whereby.body).toEqual({ status: 'unknown-type' });
      const { events, sessions } = await webhookState();
      expect(events).toMatchObject([
        { platform: 'daily', event_id: 'evt-unknown', outcome: 'unknown-type' },
        { platform: 'whereby', event_id: 'w-unknown', outcome: 'unknown-type' },
      ]);
      expect(sessions).toEqual([]);
    });
  });
});
