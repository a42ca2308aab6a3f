import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { dailyEvent, wherebyEvent } from '../../dev/provider-webhooks';
import { resetWorld } from './helpers';
import { meetingOn, sendDaily, sendWhereby } from './webhook-helpers';

// A day of webhooks compressed: joins and leaves of many participants over 20 meetings of both
// providers, delivered shuffled, concurrently, with a fifth of them repeated. Whatever the
// order, every meeting's num_clients must equal the participants still in it.

/** A small seeded PRNG (mulberry32), so a failing order can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Delivery {
  platform: 'daily' | 'whereby';
  event: { id: string };
}

const SEED = 20261124;

describe('a shuffled stream of webhooks', () => {
  beforeAll(resetWorld);

  it('keeps every meeting’s num_clients true and logs every event once', { timeout: 240_000 }, async () => {
    const next = random(SEED);
    const meetings = await Promise.all(
      Array.from({ length: 20 }, (_, i) => meetingOn(i % 2 ? 'whereby' : 'daily', `stream-${i}`)),
    );
    const unique: Delivery[] = [];
    const truth = new Map<string, number>();
    const start = Math.floor(Date.now() / 1000) - 3600;

    meetings.forEach((meeting, m) => {
      const platform = m % 2 ? 'whereby' : 'daily';
      let present = 0;
      for (let p = 0; p < 60; p++) {
        const participantId = `m${m}-p${p}`;
        const joinedAt = start + Math.floor(next() * 1800);
        const leaves = next() < 0.7;
        if (!leaves) present++;
        if (platform === 'daily') {
          const body = {
            room: meeting.roomName,
            session_id: participantId,
            user_id: null,
            user_name: `P${p}`,
            joined_at: joinedAt,
          };
          unique.push({ platform, event: dailyEvent('participant.joined', body) });
          if (leaves)
            unique.push({
              platform,
              event: dailyEvent('participant.left', { ...body, duration: Math.floor(next() * 600) }),
            });
        } else {
          const data = {
            meetingId: meeting.platformMeetingId,
            roomName: `/${meeting.roomName}`,
            participantId,
            displayName: `P${p}`,
          };
          unique.push({ platform, event: wherebyEvent('room.client.joined', data) });
          if (leaves) unique.push({ platform, event: wherebyEvent('room.client.left', data) });
        }
      }
      truth.set(meeting.id, present);
    });

    const repeats = unique.filter(() => next() < 0.2);
    const deliveries = [...unique, ...repeats];
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j] as Delivery, deliveries[i] as Delivery];
    }
    expect(deliveries.length).toBeGreaterThanOrEqual(2000);

    // Ten deliveries in flight at a time, as a provider's retries and parallel sends would be.
    const statuses: number[] = [];
    for (let i = 0; i < deliveries.length; i += 10) {
      const batch = deliveries.slice(i, i + 10);
      const responses = await Promise.all(
        batch.map(({ platform, event }) => (platform === 'daily' ? sendDaily(event) : sendWhereby(event))),
      );
      statuses.push(...responses.map((response) => response.status));
    }
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    const { results } = await env.DB.prepare('SELECT id, num_clients FROM meetings').all<{
      id: string;
      num_clients: number;
    }>();
    expect(Object.fromEntries(results.map((row) => [row.id, row.num_clients]))).toEqual(Object.fromEntries(truth));

    const logged = await env.DB.prepare(
      'SELECT count(*) AS events, count(DISTINCT event_id) AS distinct_ids FROM webhook_events',
    ).first();
    expect(logged).toEqual({ events: unique.length, distinct_ids: unique.length });
  });
});
