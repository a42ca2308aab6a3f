import { beforeEach, describe, expect, it } from 'vitest';
import { reflectorProblems } from '../reflector-contract';
import { ADMIN, call, createRoom, OWNER, resetWorld, STRANGER, tokenFor } from './helpers';

// Reflector's frontend asks every room page for the room's calendar; rooms have none here
// (SPEC §10), and the answers are Reflector's own for a room without one.

describe("a room's calendar, as Reflector's frontend asks for it", () => {
  beforeEach(async () => {
    await resetWorld();
    await createRoom(OWNER, { name: 'no-calendar' });
  });

  it.each(['/v1/rooms/{room_name}/meetings', '/v1/rooms/{room_name}/meetings/upcoming'])(
    'GET %s: no events, for anyone, and 404 for an unknown room',
    async (path) => {
      const answer = await call('GET', path.replace('{room_name}', 'no-calendar'));
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([]);
      expect(reflectorProblems('get', path, answer.status, answer.body)).toEqual([]);
      const withQuery = await call('GET', `${path.replace('{room_name}', 'no-calendar')}?minutes_ahead=30`);
      expect(withQuery.body).toEqual([]);

      const unknown = await call('GET', path.replace('{room_name}', 'nowhere'));
      expect(unknown.status).toBe(404);
      expect(reflectorProblems('get', path, unknown.status, unknown.body)).toEqual([]);
    },
  );

  it('GET ics/status: disabled, for the owner and admins only', async () => {
    const path = '/v1/rooms/{room_name}/ics/status';
    const url = path.replace('{room_name}', 'no-calendar');
    for (const who of [OWNER, ADMIN]) {
      const answer = await call('GET', url, { token: await tokenFor(who) });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        status: 'disabled',
        last_sync: null,
        next_sync: null,
        last_etag: null,
        events_count: 0,
      });
      expect(reflectorProblems('get', path, answer.status, answer.body)).toEqual([]);
    }
    expect((await call('GET', url, { token: await tokenFor(STRANGER) })).status).toBe(403);
    expect((await call('GET', url)).status).toBe(401);
    expect((await call('GET', path.replace('{room_name}', 'nowhere'), { token: await tokenFor(OWNER) })).status).toBe(
      404,
    );
  });

  it('POST ics/sync: 400 as Reflector answers a room without a calendar', async () => {
    const path = '/v1/rooms/{room_name}/ics/sync';
    const answer = await call('POST', path.replace('{room_name}', 'no-calendar'), { token: await tokenFor(OWNER) });
    expect(answer.status).toBe(400);
    expect(answer.body?.detail).toContain('ICS not configured for this room');
    expect(reflectorProblems('post', path, answer.status, answer.body)).toEqual([]);
    expect(
      (await call('POST', path.replace('{room_name}', 'no-calendar'), { token: await tokenFor(STRANGER) })).status,
    ).toBe(403);
  });
});
