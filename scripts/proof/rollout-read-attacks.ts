// The hostile requests at the rollout's admin reads (SPEC §12-13): the flags' history and the
// charts' series. No or bad credentials, users who are not administrators, bad pages, keys and
// windows: each is refused, and nothing changes.

import type { Attack } from './attack.ts';
import type { Tokens } from './setup.ts';
import { bearer } from './wire.ts';

const READS = [
  { operation: 'GET /v1/flags/history', path: '/v1/flags/history' },
  { operation: 'GET /v1/metrics/series', path: '/v1/metrics/series?window=1h' },
] as const;

const BAD_QUERIES: Record<(typeof READS)[number]['operation'], string[]> = {
  'GET /v1/flags/history': [
    'page=0',
    'page=-1',
    'page=abc',
    'page=1.5',
    'size=0',
    'size=101',
    'size=1e9',
    'key=DAILY_MIGRATION_NOPE',
    'key=',
    `key=${'K'.repeat(4000)}`,
  ],
  'GET /v1/metrics/series': [
    'window=',
    'window=0h',
    'window=91d',
    'window=1w',
    'window=-1h',
    `window=${'9'.repeat(400)}d`,
  ],
};

export function rolloutReadAttacks(tokens: Tokens): Attack[] {
  return READS.flatMap(({ operation, path }) => [
    ...tokens.bad.map(
      (credential): Attack => ({
        kind: 'missing/forged/expired/garbage credentials',
        operation,
        what: credential.name,
        method: 'GET',
        path,
        headers: credential.headers,
        expect: [401],
      }),
    ),
    ...[tokens.owner, tokens.stranger].map(
      (token): Attack => ({
        kind: 'not allowed (non-owner, non-admin)',
        operation,
        what: `${operation} as a user who is not an administrator`,
        method: 'GET',
        path,
        headers: bearer(token),
        expect: [403],
      }),
    ),
    ...BAD_QUERIES[operation].map(
      (query): Attack => ({
        kind: 'bad query',
        operation,
        what: query.length > 40 ? `${query.slice(0, 12)}… (${query.length} characters)` : query,
        method: 'GET',
        path: `${path.split('?')[0]}?${query}`,
        headers: bearer(tokens.admin),
        expect: [422],
      }),
    ),
  ]);
}
