// The hostile requests at the call-quality reports and ratings (SPEC §13): wrong types and
// ranges, unknown fields, other content types, malformed and oversized bodies, unknown meetings
// and one ended over an hour ago. Each is refused, and nothing is stored.

import { randomUUID } from 'node:crypto';
import { type Attack, json } from './attack.ts';
import { type Fixture, ROOMS } from './setup.ts';
import { J, type Json } from './wire.ts';

const QUALITY = 'POST /v1/meetings/{meeting_id}/quality';
const RATING = 'POST /v1/meetings/{meeting_id}/rating';

/** Bodies each refused with 422 naming the field at fault. */
const BAD_QUALITY: [string, Json, string][] = [
  ['joined as text', { joined: 'true' }, 'joined'],
  ['joined null', { joined: null }, 'joined'],
  ['no joined', { seconds_to_join: 2 }, 'joined'],
  ['a 201-character reason', { joined: false, failure_reason: 'r'.repeat(201) }, 'failure_reason'],
  ['a reason as a number', { joined: false, failure_reason: 7 }, 'failure_reason'],
  ['a negative time to join', { joined: true, seconds_to_join: -0.1 }, 'seconds_to_join'],
  ['a time to join over 600 s', { joined: true, seconds_to_join: 1e9 }, 'seconds_to_join'],
  ['connected over a day', { joined: true, connected_seconds: 86_401 }, 'connected_seconds'],
  ['connected negative', { joined: true, connected_seconds: -1 }, 'connected_seconds'],
  ['degraded over connected', { joined: true, connected_seconds: 5, degraded_seconds: 6 }, 'degraded_seconds'],
  ['degraded alone', { joined: true, degraded_seconds: 1 }, 'degraded_seconds'],
  ['a report key with SQL', { joined: true, report_key: "x'); DELETE FROM call_reports;--" }, 'report_key'],
  ['a 65-character report key', { joined: true, report_key: 'k'.repeat(65) }, 'report_key'],
  ['the platform', { joined: true, platform: 'daily' }, 'platform'],
  ['the meeting', { joined: true, meeting_id: 'other' }, 'meeting_id'],
];
const BAD_RATINGS: [string, Json, string][] = [
  ['no rating', { comment: 'great' }, 'rating'],
  ['a rating of 0', { rating: 0 }, 'rating'],
  ['a rating of 6', { rating: 6 }, 'rating'],
  ['a rating of 4.5', { rating: 4.5 }, 'rating'],
  ['a rating as text', { rating: '5' }, 'rating'],
  ['a 1001-character comment', { rating: 5, comment: 'c'.repeat(1001) }, 'comment'],
  ['a comment as an object', { rating: 5, comment: { text: 'x' } }, 'comment'],
  ['a rating key with a slash', { rating: 5, rating_key: 'rating/key/with/slashes' }, 'rating_key'],
  ['the time', { rating: 5, rated_at: 0 }, 'rated_at'],
];

export function callReportAttacks(fixture: Fixture): Attack[] {
  const list: Attack[] = [];
  const add = (attack: Attack) => list.push(attack);
  const meeting = fixture.meetings[ROOMS.whereby]!;
  const routes = [
    {
      operation: QUALITY,
      path: (id: string) => `/v1/meetings/${id}/quality`,
      bad: BAD_QUALITY,
      valid: { joined: true },
    },
    { operation: RATING, path: (id: string) => `/v1/meetings/${id}/rating`, bad: BAD_RATINGS, valid: { rating: 3 } },
  ];
  for (const route of routes) {
    const path = route.path(meeting.id);
    for (const [what, body, field] of route.bad)
      add({
        kind: 'wrong types',
        operation: route.operation,
        what,
        method: 'POST',
        path,
        headers: json(),
        body: J(body),
        expect: [422],
        expectField: field,
      });
    // sendBeacon's text/plain is read as JSON, and refused as such.
    add({
      kind: 'malformed JSON',
      operation: route.operation,
      what: 'a beacon that is not JSON',
      method: 'POST',
      path,
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: 'joined=true',
      expect: [400],
    });
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'image/png'])
      add({
        kind: 'wrong content type',
        operation: route.operation,
        what: type,
        method: 'POST',
        path,
        headers: { 'content-type': type },
        body: J(route.valid),
        expect: [415],
      });
    add({
      kind: 'oversized body',
      operation: route.operation,
      what: '100 KB of padding',
      method: 'POST',
      path,
      headers: json(),
      body: J({ ...route.valid, padding: 'p'.repeat(100_000) }),
      expect: [413],
    });
    add({
      kind: 'unknown ids and paths',
      operation: route.operation,
      what: 'an unknown meeting',
      method: 'POST',
      path: route.path(randomUUID()),
      headers: json(),
      body: J(route.valid),
      expect: [404],
    });
    add({
      kind: 'report: meeting ended over an hour ago',
      operation: route.operation,
      what: 'a valid body',
      method: 'POST',
      path: route.path(fixture.endedMeeting.id),
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: J(route.valid),
      expect: [409],
    });
  }
  return list;
}
