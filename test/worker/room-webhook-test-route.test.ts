import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { reflectorProblems } from '../reflector-contract';
import { ADMIN, call, createRoom, OWNER, resetWorld, servers, tokenFor } from './helpers';
import { hookUrl, receiver, signatureHolds } from './room-webhook-helpers';

// "Send test" (POST /v1/rooms/{room_id}/webhook/test): a signed `test` event sent now, answered as
// Reflector's test_webhook answers (WebhookTestResult), for each way the receiver can answer.

const SECRET = 'test-route-secret';
const PATH = '/v1/rooms/{room_id}/webhook/test';

beforeEach(async () => {
  await resetWorld();
  await receiver.reset();
});

async function testOf(fields: Record<string, unknown>, who = OWNER, headers: Record<string, string> = {}) {
  const room = await createRoom(OWNER, { name: `test-${crypto.randomUUID().slice(0, 8)}`, ...fields });
  const answer = await call('POST', `/v1/rooms/${room.id}/webhook/test`, { token: await tokenFor(who), headers });
  if (answer.status === 200) expect(reflectorProblems('post', PATH, answer.status, answer.body)).toEqual([]);
  return { room, answer };
}

describe('POST /v1/rooms/{room_id}/webhook/test', () => {
  it("sends Reflector's signed test event and answers its status and the receiver's text", async () => {
    await receiver.behave({ path: '/test-ok', status: 200, body: '{"received":true}' });
    const { room, answer } = await testOf({ webhook_url: hookUrl('/test-ok'), webhook_secret: SECRET });
    expect(answer.body).toEqual({
      success: true,
      status_code: 200,
      message: 'Webhook test successful',
      error: '',
      response_preview: '{"received":true}',
    });
    const [got] = await receiver.received('/test-ok');
    expect(got?.headers).toMatchObject({ 'x-webhook-event': 'test', 'x-webhook-retry': '0' });
    expect(signatureHolds(got?.headers ?? {}, got?.body ?? '', SECRET)).toBe(true);
    expect(JSON.parse(got?.body ?? '{}')).toEqual({
      event: 'test',
      event_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      timestamp: expect.stringMatching(/^\d{4}-/),
      message: 'This is a test webhook from Reflector',
      room: { id: room.id, name: room.name },
    });
    // A test is not an event of the room's: nothing is kept.
    expect((await env.DB.prepare('SELECT count(*) AS n FROM room_webhook_deliveries').first())?.n).toBe(0);
  });

  it('lets an administrator test any room', async () => {
    const { answer } = await testOf({ webhook_url: hookUrl('/test-admin') }, ADMIN);
    expect(answer.body).toMatchObject({ success: true, status_code: 200 });
  });

  it("answers a receiver's failure with its status, and an empty answer with no preview", async () => {
    await receiver.behave({ path: '/test-500', status: 500, body: '' });
    const { answer } = await testOf({ webhook_url: hookUrl('/test-500') });
    expect(answer.body).toEqual({
      success: false,
      status_code: 500,
      message: 'Webhook test failed',
      error: '',
      response_preview: null,
    });
  });

  it('answers a redirect as a failure and does not follow it', async () => {
    await receiver.behave({ path: '/test-moved', status: 301, location: hookUrl('/test-there') });
    const { answer } = await testOf({ webhook_url: hookUrl('/test-moved') });
    expect(answer.body).toMatchObject({ success: false, status_code: 301 });
    expect(await receiver.received('/test-there')).toEqual([]);
  });

  it('answers a room without a webhook_url as Reflector does', async () => {
    const { answer } = await testOf({});
    expect(answer.body).toEqual({
      success: false,
      error: 'No webhook URL configured',
      message: '',
      status_code: null,
      response_preview: null,
    });
  });

  it('answers a receiver that cannot be reached', async () => {
    const { answer } = await testOf({ webhook_url: `${servers.receiver.unreachableOrigin}/hook` });
    expect(answer.status).toBe(200);
    expect(answer.body?.success).toBe(false);
    expect(answer.body?.error).toMatch(/^Could not connect to webhook URL: /);
  });

  it('answers a receiver that does not answer within 10 s', async () => {
    await receiver.behave({ path: '/test-hang', hang: true });
    const started = Date.now();
    const { answer } = await testOf({ webhook_url: hookUrl('/test-hang') });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(answer.body).toMatchObject({ success: false, error: 'Webhook request timed out (10 seconds)' });
  }, 30_000);

  it('never calls a URL the policy refuses, should one be in the row', async () => {
    const room = await createRoom(OWNER, { name: `test-${crypto.randomUUID().slice(0, 8)}` });
    await env.DB.prepare("UPDATE rooms SET webhook_url = 'https://10.0.0.1/hook' WHERE id = ?").bind(room.id).run();
    const answer = await call('POST', `/v1/rooms/${room.id}/webhook/test`, { token: await tokenFor(OWNER) });
    expect(answer.body).toMatchObject({ success: false, error: expect.stringMatching(/public host/) });
  });

  it('refuses strangers (403), unknown rooms (404) and the anonymous (401)', async () => {
    const { answer } = await testOf({ webhook_url: hookUrl('/test-stranger') }, 'stranger-1');
    expect(answer.status).toBe(403);
    expect(await receiver.received('/test-stranger')).toEqual([]);
    expect((await call('POST', '/v1/rooms/nope/webhook/test', { token: await tokenFor(OWNER) })).status).toBe(404);
    expect((await call('POST', '/v1/rooms/nope/webhook/test')).status).toBe(401);
  });

  it('limits the tests of a room per client', async () => {
    const room = await createRoom(OWNER, {
      name: `test-${crypto.randomUUID().slice(0, 8)}`,
      webhook_url: hookUrl('/test-limit'),
    });
    const token = await tokenFor(OWNER);
    const headers = { 'cf-connecting-ip': '198.51.100.77' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await call('POST', `/v1/rooms/${room.id}/webhook/test`, { token, headers })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(await receiver.received('/test-limit')).toHaveLength(3);
  });
});
