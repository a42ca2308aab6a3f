import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dailyEvent, dailyParticipant, deliveryHeaders } from '../../dev/provider-webhooks.ts';
import { ROOT } from '../local/root.ts';
import { type Attack, type Kind, type Outcome, runAttack } from './attack.ts';
import { EXEMPT_ADDRESS, type Fixture, ROOMS, type Secrets } from './setup.ts';
import { bearer, type Headers, J, type Json, seconds } from './wire.ts';

// The runs against the rate limits (SPEC §14), at wrangler.toml's own limits. Their answers depend on the order, so each
// run comes from addresses of its own, one request at a time, all within one window of the limits
// (locally a fixed window aligned to the clock's minutes: see runRateLimits). Each run ends with
// what the limit must not hold back: another room, meeting or address, an exempt address, and a
// provider's authentic delivery. Every request here changes nothing even when it is let through
// (joins of a meeting nobody is in, answers that fail validation, refused or repeated webhooks),
// and the one that would change something (a valid answer) comes past the limit: the snapshots
// before and after the hostile requests prove it was not taken.

/** A `[[ratelimits]]` binding of wrangler.toml: its limit and period. */
function rateLimitOf(binding: string): { limit: number; periodSeconds: number } {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const found = new RegExp(`name = "${binding}"[^[]*?limit = (\\d+), period = (\\d+)`).exec(toml);
  if (!found) throw new Error(`wrangler.toml has no [[ratelimits]] ${binding} with a simple limit and period`);
  return { limit: Number(found[1]), periodSeconds: Number(found[2]) };
}

const RATE_LIMIT_BINDINGS = ['RATE_LIMIT_MEETINGS', 'RATE_LIMIT_ANSWERS', 'RATE_LIMIT_WEBHOOKS'] as const;

/** Addresses of the rate-limit runs (TEST-NET-1), none of them another attack's. */
const LIMITED = {
  joins: '192.0.2.1',
  joinsElsewhere: '192.0.2.2',
  answers: '192.0.2.3',
  answersElsewhere: '192.0.2.4',
  webhooks: '192.0.2.5',
  webhooksElsewhere: '192.0.2.6',
};

export async function rateLimitAttacks(fixture: Fixture, secrets: Secrets): Promise<Attack[]> {
  const joins = rateLimitOf('RATE_LIMIT_MEETINGS').limit;
  const answers = rateLimitOf('RATE_LIMIT_ANSWERS').limit;
  const refusals = rateLimitOf('RATE_LIMIT_WEBHOOKS').limit;
  const list: Attack[] = [];
  const meeting = fixture.meetings[ROOMS.limited]!;
  const other = fixture.meetings[ROOMS.limitedOther]!;
  const held = (what: string) => `${what}: held back`;

  // --- Joins of one room from one address: the limit's worth, then 429 (even for what would be a 401).
  const join = (
    kind: Kind,
    what: string,
    from: string,
    room: string,
    expect: number,
    headers: Headers = {},
  ): Attack => ({
    kind,
    operation: 'POST /v1/rooms/{room_name}/meeting',
    what,
    method: 'POST',
    path: `/v1/rooms/${room}/meeting`,
    from,
    headers,
    expect: [expect],
    // The meeting it already has: a join past nobody's limit changes nothing either.
    ...(expect === 200 ? { expectBody: { id: fixture.meetings[room]!.id } } : {}),
  });
  const joinsKind: Kind = 'rate limit: joins of one room from one address';
  const notHeld: Kind = 'rate limit: what it must not hold back';
  const [room, otherRoom] = [ROOMS.limited, ROOMS.limitedOther];
  for (let n = 1; n <= joins; n++) list.push(join(joinsKind, `join ${n} of ${joins}`, LIMITED.joins, room, 200));
  for (let n = 1; n <= 3; n++) list.push(join(joinsKind, held(`join ${joins + n}`), LIMITED.joins, room, 429));
  list.push(join(joinsKind, held('a garbage token past the limit'), LIMITED.joins, room, 429, bearer('not-a-jwt')));
  list.push(join(notHeld, 'the same address, another room', LIMITED.joins, otherRoom, 200));
  list.push(join(notHeld, 'another address, the same room', LIMITED.joinsElsewhere, room, 200));
  for (let n = 1; n <= joins + 5; n++)
    list.push(join(notHeld, `RATE_LIMIT_EXEMPT_IPS, join ${n}`, EXEMPT_ADDRESS, room, 200));

  // --- Answers in one meeting from one address: refused inputs count too; then a valid answer is held back.
  const answer = (
    kind: Kind,
    what: string,
    from: string,
    target: Json,
    body: string,
    expect: number,
    type = 'application/json',
  ): Attack => ({
    kind,
    operation: 'POST /v1/meetings/{meeting_id}/consent',
    what,
    method: 'POST',
    path: `/v1/meetings/${target.id}/consent`,
    from,
    headers: { 'content-type': type },
    body,
    expect: [expect],
  });
  const answersKind: Kind = 'rate limit: answers in one meeting from one address';
  const invalid = [
    { body: J({ consent_given: 'yes' }), expect: 422, type: 'application/json' },
    { body: '{"consent_given":', expect: 400, type: 'application/json' },
    { body: J({ consent_given: true }), expect: 415, type: 'text/plain' },
  ];
  for (let n = 1; n <= answers; n++) {
    const { body, expect, type } = invalid[n % invalid.length]!;
    list.push(
      answer(answersKind, `answer ${n} of ${answers} (${expect})`, LIMITED.answers, meeting, body, expect, type),
    );
  }
  for (const given of [false, true])
    list.push(
      answer(
        answersKind,
        held(`a valid answer (${given})`),
        LIMITED.answers,
        meeting,
        J({ consent_given: given }),
        429,
      ),
    );
  list.push(answer(notHeld, 'the same address, another meeting', LIMITED.answers, other, invalid[0]!.body, 422));
  list.push(
    answer(notHeld, 'another address, the same meeting', LIMITED.answersElsewhere, meeting, invalid[0]!.body, 422),
  );

  // --- Refused webhooks from one address: 401s up to the limit, then 429; authentic deliveries always pass.
  const D = { operation: 'POST /v1/daily/webhook', method: 'POST', path: '/v1/daily/webhook' } as const;
  const webhooksKind: Kind = 'rate limit: refused webhooks from one address';
  const forged = (n: number) => {
    const body = J(dailyEvent('participant.joined', dailyParticipant(meeting.room_name, `rate-intruder-${n}`)));
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-webhook-timestamp': String(seconds()),
        'x-webhook-signature': btoa(`forged-${n}`),
      },
    };
  };
  for (let n = 1; n <= refusals; n++)
    list.push({
      kind: webhooksKind,
      ...D,
      what: `forged delivery ${n} of ${refusals}`,
      from: LIMITED.webhooks,
      ...forged(n),
      expect: [401],
    });
  for (let n = 1; n <= 3; n++)
    list.push({
      kind: webhooksKind,
      ...D,
      what: held(`forged delivery ${refusals + n}`),
      from: LIMITED.webhooks,
      ...forged(refusals + n),
      expect: [429],
    });
  const malformed = '{"type":"participant.joined","id":';
  list.push({
    kind: webhooksKind,
    ...D,
    what: held('an authentic but malformed delivery'),
    from: LIMITED.webhooks,
    headers: await deliveryHeaders('daily', malformed, secrets.daily),
    body: malformed,
    expect: [429],
  });
  const applied = fixture.applied.find((delivery) => delivery.provider === 'daily');
  if (!applied) throw new Error('fixture: no applied Daily webhook to deliver again');
  list.push({
    kind: notHeld,
    ...D,
    what: 'an authentic delivery (a repeat) from the same address',
    from: LIMITED.webhooks,
    headers: await deliveryHeaders('daily', applied.body, secrets.daily),
    body: applied.body,
    expect: [200],
    expectBody: { status: 'duplicate' },
  });
  list.push({
    kind: notHeld,
    ...D,
    what: 'Daily’s ping from the same address',
    from: LIMITED.webhooks,
    headers: { 'content-type': 'application/json' },
    body: '{"test":"test"}',
    expect: [200],
    expectBody: { status: 'ok' },
  });
  list.push({
    kind: notHeld,
    operation: 'POST /v1/whereby',
    method: 'POST',
    path: '/v1/whereby',
    what: 'the same address at the other receiver',
    from: LIMITED.webhooks,
    headers: { 'content-type': 'application/json', 'whereby-signature': `t=${seconds()},v1=deadbeef` },
    body: J({ id: randomUUID(), type: 'room.client.joined' }),
    expect: [401],
  });
  list.push({
    kind: notHeld,
    ...D,
    what: 'another address, forged',
    from: LIMITED.webhooksElsewhere,
    ...forged(0),
    expect: [401],
  });
  return list;
}

/**
 * Sends the rate-limit attacks one at a time, all within one window of the limits: it waits for
 * the next window when less than `needSeconds` of this one are left. `crossed` says the run did
 * not fit (a machine far too slow), and then its answers cannot be judged against the limits.
 */
export async function runRateLimits(base: string, list: Attack[], needSeconds = 45) {
  const periods = RATE_LIMIT_BINDINGS.map((binding) => rateLimitOf(binding).periodSeconds);
  if (new Set(periods).size !== 1) throw new Error('the rate-limit runs expect one period for every binding');
  const period = periods[0]! * 1000;
  const left = period - (Date.now() % period);
  if (left < needSeconds * 1000) await sleep(left + 250);
  const window = Math.floor(Date.now() / period);
  const outcomes: Outcome[] = [];
  for (const attack of list) outcomes.push(await runAttack(base, attack));
  return { outcomes, crossed: Math.floor(Date.now() / period) !== window };
}
