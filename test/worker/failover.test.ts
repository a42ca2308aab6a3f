import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ADMIN, call, createRoom, OWNER, requestWith, resetWorld, setFlags, standIn, tokenFor } from './helpers';

// Failover (SPEC §9): a room's next meeting goes to the other provider while its own is failing,
// by a create that failed for good or by the provider's open circuit breaker. The rooms here are
// on Daily (the switch on, the room's own platform), and Daily is the one that fails.

type Json = Record<string, any>;

let lines: string[] = [];

beforeEach(async () => {
  await resetWorld();
  await setFlags({ DAILY_MIGRATION_ENABLED: 'true' });
  lines = [];
  vi.spyOn(console, 'warn').mockImplementation((line: unknown) => void lines.push(String(line)));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const join = (room: string) => call('POST', `/v1/rooms/${room}/meeting`);
const joinWith = async (room: string, bindings: Record<string, unknown>) => {
  const response = await requestWith(`/v1/rooms/${room}/meeting`, { method: 'POST' }, { ...env, ...bindings });
  return { status: response.status, body: (await response.json()) as Json };
};
const dailyRoom = (name: string) => createRoom(OWNER, { name, platform: 'daily' });

/** Daily's API answers 503 to everything until `standIn.clearFaults('daily')`. */
const dailyGoesDown = () =>
  standIn.fault('daily', {
    path: '^/v1/',
    status: 503,
    body: { error: 'server-error', info: 'service unavailable' },
    times: 'until-cleared',
  });
const dailyCreates = async () =>
  (await standIn.requests('daily')).filter((request) => request.method === 'POST' && request.path === '/v1/rooms');
const wherebyCreates = async () =>
  (await standIn.requests('whereby')).filter((request) => request.method === 'POST' && request.path === '/v1/meetings');
const breakers = async () => (await call('GET', '/v1/health')).body?.breakers as Json;
const failoverLines = () =>
  lines.map((line) => JSON.parse(line) as Json).filter((line) => line.message === 'meeting failed over');

/** Three rooms whose creates fail in a row: Daily's breaker opens. */
async function openDailysBreaker() {
  await dailyGoesDown();
  for (const name of ['first-down', 'second-down', 'third-down']) {
    await dailyRoom(name);
    expect((await join(name)).body?.platform).toBe('whereby');
  }
  expect((await breakers()).daily.state).toBe('open');
}

/** The clock jumps ahead, and runs on from there (only Date is faked: timers and I/O run as usual). */
function later(ms: number) {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(Date.now() + ms);
}

describe('failover of a new meeting', () => {
  describe('happy path', () => {
    it('makes the meeting at Whereby when Daily’s create fails for good, and says so', async () => {
      await dailyRoom('rescued');
      await standIn.fault('daily', { method: 'POST', path: '^/v1/rooms$', status: 503, times: 3 });
      const response = await join('rescued');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ platform: 'whereby', failover_from: 'daily', is_active: true });
      expect(response.body?.room_url).toMatch(/^https:\/\/stand-in\.whereby\.com\//);
      expect(await dailyCreates()).toHaveLength(3); // one create, retried twice: it counts once
      expect(await wherebyCreates()).toHaveLength(1);
      const row = await env.DB.prepare('SELECT platform, failover_from FROM meetings').first();
      expect(row).toEqual({ platform: 'whereby', failover_from: 'daily' });
      expect(failoverLines()).toEqual([
        expect.objectContaining({ room_name: 'rescued', from: 'daily', to: 'whereby', reason: 'create-failed' }),
      ]);
      // One failed create is not yet an outage.
      expect((await breakers()).daily).toMatchObject({ state: 'closed', calls: 1, failures: 1 });
    });

    it('fails over a create that times out or cannot reach Daily, and one Daily keeps rate-limiting', async () => {
      await dailyRoom('unreachable');
      await standIn.fault('daily', { method: 'POST', path: '^/v1/rooms$', status: 0, times: 3 });
      expect((await join('unreachable')).body).toMatchObject({ platform: 'whereby', failover_from: 'daily' });
      await dailyRoom('throttled');
      await standIn.fault('daily', {
        method: 'POST',
        path: '^/v1/rooms$',
        status: 429,
        body: { error: 'rate-limit-error', info: 'slow down' },
        headers: { 'retry-after': '0' },
        times: 3,
      });
      expect((await join('throttled')).body).toMatchObject({ platform: 'whereby', failover_from: 'daily' });
    });

    it('reuses the failed-over meeting while it is active, then goes back to Daily once it ends', async () => {
      await dailyRoom('comes-back');
      await standIn.fault('daily', { method: 'POST', path: '^/v1/rooms$', status: 500, times: 3 });
      const rescued = (await join('comes-back')).body as Json;
      expect(rescued.failover_from).toBe('daily');
      // Daily is fine again, but the meeting people are in stays where it is.
      expect((await join('comes-back')).body).toMatchObject({ id: rescued.id, platform: 'whereby' });
      await env.DB.prepare('UPDATE meetings SET end_date = ? WHERE id = ?')
        .bind(new Date(Date.now() - 1000).toISOString(), rescued.id)
        .run();
      const next = (await join('comes-back')).body as Json;
      expect(next).toMatchObject({ platform: 'daily', failover_from: null });
      expect(next.id).not.toBe(rescued.id);
    });

    it('opens Daily’s breaker after 3 failed creates in a row: new meetings go to Whereby without asking Daily', async () => {
      await openDailysBreaker();
      const health = await breakers();
      expect(health.daily).toMatchObject({ calls: 3, failures: 3, failures_in_a_row: 3 });
      expect(Date.parse(health.daily.retry_at) - Date.now()).toBeGreaterThan(29_000);
      expect(health.whereby.state).toBe('closed');
      const asked = (await dailyCreates()).length;

      await dailyRoom('while-open');
      const response = await join('while-open');
      expect(response.body).toMatchObject({ platform: 'whereby', failover_from: 'daily' });
      expect(await dailyCreates()).toHaveLength(asked);
      expect(failoverLines().at(-1)).toMatchObject({ room_name: 'while-open', reason: 'breaker-open' });
    });

    it('lets one trial create through after 30 s; its success closes the breaker', async () => {
      await openDailysBreaker();
      await standIn.clearFaults('daily');
      later(31_000);
      expect((await breakers()).daily.state).toBe('half-open');
      await dailyRoom('trial');
      expect((await join('trial')).body).toMatchObject({ platform: 'daily', failover_from: null });
      expect((await breakers()).daily).toMatchObject({ state: 'closed', calls: 0, failures_in_a_row: 0 });
      await dailyRoom('after-trial');
      expect((await join('after-trial')).body?.platform).toBe('daily');
    });

    it('reopens the breaker for twice as long when the trial fails, and lets only one trial go at a time', async () => {
      await openDailysBreaker();
      later(31_000);
      const asked = (await dailyCreates()).length;
      await Promise.all(['trial-a', 'trial-b', 'trial-c'].map(dailyRoom));
      const answers = await Promise.all(['trial-a', 'trial-b', 'trial-c'].map(join));
      expect(answers.map((answer) => answer.body?.platform)).toEqual(['whereby', 'whereby', 'whereby']);
      // One trial create (with its retries) reached Daily; the other two joins did not ask it.
      expect((await dailyCreates()).length - asked).toBe(3);
      const daily = (await breakers()).daily;
      expect(daily.state).toBe('open');
      expect(Date.parse(daily.retry_at) - Date.now()).toBeGreaterThan(59_000);
      expect(Date.parse(daily.retry_at) - Date.now()).toBeLessThanOrEqual(60_000);
    });

    it('counts each platform’s failovers in the metrics', async () => {
      await openDailysBreaker();
      const metrics = await call('GET', '/v1/metrics?window=1h', { token: await tokenFor(ADMIN) });
      expect(metrics.body?.platforms.daily.failovers).toEqual({ from: 3, to: 0 });
      expect(metrics.body?.platforms.whereby.failovers).toEqual({ from: 0, to: 3 });
      expect(metrics.body?.platforms.whereby.meetings.created).toBe(3);
    });

    it('never moves an active meeting, and its join asks no breaker', async () => {
      await dailyRoom('in-a-call');
      const meeting = (await join('in-a-call')).body as Json;
      await openDailysBreaker();
      let asked = 0;
      const counting = new Proxy(env.BREAKERS, {
        get: (target, key) => {
          if (key === 'get' || key === 'idFromName') asked += 1;
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const again = await joinWith('in-a-call', { BREAKERS: counting });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: meeting.id, platform: 'daily', failover_from: null });
      expect(asked).toBe(0);
    });
  });

  describe('error cases', () => {
    it('does not fail over a refusal (a 4xx other than 429): the provider is up', async () => {
      await standIn.fault('daily', {
        method: 'POST',
        path: '^/v1/rooms$',
        status: 400,
        body: { error: 'invalid-request-error', info: 'exp is in the past' },
        times: 3,
      });
      for (const name of ['refused-1', 'refused-2', 'refused-3']) {
        await dailyRoom(name);
        expect((await join(name)).status).toBe(502);
      }
      expect(await dailyCreates()).toHaveLength(3);
      expect(await wherebyCreates()).toHaveLength(0);
      expect((await breakers()).daily).toMatchObject({ state: 'closed', failures: 0 });
    });

    it('with PROVIDER_FAILOVER=false watches and shows the breaker but holds no call back', async () => {
      await dailyGoesDown();
      for (const name of ['alone-1', 'alone-2', 'alone-3', 'alone-4']) {
        await dailyRoom(name);
        const response = await joinWith(name, { PROVIDER_FAILOVER: 'false' });
        expect(response.status).toBe(503);
        expect(response.body.code).toBe('provider-unavailable');
      }
      // The fourth join asked Daily although its breaker was open; Whereby was never asked.
      expect(await dailyCreates()).toHaveLength(4 * 3);
      expect(await wherebyCreates()).toHaveLength(0);
      expect((await breakers()).daily.state).toBe('open');
      const health = await requestWith('/v1/health', {}, { ...env, PROVIDER_FAILOVER: 'false' });
      expect(await health.json()).toMatchObject({ provider_failover: false, breakers: { daily: { state: 'open' } } });
    });

    it('does not fail over when the other platform is not configured', async () => {
      await dailyRoom('nowhere-else');
      await standIn.fault('daily', { method: 'POST', path: '^/v1/rooms$', status: 503, times: 3 });
      const response = await joinWith('nowhere-else', { WHEREBY_API_KEY: '' });
      expect(response.status).toBe(503);
      expect(response.body.detail).toBe('Daily could not create the room: it answered 503 (HTTP 503).');
      expect(await wherebyCreates()).toHaveLength(0);
    });

    it('answers 503 saying both are failing when Whereby’s create fails too, writing no meeting', async () => {
      await dailyRoom('both-fail');
      await standIn.fault('daily', { method: 'POST', path: '^/v1/rooms$', status: 503, times: 3 });
      await standIn.fault('whereby', { method: 'POST', path: '^/v1/meetings$', status: 503, times: 3 });
      const response = await join('both-fail');
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        code: 'provider-unavailable',
        detail: 'Daily and Whereby are both failing; try again in a few minutes.',
      });
      expect(await wherebyCreates()).toHaveLength(3);
      expect(await env.DB.prepare('SELECT count(*) AS n FROM meetings').first()).toEqual({ n: 0 });
    });

    it('answers 503 when both are failing, asking neither while both breakers are open', async () => {
      await openDailysBreaker();
      await standIn.fault('whereby', { path: '^/v1/', status: 503, times: 'until-cleared' });
      for (const name of ['whereby-1', 'whereby-2', 'whereby-3']) {
        await createRoom(OWNER, { name });
        expect((await join(name)).status).toBe(503);
      }
      expect((await breakers()).whereby.state).toBe('open');
      const [dailyAsked, wherebyAsked] = [(await dailyCreates()).length, (await wherebyCreates()).length];
      await dailyRoom('both-down');
      const response = await join('both-down');
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        code: 'provider-unavailable',
        detail: 'Daily and Whereby are both failing; try again in a few minutes.',
      });
      expect(await dailyCreates()).toHaveLength(dailyAsked);
      expect(await wherebyCreates()).toHaveLength(wherebyAsked);
      expect(
        await env.DB.prepare("SELECT count(*) AS n FROM meetings WHERE room_name LIKE 'both-down%'").first(),
      ).toEqual({ n: 0 });
    });

    it('names a malformed PROVIDER_FAILOVER and makes no meeting', async () => {
      await dailyRoom('misconfigured');
      const response = await joinWith('misconfigured', { PROVIDER_FAILOVER: 'yes' });
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({
        code: 'not-configured',
        detail: 'The service is not configured for this: PROVIDER_FAILOVER is malformed (true or false).',
      });
      expect(await dailyCreates()).toHaveLength(0);
      expect(await env.DB.prepare('SELECT count(*) AS n FROM meetings').first()).toEqual({ n: 0 });
    });
  });
});

describe('GET /v1/health', () => {
  it('shows each breaker', async () => {
    const response = await call('GET', '/v1/health');
    expect(response.body).toMatchObject({
      provider_failover: true,
      breakers: {
        whereby: { state: 'closed', calls: 0, failures: 0, failures_in_a_row: 0, retry_at: null },
        daily: { state: 'closed', calls: 0, failures: 0, failures_in_a_row: 0, retry_at: null },
      },
    });
  });
});
