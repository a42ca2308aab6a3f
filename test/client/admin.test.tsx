import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  type EffectiveFlags,
  type Health,
  type Metrics,
  type PlatformFigures,
  type RolloutFlags,
} from '../../client/api.ts';
import { BreakersSection, FlagsSection, MetricsSection, MetricsTable } from '../../client/pages/Admin.tsx';
import { noFigures } from './fixtures.ts';

const FLAGS: EffectiveFlags = {
  DAILY_MIGRATION_ENABLED: false,
  DAILY_MIGRATION_ROOM_IDS: ['alpha', 'beta'],
  DAILY_MIGRATION_USER_IDS: ['auth0|ada'],
  DAILY_MIGRATION_PERCENT: 10,
  malformed: [],
};

function client(flags: EffectiveFlags = FLAGS) {
  return {
    flags: vi.fn(async () => flags),
    setFlags: vi.fn(async (next: RolloutFlags) => ({ ...next, malformed: [] })),
  };
}

describe('the rollout flags', () => {
  it('shows the effective values and any malformed stored value', async () => {
    const api = client({
      ...FLAGS,
      malformed: [
        { key: 'DAILY_MIGRATION_PERCENT', source: 'kv', raw: 'lots', reason: 'expected a number from 0 to 100' },
      ],
    });
    render(<FlagsSection client={api} />);
    const toggle = await screen.findByRole('switch', { name: 'Migration to Daily' });
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    expect((screen.getByLabelText('Rooms on Daily') as HTMLTextAreaElement).value).toBe('alpha\nbeta');
    expect((screen.getByLabelText('Share of all rooms on Daily') as HTMLInputElement).value).toBe('10');
    expect(screen.getByText('lots').closest('.warning')?.textContent).toContain('expected a number from 0 to 100');
  });

  it('flips the master switch at once, keeping the other flags as they are in effect', async () => {
    const api = client();
    render(<FlagsSection client={api} />);
    fireEvent.input(await screen.findByLabelText('Rooms on Daily'), { target: { value: 'not saved yet' } });
    fireEvent.click(screen.getByRole('switch', { name: 'Migration to Daily' }));
    await waitFor(() => expect(screen.getByRole('switch').getAttribute('aria-checked')).toBe('true'));
    expect(api.setFlags).toHaveBeenCalledExactlyOnceWith({
      DAILY_MIGRATION_ENABLED: true,
      DAILY_MIGRATION_ROOM_IDS: ['alpha', 'beta'],
      DAILY_MIGRATION_USER_IDS: ['auth0|ada'],
      DAILY_MIGRATION_PERCENT: 10,
      reason: 'master switch turned on in /admin',
    });
    expect(screen.getByText(/The migration is on/)).toBeTruthy();
  });

  it('saves the room list, the owners and the share, one entry per line or comma', async () => {
    const api = client();
    render(<FlagsSection client={api} />);
    expect(((await screen.findByLabelText('Room owners on Daily')) as HTMLTextAreaElement).value).toBe('auth0|ada');
    fireEvent.input(screen.getByLabelText('Rooms on Daily'), {
      target: { value: 'alpha\n gamma, delta\n\nalpha' },
    });
    fireEvent.input(screen.getByLabelText('Room owners on Daily'), { target: { value: 'auth0|ada\ngrace, grace' } });
    fireEvent.input(screen.getByLabelText('Share of all rooms on Daily'), { target: { value: '25' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rooms, owners and share' }));
    await waitFor(() => expect(api.setFlags).toHaveBeenCalled());
    expect(api.setFlags).toHaveBeenCalledWith({
      DAILY_MIGRATION_ENABLED: false,
      DAILY_MIGRATION_ROOM_IDS: ['alpha', 'gamma', 'delta'],
      DAILY_MIGRATION_USER_IDS: ['auth0|ada', 'grace'],
      DAILY_MIGRATION_PERCENT: 25,
      reason: 'rooms, owners and share saved in /admin',
    });
  });

  it('refuses a share outside 0 to 100 next to the field, and shows the API’s field errors there too', async () => {
    const api = client();
    api.setFlags.mockRejectedValueOnce(
      new ApiError(422, 'DAILY_MIGRATION_ROOM_IDS.0: Too small: expected string to have >=1 characters', {
        code: 'validation',
        field: 'DAILY_MIGRATION_ROOM_IDS.0',
      }),
    );
    render(<FlagsSection client={api} />);
    const percent = await screen.findByLabelText('Share of all rooms on Daily');
    fireEvent.input(percent, { target: { value: '120' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rooms, owners and share' }));
    expect(document.getElementById('flag-percent-error')?.textContent).toBe('Give a number from 0 to 100.');
    expect(percent.getAttribute('aria-invalid')).toBe('true');
    expect(api.setFlags).not.toHaveBeenCalled();
    fireEvent.input(percent, { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rooms, owners and share' }));
    await waitFor(() =>
      expect(document.getElementById('flag-daily-migration-room-ids-error')?.textContent).toContain('Too small'),
    );
  });

  it('tells a non-administrator what is going on', async () => {
    const api = client();
    api.flags.mockRejectedValueOnce(new ApiError(403, 'Only administrators may do this.'));
    render(<FlagsSection client={api} />);
    expect((await screen.findByRole('alert')).textContent).toContain('Only administrators can see the rollout flags');
  });
});

const figures = (overrides: {
  created: number;
  calls: number;
  failed: number;
  p95: number | null;
  failovers?: PlatformFigures['failovers'];
}): PlatformFigures => ({
  ...noFigures(),
  meetings: { created: overrides.created },
  failovers: overrides.failovers ?? { from: 0, to: 0 },
  provider_calls: {
    total: overrides.calls,
    failed: overrides.failed,
    error_rate: overrides.calls ? overrides.failed / overrides.calls : null,
  },
  webhooks: {
    received: 40,
    rejected: 1,
    duplicates: 2,
    applied: 35,
    ignored: 2,
    delay_ms: { p50: 420, p95: overrides.p95 },
  },
  recordings: { started: 4, in_progress: 1, stored: 2, failed: 1, deleted: 0, success_rate: 2 / 3 },
  reconciliation: { participant_corrections: 3, meetings_ended: 1, recordings_found: 0 },
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
    whereby: figures({ created: 1200, calls: 1300, failed: 1, p95: 2_450, failovers: { from: 0, to: 17 } }),
    daily: figures({ created: 3, calls: 0, failed: 0, p95: null, failovers: { from: 17, to: 0 } }),
  },
};

const cells = (label: string) =>
  [...(screen.getByRole('rowheader', { name: label }).closest('tr')?.querySelectorAll('td') ?? [])].map(
    (cell) => cell.textContent,
  );

describe('the metrics', () => {
  it('shows the figures of both platforms side by side, in words an operator reads at a glance', async () => {
    await act(async () => {
      render(<MetricsTable metrics={METRICS} />);
    });
    expect([...screen.getByRole('table').querySelectorAll('thead th')].map((cell) => cell.textContent)).toEqual([
      'Figure',
      'Whereby',
      'Daily',
    ]);
    expect(cells('Created')).toEqual(['1,200', '3']);
    expect(cells('Failed over to the other platform')).toEqual(['0', '17']);
    expect(cells('Taken over from the other platform')).toEqual(['17', '0']);
    expect(cells('Error rate')).toEqual(['0.08 %', '–']);
    expect(cells('Delay, median')).toEqual(['420 ms', '420 ms']);
    expect(cells('Delay, 95th percentile')).toEqual(['2.5 s', '–']);
    expect(cells('Success rate')).toEqual(['66.67 %', '66.67 %']);
    expect(screen.getByRole('columnheader', { name: 'Webhooks' })).toBeTruthy();
  });

  it('asks for the chosen window, and offers to try again when the figures fail to load', async () => {
    const metrics = vi.fn().mockRejectedValueOnce(new ApiError(503, 'D1 is not answering.')).mockResolvedValue(METRICS);
    // The charts follow the same window (their own states: test/client/admin-charts.test.tsx).
    const metricsSeries = vi.fn(() => new Promise<never>(() => {}));
    render(<MetricsSection client={{ metrics, metricsSeries }} />);
    expect((await screen.findByRole('alert')).textContent).toContain('D1 is not answering.');
    expect(metrics).toHaveBeenCalledWith('24h');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('table');
    fireEvent.change(screen.getByLabelText('Window'), { target: { value: '7d' } });
    await waitFor(() => expect(metrics).toHaveBeenLastCalledWith('7d'));
    expect(metricsSeries).toHaveBeenLastCalledWith('7d');
  });
});

const HEALTH: Health = {
  status: 'ok',
  environment: 'production',
  integrations: { whereby: true, daily: true, recordings_bucket: true, pipeline: true, sign_in: 'identity-provider' },
  provider_failover: true,
  breakers: {
    whereby: { state: 'closed', calls: 12, failures: 0, failures_in_a_row: 0, retry_at: null },
    daily: { state: 'open', calls: 5, failures: 5, failures_in_a_row: 5, retry_at: '2026-12-01T12:00:30.000Z' },
  },
};

const breakerLine = (name: string) => screen.getByText(name).closest('li')?.textContent ?? '';

describe('the circuit breakers', () => {
  it('shows each platform’s breaker and whether failover is on', async () => {
    render(<BreakersSection client={{ health: vi.fn(async () => HEALTH) }} />);
    expect(screen.getByRole('status').textContent).toContain('Loading the circuit breakers');
    await screen.findByText('Whereby');
    expect(screen.getByText(/Failover is/).textContent).toContain('Failover is on');
    expect(breakerLine('Whereby')).toContain('Closed: new meetings are made here');
    expect(breakerLine('Whereby')).toContain('12 meeting creates, 0 failed');
    expect(breakerLine('Daily')).toContain('Open: failing, new meetings go to the other platform');
    expect(breakerLine('Daily')).toContain('A trial create from');
  });

  it('says when a breaker could not be read, and when failover is off', async () => {
    const health = { ...HEALTH, provider_failover: false, breakers: { ...HEALTH.breakers, daily: null } };
    render(<BreakersSection client={{ health: vi.fn(async () => health) }} />);
    await screen.findByText('Whereby');
    expect(screen.getByText(/Failover is/).textContent).toContain('only watched');
    expect(screen.getByText(/Daily: its state could not be read/)).toBeTruthy();
  });

  it('offers to try again when the breakers fail to load, and refreshes them', async () => {
    const health = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(0, 'The service could not be reached.'))
      .mockResolvedValue(HEALTH);
    render(<BreakersSection client={{ health }} />);
    expect((await screen.findByRole('alert')).textContent).toContain('The service could not be reached.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('Whereby');
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(health).toHaveBeenCalledTimes(3));
  });
});
