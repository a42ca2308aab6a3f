import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type MetricsSeries } from '../../client/api.ts';
import { MetricsCharts } from '../../client/pages/admin/Charts.tsx';

const none = {
  meetings: 0,
  provider_calls: 0,
  error_rate: null,
  webhook_delay_p95_ms: null,
  join_success_rate: null,
  rating_mean: null,
};
const START = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Four one-hour buckets: Daily's join success 1, –, 0.5, 0.8 (a gap in the second); Whereby's 0.9 throughout. */
const SERIES: MetricsSeries = {
  window: '4h',
  from: iso(START),
  to: iso(START + 4 * HOUR),
  bucket_seconds: 3600,
  buckets: [1, null, 0.5, 0.8].map((daily, index) => ({
    from: iso(START + index * HOUR),
    whereby: { ...none, meetings: 3, join_success_rate: 0.9 },
    daily: { ...none, meetings: index, join_success_rate: daily },
  })),
  flag_changes: [
    {
      id: 7,
      at: iso(START + 2 * HOUR),
      by: 'ramp',
      key: 'DAILY_MIGRATION_ENABLED',
      old_value: 'true',
      new_value: 'false',
      reason: 'rolled back: error rate',
    },
  ],
};

const client = (series: MetricsSeries = SERIES) => ({ metricsSeries: vi.fn(async () => series) });

describe('the /admin charts', () => {
  it('draws each figure as one picture of both platforms, named and described for screen readers', async () => {
    const api = client();
    render(<MetricsCharts window="24h" client={api} />);
    const join = await screen.findByRole('img', { name: /^Join success/ });
    expect(api.metricsSeries).toHaveBeenCalledWith('24h');
    expect(screen.getAllByRole('img').map((chart) => chart.querySelector('title')?.textContent)).toEqual([
      'Meetings created',
      'Provider API error rate',
      'Webhook delay, 95th percentile',
      'Join success',
      'Rating (1 to 5)',
    ]);
    expect(join.querySelector('desc')?.textContent).toBe(
      'Whereby: latest 90 %, highest 90 %; Daily: latest 80 %, highest 100 %. 1 flag change marked.',
    );
    const rating = screen.getByRole('img', { name: /^Rating/ });
    expect(rating.querySelector('desc')?.textContent).toContain('Whereby: no data; Daily: no data');
  });

  it('tells the platforms apart by dash and marker, with a legend saying so', async () => {
    render(<MetricsCharts window="24h" client={client()} />);
    const join = await screen.findByRole('img', { name: /^Join success/ });
    const legend = screen.getByRole('list', { name: 'Legend of the charts' });
    expect(legend.textContent).toContain('Whereby (solid line, round markers)');
    expect(legend.textContent).toContain('Daily (dashed line, square markers)');
    const whereby = join.querySelector('[data-platform="whereby"]');
    const daily = join.querySelector('[data-platform="daily"]');
    expect(whereby?.querySelector('path')?.getAttribute('stroke-dasharray')).toBeNull();
    expect(daily?.querySelector('path')?.getAttribute('stroke-dasharray')).toBe('5 3');
    expect(whereby?.querySelectorAll('circle')).toHaveLength(4);
    expect(daily?.querySelectorAll('rect')).toHaveLength(3);
  });

  it('leaves a gap where a bucket has no data, not a fall to zero', async () => {
    render(<MetricsCharts window="24h" client={client()} />);
    const join = await screen.findByRole('img', { name: /^Join success/ });
    const path = join.querySelector('[data-platform="daily"] path')?.getAttribute('d') ?? '';
    // Two pieces: the first bucket alone, then the third and fourth.
    expect(path.match(/M/g)).toHaveLength(2);
    expect(path.match(/L/g)).toHaveLength(1);
    // Meetings are counted, so a bucket without any is a real zero and the line goes on.
    const meetings = screen.getByRole('img', { name: /^Meetings created/ });
    expect(meetings.querySelector('[data-platform="daily"] path')?.getAttribute('d')?.match(/M/g)).toHaveLength(1);
  });

  it('marks the flag changes on the time axis, saying what changed', async () => {
    render(<MetricsCharts window="24h" client={client()} />);
    const join = await screen.findByRole('img', { name: /^Join success/ });
    const marks = join.querySelectorAll('line.flag-mark');
    expect(marks).toHaveLength(1);
    const plotted = [...join.querySelectorAll('[data-platform="whereby"] circle')].map((c) =>
      Number(c.getAttribute('cx')),
    );
    // At the start of the third bucket: between the second and third bucket's points.
    const x = Number(marks[0]?.getAttribute('x1'));
    expect(x).toBeGreaterThan(plotted[1] ?? Number.NaN);
    expect(x).toBeLessThan(plotted[2] ?? Number.NaN);
    expect(marks[0]?.querySelector('title')?.textContent).toMatch(
      /ramp changed DAILY_MIGRATION_ENABLED from true to false \(rolled back: error rate\)$/,
    );
  });

  it('gives each chart’s numbers as a table, with a dash for a bucket without data', async () => {
    render(<MetricsCharts window="24h" client={client()} />);
    const join = await screen.findByRole('img', { name: /^Join success/ });
    const table = join.closest('figure')?.querySelector('details table');
    const cells = [...(table?.querySelectorAll('tbody tr') ?? [])].map((row) =>
      [...row.querySelectorAll('td')].map((cell) => cell.textContent),
    );
    expect(cells).toEqual([
      ['90 %', '100 %'],
      ['90 %', '–'],
      ['90 %', '50 %'],
      ['90 %', '80 %'],
    ]);
    const errors = screen.getByRole('img', { name: /^Provider API error rate/ }).closest('figure');
    expect(errors?.querySelector('details')?.textContent).toContain('No data over this time.');
  });

  it('shows the loading state, then an error with a way to try again', async () => {
    const api = {
      metricsSeries: vi
        .fn<(window: string) => Promise<MetricsSeries>>()
        .mockRejectedValueOnce(new ApiError(503, 'The database is not answering.'))
        .mockResolvedValueOnce(SERIES),
    };
    render(<MetricsCharts window="7d" client={api} />);
    expect(screen.getByRole('status').textContent).toContain('Loading the charts');
    expect((await screen.findByRole('alert')).textContent).toContain('The database is not answering.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(screen.getAllByRole('img')).toHaveLength(5));
  });
});
