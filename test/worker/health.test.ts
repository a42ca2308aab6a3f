import { describe, expect, it } from 'vitest';
import { call } from './helpers';

const CLOSED = { state: 'closed', calls: 0, failures: 0, failures_in_a_row: 0, retry_at: null };

describe('GET /v1/health', () => {
  describe('happy path', () => {
    it('answers alive with the configured integrations and a request id', async () => {
      const response = await call('GET', '/v1/health');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'ok',
        environment: 'production',
        integrations: {
          whereby: true,
          daily: true,
          recordings_bucket: true,
          pipeline: true,
          sign_in: 'identity-provider',
        },
        provider_failover: true,
        breakers: { whereby: CLOSED, daily: CLOSED },
      });
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('with deep=1, asks D1 one query and says it answered', async () => {
      const response = await call('GET', '/v1/health?deep=1');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok', database: 'ok' });
      expect((await call('GET', '/v1/health')).body).not.toHaveProperty('database');
      expect((await call('GET', '/v1/health?deep=yes')).status).toBe(422);
    });
  });
});

describe('a path no route serves', () => {
  it('answers unknown paths with a JSON 404', async () => {
    const response = await call('GET', '/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      detail: 'There is no GET /v1/nothing-here.',
      code: 'not-found',
      request_id: response.headers.get('x-request-id'),
    });
  });
});
