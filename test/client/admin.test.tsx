import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type EffectiveFlags, type RolloutFlags } from '../../client/api.ts';
import { FlagsSection, MetricsSection, MetricsTable } from '../../client/pages/Admin.tsx';

const FLAGS: EffectiveFlags = {
  DAILY_MIGRATION_ENABLED: false,
  DAILY_MIGRATION_ROOM_IDS: ['alpha', 'beta'],
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
    const api = client({ ...FLAGS, malformed: [{ key: 'DAILY_MIGRATION_PERCENT', source: 'kv', raw: 'lots', reason: 'expected a number from 0 to 100' }] });
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
    expect(api.setFlags).toHaveBeenCalledExactlyOnceWith({ DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: ['alpha', 'beta'], DAILY_MIGRATION_PERCENT: 10 });
    expect(screen.getByText(/The migration is on/)).toBeTruthy();
  });

  it('saves the room list and the share, one room per line or comma', async () => {
    const api = client();
    render(<FlagsSection client={api} />);
    fireEvent.input(await screen.findByLabelText('Rooms on Daily'), { target: { value: 'alpha\n gamma, delta\n\nalpha' } });
    fireEvent.input(screen.getByLabelText('Share of all rooms on Daily'), { target: { value: '25' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rooms and share' }));
    await waitFor(() => expect(api.setFlags).toHaveBeenCalled());
    expect(api.setFlags).toHaveBeenCalledWith({ DAILY_MIGRATION_ENABLED: false, DAILY_MIGRATION_ROOM_IDS: ['alpha', 'gamma', 'delta'], DAILY_MIGRATION_PERCENT: 25 });
  });

  it('refuses a share outside 0 to 100 next to the field, and shows the API’s field errors there too', async () => {
    const api = client();
    api.setFlags.mockRejectedValueOnce(new ApiError(422, 'DAILY_MIGRATION_ROOM_IDS.0: Too small: expected string to have >=1 characters'));
    render(<FlagsSection client={api} />);
    const percent = await screen.findByLabelText('Share of all rooms on Daily');
    fireEvent.input(percent, { target: { value: '120' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rooms and share' }));
    expect(document.getElementById('flag-percent-error')?.textContent).toBe('Give a number from 0 to 100.');
    expect(percent.getAttribute('aria-invalid')).toBe('true');
    expect(api.setFlags).not.toHaveBeenCalled();
    fireEvent.input(percent, { target: { value: '5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save rooms and share' }));
    await waitFor(() => expect(document.getElementById('flag-rooms-error')?.textContent).toContain('Too small'));
  });

  it('tells a non-administrator what is going on', async () => {
    const api = client();
    api.flags.mockRejectedValueOnce(new ApiError(403, 'Only administrators may do this.'));
    render(<FlagsSection client={api} />);
    expect((await screen.findByRole('alert')).textContent).toContain('Only administrators can see the rollout flags');
  });
});

describe('the metrics', () => {
  it('says they are not available yet while GET /v1/metrics answers 404', async () => {
    const metrics = vi.fn().mockRejectedValue(new ApiError(404, 'There is no GET /v1/metrics.'));
    render(<MetricsSection client={{ metrics }} />);
    expect(await screen.findByText('Metrics are not available yet.')).toBeTruthy();
    expect(metrics).toHaveBeenCalledWith('24h');
    fireEvent.change(screen.getByLabelText('Window'), { target: { value: '7d' } });
    await waitFor(() => expect(metrics).toHaveBeenLastCalledWith('7d'));
  });

  it('shows the figures of both platforms side by side', async () => {
    await act(async () => {
      render(
        <MetricsTable
          metrics={{
            window: '24h',
            platforms: {
              whereby: { meetings_created: 12, webhooks: { received: 40, rejected: 1 } },
              daily: { meetings_created: 3, webhooks: { received: 9, rejected: 0 } },
            },
          }}
        />,
      );
    });
    const headers = screen.getAllByRole('columnheader').map((cell) => cell.textContent);
    expect(headers).toEqual(['Figure', 'Whereby', 'Daily']);
    const row = screen.getByRole('rowheader', { name: 'webhooks › received' }).closest('tr');
    expect([...(row?.querySelectorAll('td') ?? [])].map((cell) => cell.textContent)).toEqual(['40', '9']);
  });
});
