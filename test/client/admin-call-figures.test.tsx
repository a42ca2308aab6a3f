import { render, screen } from '@testing-library/preact';
import { expect, it } from 'vitest';
import type { Metrics, PlatformFigures } from '../../client/api.ts';
import { MetricsTable } from '../../client/pages/Admin.tsx';

// SPEC §13: /admin shows what the people in the calls felt, Whereby and Daily side by side.

const figures = (felt: Partial<PlatformFigures>): PlatformFigures => ({
  meetings: { created: 0 },
  failovers: { from: 0, to: 0 },
  provider_calls: { total: 0, failed: 0, error_rate: null },
  webhooks: { received: 0, rejected: 0, duplicates: 0, applied: 0, ignored: 0, delay_ms: { p50: null, p95: null } },
  recordings: { started: 0, in_progress: 0, stored: 0, failed: 0, deleted: 0, success_rate: null },
  reconciliation: { participant_corrections: 0, meetings_ended: 0, recordings_found: 0 },
  join_success_rate: null,
  median_seconds_to_join: null,
  degraded_share: null,
  rating_count: 0,
  rating_mean: null,
  ...felt,
});

const METRICS: Metrics = {
  window: '24h',
  from: '2026-11-30T12:00:00.000Z',
  to: '2026-12-01T12:00:00.000Z',
  flags: {
    DAILY_MIGRATION_ENABLED: true,
    DAILY_MIGRATION_ROOM_IDS: [],
    DAILY_MIGRATION_USER_IDS: [],
    DAILY_MIGRATION_PERCENT: 10,
  },
  platforms: {
    whereby: figures({
      join_success_rate: 0.9812,
      median_seconds_to_join: 4.2,
      degraded_share: 0.035,
      rating_count: 1204,
      rating_mean: 4.31,
    }),
    daily: figures({}),
  },
};

const cells = (label: string) =>
  [...(screen.getByRole('rowheader', { name: label }).closest('tr')?.querySelectorAll('td') ?? [])].map(
    (cell) => cell.textContent,
  );

it('shows the five call figures of both platforms, with a dash where there is no data yet', () => {
  render(<MetricsTable metrics={METRICS} />);
  expect(screen.getByRole('columnheader', { name: 'Calls, from the people in them' })).toBeTruthy();
  expect(cells('Joined')).toEqual(['98.12 %', '–']);
  expect(cells('Time to join, median')).toEqual(['4.2 s', '–']);
  expect(cells('Time with a degraded connection')).toEqual(['3.5 %', '–']);
  expect(cells('Ratings')).toEqual(['1,204', '0']);
  expect(cells('Rating, mean of 1–5')).toEqual(['4.31', '–']);
});
