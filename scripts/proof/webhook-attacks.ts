// The hostile webhook deliveries: bad, stale, future or missing signatures, the wrong secret,
// tampered bodies, authentic but malformed events, replays and Daily's ping.

import { randomBytes, randomUUID } from 'node:crypto';
import {
  dailyEvent,
  dailyParticipant,
  deliveryHeaders,
  wherebyClient,
  wherebyEvent,
  wherebySignature,
} from '../../dev/provider-webhooks.ts';
import { type Attack, streamOf } from './attack.ts';
import { type Fixture, ROOMS, type Secrets } from './setup.ts';
import { type Headers, J, type Json, seconds } from './wire.ts';

export async function webhookAttacks(fixture: Fixture, secrets: Secrets): Promise<Attack[]> {
  const list: Attack[] = [];
  const dailyRoom = fixture.meetings[ROOMS.daily]!.room_name as string;
  const wherebyRoom = fixture.meetings[ROOMS.whereby]!.room_name as string;
  const wherebyId = fixture.wherebyIds[ROOMS.whereby]!;
  const now = seconds();
  const D = { operation: 'POST /v1/daily/webhook', method: 'POST', path: '/v1/daily/webhook' } as const;
  const W = { operation: 'POST /v1/whereby', method: 'POST', path: '/v1/whereby' } as const;

  // Daily: a well-formed event of a new participant, so only the signature stands between it and a change.
  const dailyBody = J(dailyEvent('participant.joined', dailyParticipant(dailyRoom, 'intruder')));
  const good = await deliveryHeaders('daily', dailyBody, secrets.daily);
  const signature: [string, Headers][] = [
    ['no signature headers', { 'content-type': 'application/json' }],
    [
      'signature without timestamp',
      { 'content-type': 'application/json', 'x-webhook-signature': good['x-webhook-signature']! },
    ],
    [
      'timestamp without signature',
      { 'content-type': 'application/json', 'x-webhook-timestamp': good['x-webhook-timestamp']! },
    ],
    ['garbage signature', { ...good, 'x-webhook-signature': 'abcd' }],
    ['signature not base64', { ...good, 'x-webhook-signature': '!!!not base64!!!' }],
    ['empty signature', { ...good, 'x-webhook-signature': '' }],
    [
      'signature of another body',
      await deliveryHeaders(
        'daily',
        J(dailyEvent('participant.joined', dailyParticipant(dailyRoom, 'someone-else'))),
        secrets.daily,
        good['x-webhook-timestamp'],
      ),
    ],
    ['signature with its timestamp changed', { ...good, 'x-webhook-timestamp': String(now + 1) }],
    [
      'hex instead of base64',
      { ...good, 'x-webhook-signature': Buffer.from(good['x-webhook-signature']!, 'base64').toString('hex') },
    ],
    ['timestamp "now"', await deliveryHeaders('daily', dailyBody, secrets.daily, 'now')],
    ['timestamp negative', await deliveryHeaders('daily', dailyBody, secrets.daily, '-5')],
    ['timestamp in exponent form', await deliveryHeaders('daily', dailyBody, secrets.daily, '1.7e9')],
    ['timestamp empty', { ...good, 'x-webhook-timestamp': '' }],
  ];
  for (const [what, headers] of signature)
    list.push({ kind: 'webhook: bad or missing signature', ...D, what, headers, body: dailyBody, expect: [401] });
  // Timestamps taken when the request is sent, not when the list is made: the list waits for the
  // snapshot and its turn in the pool, and "6 minutes ahead" made then would be inside the 5 minutes
  // by the time it is sent.
  const stale: [string, (sentAt: number) => number | string][] = [
    ['6 minutes old', (t) => t - 360],
    ['an hour old', (t) => t - 3600],
    ['a year old', (t) => t - 365 * 86400],
    ['zero', () => 0],
    ['6 minutes ahead', (t) => t + 360],
    ['a day ahead', (t) => t + 86400],
    ['6 minutes old, in ms', (t) => (t - 360) * 1000],
    ['huge', () => '99999999999999999999'],
  ];
  for (const [what, timestamp] of stale)
    list.push({
      kind: 'webhook: stale or future timestamp',
      ...D,
      what,
      sign: () => deliveryHeaders('daily', dailyBody, secrets.daily, timestamp(seconds())),
      body: dailyBody,
      expect: [401],
    });
  const otherSecret = randomBytes(32).toString('base64');
  list.push({
    kind: 'webhook: wrong secret',
    ...D,
    what: 'another secret',
    headers: await deliveryHeaders('daily', dailyBody, otherSecret),
    body: dailyBody,
    expect: [401],
  });
  list.push({
    kind: 'webhook: wrong secret',
    ...D,
    what: 'the secret’s base64 text used as the key',
    // Keyed with the secret's text: the base64 of that text decodes back to it.
    headers: await deliveryHeaders('daily', dailyBody, btoa(secrets.daily), now),
    body: dailyBody,
    expect: [401],
  });
  list.push({
    kind: 'webhook: wrong secret',
    ...D,
    what: 'Whereby’s secret',
    headers: await deliveryHeaders('daily', dailyBody, Buffer.from(secrets.whereby).toString('base64')),
    body: dailyBody,
    expect: [401],
  });
  const tamper: [string, string][] = [
    ['session id changed', dailyBody.replace('intruder', 'intruder2')],
    ['room changed', dailyBody.replace(dailyRoom, ROOMS.burstDaily)],
    ['type changed', dailyBody.replace('participant.joined', 'participant.left')],
    ['event id changed', dailyBody.replace(/"id":"[^"]+"/, `"id":"${randomUUID()}"`)],
    ['a field added', dailyBody.replace('{"room"', '{"owner_override":true,"room"')],
    ['truncated', dailyBody.slice(0, -1)],
  ];
  for (const [what, body] of tamper)
    list.push({ kind: 'webhook: tampered body', ...D, what, headers: good, body, expect: [401] });

  const signedDaily = async (what: string, body: string) =>
    list.push({
      kind: 'webhook: authentic but malformed',
      ...D,
      what,
      headers: await deliveryHeaders('daily', body, secrets.daily),
      body,
      expect: [400],
    });
  const person = dailyParticipant(dailyRoom, 'malformed');
  await signedDaily('not JSON', 'hello');
  await signedDaily('cut-off JSON', '{"type":"participant.joined","id":');
  await signedDaily('an array', '[]');
  await signedDaily('null', 'null');
  await signedDaily('an empty object', '{}');
  await signedDaily('no event id', J({ version: '1.0.0', type: 'participant.joined', payload: person, event_ts: now }));
  await signedDaily('an empty event id', J({ ...dailyEvent('participant.joined', person), id: '' }));
  await signedDaily('type a number', J({ ...dailyEvent('participant.joined', person), type: 5 }));
  await signedDaily('payload an array', J(dailyEvent('participant.joined', [person])));
  await signedDaily('payload null', J(dailyEvent('participant.joined', null)));
  await signedDaily('event_ts text', J({ ...dailyEvent('participant.joined', person), event_ts: 'yesterday' }));
  await signedDaily(
    'participant without session_id',
    J(dailyEvent('participant.joined', { ...person, session_id: undefined })),
  );
  await signedDaily('participant with an empty room', J(dailyEvent('participant.joined', { ...person, room: '' })));
  await signedDaily('joined_at text', J(dailyEvent('participant.joined', { ...person, joined_at: '2026-01-01' })));
  await signedDaily('joined_at negative', J(dailyEvent('participant.joined', { ...person, joined_at: -1 })));
  await signedDaily('left with a negative duration', J(dailyEvent('participant.left', { ...person, duration: -3 })));
  await signedDaily(
    'meeting.started without start_ts',
    J(dailyEvent('meeting.started', { room: dailyRoom, meeting_id: 'm' })),
  );
  await signedDaily(
    'meeting.ended with end_ts text',
    J(dailyEvent('meeting.ended', { room: dailyRoom, start_ts: now - 60, end_ts: 'later' })),
  );
  await signedDaily(
    'recording ready without recording_id',
    J(dailyEvent('recording.ready-to-download', { room_name: dailyRoom, start_ts: now, status: 'finished' })),
  );
  await signedDaily(
    'recording ready with tracks lacking keys',
    J(
      dailyEvent('recording.ready-to-download', {
        recording_id: 'r-x',
        room_name: dailyRoom,
        start_ts: now,
        tracks: [{ type: 'cam-audio' }],
      }),
    ),
  );
  await signedDaily(
    'recording.error without error_msg',
    J(dailyEvent('recording.error', { room_name: dailyRoom, timestamp: now })),
  );
  await signedDaily(
    'recording.started with start_ts text',
    J(dailyEvent('recording.started', { recording_id: 'r-y', start_ts: 'now' })),
  );
  // A start no date can hold (past the year 275760): no object key can be made of it.
  await signedDaily(
    'recording ready with start_ts 1e16',
    J(
      dailyEvent('recording.ready-to-download', {
        recording_id: 'r-z',
        room_name: dailyRoom,
        start_ts: 1e16,
        status: 'finished',
      }),
    ),
  );
  // Deep nesting: parsed, never recursed into on the way to a 400.
  await signedDaily('100 000 nested arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  list.push({
    kind: 'webhook: bad or missing signature',
    ...D,
    what: '100 000 nested arrays, unsigned',
    headers: { 'content-type': 'application/json' },
    body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    expect: [401],
  });

  // Whereby.
  const wherebyBody = J(wherebyEvent('room.client.joined', wherebyClient(wherebyId, wherebyRoom, 'intruder')));
  const wGood = await deliveryHeaders('whereby', wherebyBody, secrets.whereby);
  const [, wTime, wSig] = /t=(\d+),v1=([0-9a-f]+)/.exec(wGood['whereby-signature']!)!;
  const wSignature: [string, string | undefined][] = [
    ['no signature header', undefined],
    ['empty header', ''],
    ['no v1=', `t=${wTime}`],
    ['no t=', `v1=${wSig}`],
    ['t= not a number', `t=soon,v1=${wSig}`],
    ['v1= not hex', `t=${wTime},v1=zz${wSig!.slice(2)}`],
    ['v1= of odd length', `t=${wTime},v1=${wSig!.slice(1)}`],
    ['v1= empty', `t=${wTime},v1=`],
    ['v1= garbage', `t=${wTime},v1=deadbeef`],
    ['timestamp changed after signing', `t=${Number(wTime) + 1},v1=${wSig}`],
    ['base64 instead of hex', `t=${wTime},v1=${Buffer.from(wSig!, 'hex').toString('base64')}`],
    [
      'signature of another body',
      (
        await wherebySignature(
          J(wherebyEvent('room.client.joined', wherebyClient(wherebyId, wherebyRoom, 'x'))),
          secrets.whereby,
          wTime,
        )
      )['whereby-signature'],
    ],
  ];
  for (const [what, header] of wSignature) {
    list.push({
      kind: 'webhook: bad or missing signature',
      ...W,
      what,
      headers: { 'content-type': 'application/json', ...(header === undefined ? {} : { 'whereby-signature': header }) },
      body: wherebyBody,
      expect: [401],
    });
  }
  for (const [what, timestamp] of stale.slice(0, 6))
    list.push({
      kind: 'webhook: stale or future timestamp',
      ...W,
      what,
      sign: () => deliveryHeaders('whereby', wherebyBody, secrets.whereby, timestamp(seconds())),
      body: wherebyBody,
      expect: [401],
    });
  list.push({
    kind: 'webhook: wrong secret',
    ...W,
    what: 'another secret',
    headers: await deliveryHeaders('whereby', wherebyBody, randomBytes(24).toString('hex')),
    body: wherebyBody,
    expect: [401],
  });
  list.push({
    kind: 'webhook: wrong secret',
    ...W,
    what: 'Daily’s secret',
    headers: await deliveryHeaders('whereby', wherebyBody, secrets.daily),
    body: wherebyBody,
    expect: [401],
  });
  const wTamper: [string, string][] = [
    ['participant changed', wherebyBody.replace('intruder', 'intruder2')],
    [
      'meeting changed',
      wherebyBody.replace(`"meetingId":"${wherebyId}"`, `"meetingId":"${fixture.wherebyIds[ROOMS.burstWhereby]}"`),
    ],
    ['type changed', wherebyBody.replace('room.client.joined', 'room.client.left')],
    ['event id changed', wherebyBody.replace(/^\{"id":"[^"]+"/, `{"id":"${randomUUID()}"`)],
  ];
  for (const [what, body] of wTamper)
    list.push({ kind: 'webhook: tampered body', ...W, what, headers: wGood, body, expect: [401] });

  const signedWhereby = async (what: string, body: string) =>
    list.push({
      kind: 'webhook: authentic but malformed',
      ...W,
      what,
      headers: await deliveryHeaders('whereby', body, secrets.whereby),
      body,
      expect: [400],
    });
  const client = wherebyClient(wherebyId, wherebyRoom, 'malformed');
  await signedWhereby('not JSON', 'hello');
  await signedWhereby('an array', '[]');
  await signedWhereby('an empty object', '{}');
  await signedWhereby(
    'no event id',
    J({ apiVersion: '1.0', createdAt: new Date().toISOString(), type: 'room.client.joined', data: client }),
  );
  await signedWhereby(
    'createdAt not a date',
    J({ ...wherebyEvent('room.client.joined', client), createdAt: 'yesterday' }),
  );
  await signedWhereby(
    'createdAt a number',
    J({ ...wherebyEvent('room.client.joined', client), createdAt: Date.now() }),
  );
  await signedWhereby('data an array', J(wherebyEvent('room.client.joined', [client])));
  await signedWhereby('type a number', J({ ...wherebyEvent('room.client.joined', client), type: 7 }));
  await signedWhereby(
    'client without participantId',
    J(wherebyEvent('room.client.joined', { ...client, participantId: undefined })),
  );
  await signedWhereby(
    'client without meetingId',
    J(wherebyEvent('room.client.left', { ...client, meetingId: undefined })),
  );
  await signedWhereby(
    'client with an empty meetingId',
    J(wherebyEvent('room.client.joined', { ...client, meetingId: '' })),
  );
  await signedWhereby(
    'session event with meetingId a number',
    J(wherebyEvent('room.session.started', { meetingId: 12345, roomName: `/${wherebyRoom}` })),
  );
  await signedWhereby(
    'recording without filename',
    J(wherebyEvent('recording.finished', { recordingId: 'w-x', roomName: `/${wherebyRoom}`, meetingId: wherebyId })),
  );
  await signedWhereby(
    'recording without roomName',
    J(wherebyEvent('recording.finished', { recordingId: 'w-y', filename: 'x.mp4' })),
  );

  // Oversized, signed or not, with a length or streamed without one.
  const big = (bytes: number) =>
    J({ ...dailyEvent('participant.joined', dailyParticipant(dailyRoom, 'big')), padding: 'x'.repeat(bytes) });
  const mb = 1024 * 1024;
  const over = big(mb);
  list.push({
    kind: 'oversized body',
    ...D,
    what: 'just over 1 MB, signed',
    headers: await deliveryHeaders('daily', over, secrets.daily),
    body: over,
    expect: [413],
  });
  list.push({
    kind: 'oversized body',
    ...D,
    what: '5 MB, unsigned',
    headers: { 'content-type': 'application/json' },
    body: big(5 * mb),
    expect: [413],
  });
  list.push({
    kind: 'oversized body',
    ...D,
    what: '2 MB streamed without a length, signed',
    headers: await deliveryHeaders('daily', big(2 * mb), secrets.daily),
    body: streamOf(big(2 * mb)),
    expect: [413],
  });
  const wOver = J({ ...wherebyEvent('room.client.joined', client), padding: 'x'.repeat(mb) });
  list.push({
    kind: 'oversized body',
    ...W,
    what: 'just over 1 MB, signed',
    headers: await deliveryHeaders('whereby', wOver, secrets.whereby),
    body: wOver,
    expect: [413],
  });
  list.push({
    kind: 'oversized body',
    ...W,
    what: '3 MB streamed without a length, unsigned',
    headers: { 'content-type': 'application/json' },
    body: streamOf(J({ padding: 'x'.repeat(3 * mb) })),
    expect: [413],
  });

  // Daily's verification ping: 200, nothing else.
  list.push({
    kind: 'webhook: Daily ping',
    ...D,
    what: '{"test":"test"}',
    headers: { 'content-type': 'application/json' },
    body: '{"test":"test"}',
    expect: [200],
    expectBody: { status: 'ok' },
  });
  list.push({
    kind: 'webhook: Daily ping',
    ...D,
    what: 'the ping with spaces',
    headers: { 'content-type': 'application/json' },
    body: '{ "test" : "test" }',
    expect: [200],
    expectBody: { status: 'ok' },
  });

  // Replays of the events applied during set-up: re-signed now, as a provider's retry would be, and as first sent.
  for (const applied of fixture.applied) {
    const target = applied.provider === 'daily' ? D : W;
    const type = (JSON.parse(applied.body) as Json).type as string;
    const fresh = await deliveryHeaders(applied.provider, applied.body, secrets[applied.provider]);
    list.push({
      kind: 'webhook: replay of an applied event',
      ...target,
      what: `${applied.provider} ${type}, re-signed`,
      headers: fresh,
      body: applied.body,
      expect: [200],
      expectBody: { status: 'duplicate' },
    });
    // Within the 5 minutes, the very same request is also only a duplicate.
    if (Date.now() - applied.sentAt < 240_000) {
      list.push({
        kind: 'webhook: replay of an applied event',
        ...target,
        what: `${applied.provider} ${type}, byte for byte`,
        headers: applied.headers,
        body: applied.body,
        expect: [200],
        expectBody: { status: 'duplicate' },
      });
    }
    const old = seconds() - 3600;
    const stale = await deliveryHeaders(applied.provider, applied.body, secrets[applied.provider], old);
    list.push({
      kind: 'webhook: stale or future timestamp',
      ...target,
      what: `${applied.provider} ${type} replayed with an hour-old signature`,
      headers: stale,
      body: applied.body,
      expect: [401],
    });
  }
  return list;
}
