import { render, screen } from '@testing-library/preact';
import { expect, it } from 'vitest';
import type { Metrics, PlatformFigures } from '../../client/api.ts';
import { MetricsTable } from '../../client/pages/Admin.tsx';
import { noFigures } from './fixtures.ts';

// SPEC §13: /admin shows what the people in the calls felt, Whereby and Daily side by side.

const figures = (felt: Partial<PlatformFigures>): PlatformFigures => ({ ...noFigures(), ...felt });

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
