// The burst: correctly signed webhooks of both providers on many connections at once, and the
// check that the database recorded each event answered 2xx exactly once.

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  dailyEvent,
  dailyParticipant,
  deliveryHeaders,
  wherebyClient,
  wherebyEvent,
} from '../../dev/provider-webhooks.ts';
import { positiveInteger } from '../local/ports.ts';
import type { LocalService } from '../local/service.ts';
import { type Fixture, ROOMS, type Secrets } from './setup.ts';
import { d1 } from './state.ts';
import { J, must, send } from './wire.ts';

export const BURST_SECONDS = positiveInteger('PROOF_BURST_SECONDS', 30);
export const BURST_CONNECTIONS = positiveInteger('PROOF_BURST_CONNECTIONS', 20);

// ---------------------------------------------------------------------------------------------
// The burst.

interface BurstEvent {
  provider: 'daily' | 'whereby';
  id: string;
  participant: string;
  move: 'join' | 'leave';
  body: string;
  status: number | null;
  attempts: number;
  outcome?: string;
  /** The order in which the answers came (the last try's). */
  answered?: number;
}

export async function burst(service: LocalService, fixture: Fixture, secrets: Secrets) {
  const daily = fixture.meetings[ROOMS.burstDaily]!;
  const whereby = fixture.meetings[ROOMS.burstWhereby]!;
  const wherebyId = fixture.wherebyIds[ROOMS.burstWhereby]!;
  const events: BurstEvent[] = [];
  const queued: BurstEvent[] = [];
  let participants = 0;

  const make = (provider: BurstEvent['provider'], move: BurstEvent['move'], participant: string): BurstEvent => {
    const id = randomUUID();
    const body =
      provider === 'daily'
        ? J(
            dailyEvent(
              move === 'join' ? 'participant.joined' : 'participant.left',
              { ...dailyParticipant(daily.room_name, participant), ...(move === 'leave' ? { duration: 4 } : {}) },
              id,
            ),
          )
        : J(
            wherebyEvent(
              move === 'join' ? 'room.client.joined' : 'room.client.left',
              wherebyClient(wherebyId, whereby.room_name, participant),
              id,
            ),
          );
    return { provider, id, participant, move, body, status: null, attempts: 0 };
  };
  // Each participant joins; two in three leave again, and one in six of those leaves is sent
  // before its join (a provider's out-of-order delivery). The second event of a pair is taken by
  // the next free connection, so the two are often in flight together as well.
  const next = (): BurstEvent => {
    const queuedEvent = queued.shift();
    if (queuedEvent) return queuedEvent;
    const n = participants++;
    const provider = n % 2 === 0 ? 'daily' : 'whereby';
    const participant = `burst-${n}`;
    if (n % 3 === 0) return make(provider, 'join', participant);
    if (n % 6 === 1) {
      queued.push(make(provider, 'join', participant));
      return make(provider, 'leave', participant);
    }
    queued.push(make(provider, 'leave', participant));
    return make(provider, 'join', participant);
  };

  const started = Date.now();
  const deadline = started + BURST_SECONDS * 1000;
  let firstTry5xx = 0;
  let answers = 0;
  let networkErrors = 0;
  await Promise.all(
    Array.from({ length: BURST_CONNECTIONS }, async () => {
      while (Date.now() < deadline) {
        const event = next();
        events.push(event);
        // A provider retries what was not answered 2xx; so does this sender, a few times.
        while (event.attempts < 4) {
          event.attempts++;
          const headers = await deliveryHeaders(event.provider, event.body, secrets[event.provider]);
          try {
            const answer = await send(
              `${service.url}${event.provider === 'daily' ? '/v1/daily/webhook' : '/v1/whereby'}`,
              { method: 'POST', headers, body: event.body },
            );
            event.status = answer.status;
            event.outcome = answer.body?.status;
            event.answered = answers++;
          } catch {
            event.status = null;
            networkErrors++;
          }
          if (event.status !== null && event.status < 500) break;
          if (event.attempts === 1 && event.status !== null) firstTry5xx++;
          await sleep(200);
        }
      }
    }),
  );
  const duration = (Date.now() - started) / 1000;

  // What the database recorded.
  const ok = events.filter((event) => event.status !== null && event.status >= 200 && event.status < 300);
  const okIds = new Set(ok.map((event) => event.id));
  const byId = new Map(events.map((event) => [event.id, event]));
  const [recorded, counts, open] = await d1(
    [
      `SELECT platform, event_id, meeting_id, outcome FROM webhook_events WHERE meeting_id IN ('${daily.id}', '${whereby.id}')`,
      `SELECT id, num_clients FROM meetings WHERE id IN ('${daily.id}', '${whereby.id}')`,
      `SELECT meeting_id, count(*) AS open FROM participant_sessions WHERE meeting_id IN ('${daily.id}', '${whereby.id}') AND joined_at IS NOT NULL AND left_at IS NULL GROUP BY meeting_id`,
    ].join('; '),
  );
  const rows = recorded?.results ?? [];
  const timesRecorded = new Map<string, number>();
  for (const row of rows) timesRecorded.set(String(row.event_id), (timesRecorded.get(String(row.event_id)) ?? 0) + 1);

  const problems: string[] = [];
  const notOk = events.filter((event) => !okIds.has(event.id));
  if (notOk.length)
    problems.push(
      `${notOk.length} events never answered 2xx after ${4} tries, e.g. ${notOk
        .slice(0, 3)
        .map((e) => `${e.provider} ${e.move} → ${e.status}`)
        .join(', ')}`,
    );
  const notApplied = ok.filter((event) => event.outcome !== 'applied');
  if (notApplied.length)
    problems.push(
      `${notApplied.length} fresh events answered other than "applied", e.g. ${notApplied
        .slice(0, 3)
        .map((e) => `${e.provider} ${e.move} → ${e.outcome}`)
        .join(', ')}`,
    );
  const missing = ok.filter((event) => (timesRecorded.get(event.id) ?? 0) === 0);
  if (missing.length)
    problems.push(
      `${missing.length} events answered 2xx are not in webhook_events, e.g. ${missing
        .slice(0, 3)
        .map((e) => e.id)
        .join(', ')}`,
    );
  const twice = [...timesRecorded.entries()].filter(([, n]) => n > 1);
  if (twice.length)
    problems.push(
      `${twice.length} event ids are recorded more than once, e.g. ${twice
        .slice(0, 3)
        .map(([id, n]) => `${id} ×${n}`)
        .join(', ')}`,
    );
  const strangers = rows.filter((row) => !byId.has(String(row.event_id)));
  if (strangers.length)
    problems.push(`${strangers.length} events recorded for the burst's meetings that were never sent`);
  const misfiled = rows.filter(
    (row) =>
      byId.has(String(row.event_id)) &&
      (row.outcome !== 'applied' || row.platform !== byId.get(String(row.event_id))?.provider),
  );
  if (misfiled.length) problems.push(`${misfiled.length} events recorded with the wrong outcome or platform`);

  // num_clients: the participants whose join was recorded and whose leave was not.
  const expected = new Map<string, number>();
  for (const [provider, meeting] of [
    ['daily', daily],
    ['whereby', whereby],
  ] as const) {
    const mine = ok.filter((event) => event.provider === provider);
    const joined = new Set(mine.filter((event) => event.move === 'join').map((event) => event.participant));
    const left = new Set(mine.filter((event) => event.move === 'leave').map((event) => event.participant));
    expected.set(meeting.id, [...joined].filter((participant) => !left.has(participant)).length);
  }
  const actual = new Map((counts?.results ?? []).map((row) => [String(row.id), Number(row.num_clients)]));
  const openSessions = new Map((open?.results ?? []).map((row) => [String(row.meeting_id), Number(row.open)]));
  for (const [meetingId, want] of expected) {
    const name = meetingId === daily.id ? 'Daily' : 'Whereby';
    if (actual.get(meetingId) !== want)
      problems.push(`${name} meeting's num_clients is ${actual.get(meetingId)}, the events sent make it ${want}`);
    if ((openSessions.get(meetingId) ?? 0) !== want)
      problems.push(
        `${name} meeting has ${openSessions.get(meetingId) ?? 0} open participant sessions, the events sent make it ${want}`,
      );
  }
  // The join page shows that count too.
  for (const name of [ROOMS.burstDaily, ROOMS.burstWhereby]) {
    const shown = await must(service.url, 'POST', `/v1/rooms/${name}/meeting`);
    if (shown.num_clients !== expected.get(shown.id))
      problems.push(
        `the join page of ${name} shows ${shown.num_clients} people, the events sent make it ${expected.get(shown.id)}`,
      );
  }
  const leavesFirst = countLeavesFirst(events);
  return {
    sent: events.length,
    attempts: events.reduce((sum, event) => sum + event.attempts, 0),
    ok: ok.length,
    recorded: ok.filter((event) => timesRecorded.get(event.id) === 1).length,
    firstTry5xx,
    networkErrors,
    duration,
    byProvider: {
      daily: events.filter((e) => e.provider === 'daily').length,
      whereby: events.filter((e) => e.provider === 'whereby').length,
    },
    joins: events.filter((e) => e.move === 'join').length,
    leaves: events.filter((e) => e.move === 'leave').length,
    leavesFirst,
    expected: Object.fromEntries([...expected].map(([id, n]) => [id === daily.id ? 'daily' : 'whereby', n])),
    problems,
  };
}

/** How many leaves were answered before their participant's join: recorded out of order. */
function countLeavesFirst(events: BurstEvent[]): number {
  const joins = new Map<string, number>();
  for (const event of events)
    if (event.move === 'join' && event.answered !== undefined)
      joins.set(`${event.provider}/${event.participant}`, event.answered);
  return events.filter(
    (event) =>
      event.move === 'leave' &&
      event.answered !== undefined &&
      event.answered < (joins.get(`${event.provider}/${event.participant}`) ?? Infinity),
  ).length;
}
