// A burst of joins during a Daily outage (SPEC §9): rooms on Daily are joined over and over on
// many connections while Daily's API answers 503 to everything. Every join must answer 2xx, none
// may be lost (each join of a room got the room's one active meeting), the meeting people are in
// on Daily stays where it is, and Daily must hear only the breaker's trial creates once it opened.

import { setTimeout as sleep } from 'node:timers/promises';
import { positiveInteger } from '../local/ports.ts';
import type { LocalService } from '../local/service.ts';
import { EXEMPT_ADDRESS, type Fixture, ROOMS, type Tokens } from './setup.ts';
import { d1 } from './state.ts';
import { type Json, must, send } from './wire.ts';

export const OUTAGE_SECONDS = positiveInteger('PROOF_OUTAGE_SECONDS', 40);
export const OUTAGE_CONNECTIONS = positiveInteger('PROOF_OUTAGE_CONNECTIONS', 10);
/** Rooms enough that new ones keep coming through the burst (the breaker's trials need creates). */
const OUTAGE_ROOMS = 200;
/** Joins of each room in a row, most of them at once on several connections: one meeting each. */
const JOINS_PER_ROOM = 6;
const HEALTH_POLL_MS = 100;

interface Join {
  room: string;
  sentAt: number;
  ms: number;
  status: number | null;
  meetingId?: string;
  platform?: string;
  failoverFrom?: string | null;
}

interface LoggedCreate {
  at: number;
  method: string;
  path: string;
  body: { name?: string } | null;
}

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

export async function outage(service: LocalService, fixture: Fixture, tokens: Tokens) {
  const base = service.url;
  const daily = service.standIns.daily.origin;
  const problems: string[] = [];
  const rooms = Array.from({ length: OUTAGE_ROOMS }, (_, i) => `proof-outage-${String(i).padStart(2, '0')}`);
  for (const name of rooms)
    await must(base, 'POST', '/v1/rooms', { token: tokens.owner, body: { name, platform: 'daily' }, expect: 201 });
  const ongoing = fixture.meetings[ROOMS.daily]!;
  const createsBefore = ((await (await fetch(`${daily}/__control/requests`)).json()) as LoggedCreate[]).length;

  // Daily goes down.
  const outageStarted = Date.now();
  const down = await fetch(`${daily}/__control/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      path: '^/v1/',
      status: 503,
      body: { error: 'server-error', info: 'service unavailable' },
      times: 'until-cleared',
    }),
  });
  if (!down.ok) throw new Error(`the Daily stand-in refused the outage: ${down.status}`);

  const deadline = outageStarted + OUTAGE_SECONDS * 1000;
  // The breaker as GET /v1/health shows it, polled through the burst: when it opened, its trials.
  const retryAts = new Set<string>();
  const states: string[] = [];
  const polling = (async () => {
    while (Date.now() < deadline) {
      const breaker = (await send(`${base}/v1/health`, {}).catch(() => null))?.body?.breakers?.daily as Json | null;
      if (breaker?.retry_at) retryAts.add(String(breaker.retry_at));
      if (breaker?.state && states.at(-1) !== breaker.state) states.push(String(breaker.state));
      await sleep(HEALTH_POLL_MS);
    }
  })();

  const joins: Join[] = [];
  let n = 0;
  await Promise.all(
    Array.from({ length: OUTAGE_CONNECTIONS }, async () => {
      while (Date.now() < deadline) {
        // One join in ten is of the meeting already going on at Daily.
        const i = n++;
        const room = i % 10 === 9 ? ROOMS.daily : rooms[Math.floor(i / JOINS_PER_ROOM) % rooms.length]!;
        const sentAt = Date.now();
        const join: Join = { room, sentAt, ms: 0, status: null };
        try {
          const answer = await send(`${base}/v1/rooms/${room}/meeting`, {
            method: 'POST',
            headers: { 'cf-connecting-ip': EXEMPT_ADDRESS },
          });
          join.status = answer.status;
          join.meetingId = answer.body?.id;
          join.platform = answer.body?.platform;
          join.failoverFrom = answer.body?.failover_from;
        } catch {
          join.status = null;
        }
        join.ms = Date.now() - sentAt;
        joins.push(join);
      }
    }),
  );
  await polling;
  const log = (await (await fetch(`${daily}/__control/requests`)).json()) as LoggedCreate[];
  await fetch(`${daily}/__control/faults`, { method: 'DELETE' });
  const breakerAfter = (await must(base, 'GET', '/v1/health')).breakers?.daily as Json;

  // Every join answered 2xx with a meeting, and none was lost: each room's joins got one meeting,
  // the one D1 holds as the room's only active meeting.
  const failed = joins.filter((join) => join.status === null || join.status < 200 || join.status >= 300);
  if (failed.length)
    problems.push(
      `${failed.length} joins did not answer 2xx, e.g. ${failed
        .slice(0, 3)
        .map((join) => `${join.room} → ${join.status}`)
        .join(', ')}`,
    );
  const [active] = await d1(
    `SELECT r.name AS room, count(m.id) AS n, max(m.id) AS id, max(m.platform) AS platform FROM rooms r LEFT JOIN meetings m ON m.room_id = r.id AND m.is_active = 1 WHERE r.name LIKE 'proof-outage-%' OR r.name = '${ROOMS.daily}' GROUP BY r.name`,
  );
  const activeByRoom = new Map((active?.results ?? []).map((row) => [String(row.room), row]));
  for (const room of [...rooms, ROOMS.daily]) {
    const mine = joins.filter((join) => join.room === room && join.meetingId);
    const row = activeByRoom.get(room);
    if (!mine.length) continue;
    if (Number(row?.n) !== 1) problems.push(`${room} has ${row?.n ?? 0} active meetings, not exactly one`);
    const ids = new Set(mine.map((join) => join.meetingId));
    if (ids.size !== 1 || !ids.has(String(row?.id)))
      problems.push(`${room}'s joins got ${ids.size} meetings, not its one active meeting`);
  }
  const ongoingJoins = joins.filter((join) => join.room === ROOMS.daily && join.meetingId);
  if (ongoingJoins.some((join) => join.meetingId !== ongoing.id || join.platform !== 'daily'))
    problems.push('the meeting going on at Daily was moved or replaced during the outage');
  const created = joins.filter((join) => join.room !== ROOMS.daily && join.meetingId);
  const notFailedOver = created.filter((join) => join.platform !== 'whereby' || join.failoverFrom !== 'daily');
  if (notFailedOver.length)
    problems.push(`${notFailedOver.length} joins of rooms on Daily did not get a failed-over Whereby meeting`);

  // Daily's creates: the first attempt of each (a create's retries have its room name).
  const attempts = log
    .slice(createsBefore)
    .filter((request) => request.method === 'POST' && request.path === '/v1/rooms' && request.body?.name);
  const firstAttempt = new Map<string, number>();
  for (const request of attempts)
    if (!firstAttempt.has(request.body!.name!)) firstAttempt.set(request.body!.name!, request.at);
  const creates = [...firstAttempt.values()].sort((a, b) => a - b);
  // It opened 30 s before its first retry_at; each later retry_at is a trial's (failed) reopening.
  const trialTimes = [...retryAts].map(Date.parse).sort((a, b) => a - b);
  const openedAt = trialTimes.length ? trialTimes[0]! - 30_000 : Number.POSITIVE_INFINITY;
  const whileOpen = creates.filter((at) => at >= openedAt);
  const trials = whileOpen.filter((at) => trialTimes.some((retryAt) => at >= retryAt && at < retryAt + 5_000));
  if (!Number.isFinite(openedAt)) problems.push("Daily's breaker never opened during the outage");
  if (whileOpen.length !== trials.length)
    problems.push(`${whileOpen.length - trials.length} Daily creates were made while its breaker was open, not trials`);

  const firstFailedOver = joins
    .filter((join) => join.failoverFrom === 'daily')
    .map((join) => join.sentAt + join.ms)
    .sort((a, b) => a - b)[0];
  const latencies = joins.map((join) => join.ms).sort((a, b) => a - b);
  return {
    duration: (Date.now() - outageStarted) / 1000,
    joins: joins.length,
    ok: joins.length - failed.length,
    rooms: new Set(created.map((join) => join.room)).size,
    failedOver: new Set(created.filter((join) => join.failoverFrom === 'daily').map((join) => join.meetingId)).size,
    ongoingJoins: ongoingJoins.length,
    latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    firstCreateToFailover: firstFailedOver && creates[0] ? firstFailedOver - creates[0] : null,
    dailyCreates: { beforeOpen: creates.length - whileOpen.length, whileOpen: whileOpen.length, trials: trials.length },
    dailyRequests: attempts.length,
    states,
    breakerAfter: String(breakerAfter?.state),
    problems,
  };
}
