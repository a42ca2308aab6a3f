import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type FlagChange, type FlagChangeList } from '../../client/api.ts';
import { FlagHistorySection, relativeTime } from '../../client/pages/admin/FlagHistory.tsx';

const MINUTE = 60_000;
const change = (id: number, overrides: Partial<FlagChange> = {}): FlagChange => ({
  id,
  at: new Date(Date.now() - id * 5 * MINUTE).toISOString(),
  by: 'admin-1',
  key: 'DAILY_MIGRATION_PERCENT',
  old_value: String(id),
  new_value: String(id + 1),
  reason: `reason ${id}`,
  ...overrides,
});
const page = (items: FlagChange[], pageNumber: number, total: number): FlagChangeList => ({
  items,
  total,
  page: pageNumber,
  size: 20,
  pages: Math.ceil(total / 20),
});

describe('the flags’ history on /admin', () => {
  it('lists the changes newest first: when (relative, exact on hover), who, key, old → new, why', async () => {
    const api = {
      flagHistory: vi.fn(async () =>
        page(
          [
            change(1, { by: 'ramp', key: 'DAILY_MIGRATION_ENABLED', old_value: 'true', new_value: 'false' }),
            change(2, { by: 'kv-dashboard', key: 'DAILY_MIGRATION_ROOM_IDS', new_value: null }),
          ],
          1,
          2,
        ),
      ),
    };
    render(<FlagHistorySection client={api} />);
    const list = await screen.findByRole('list', { name: 'Flag changes, newest first' });
    expect(api.flagHistory).toHaveBeenCalledWith(1, 20);
    const [first, second] = within(list).getAllByRole('listitem');
    expect(first?.textContent).toContain('5 minutes ago');
    expect(first?.textContent).toContain('by the guarded ramp');
    expect(first?.textContent).toContain('DAILY_MIGRATION_ENABLED: true → changed to false');
    expect(first?.textContent).toContain('reason 1');
    const time = first?.querySelector('time');
    expect(time?.getAttribute('dateTime')).toBe(change(1).at.slice(0, 16) + time?.getAttribute('dateTime')?.slice(16));
    expect(time?.getAttribute('title')).toMatch(/\d{4}/);
    expect(second?.textContent).toContain('by an edit in the KV dashboard');
    expect(second?.textContent).toContain('→ changed to deleted');
    expect(screen.queryByRole('button', { name: 'Show older changes' })).toBeNull();
  });

  it('loads older pages on demand, never showing a change twice', async () => {
    const first = Array.from({ length: 20 }, (_, i) => change(i + 1));
    const api = {
      flagHistory: vi
        .fn<(page: number, size: number) => Promise<FlagChangeList>>()
        .mockResolvedValueOnce(page(first, 1, 25))
        // One change came in meanwhile, so the second page repeats the first page's last.
        .mockResolvedValueOnce(page([change(20), ...Array.from({ length: 5 }, (_, i) => change(i + 21))], 2, 26)),
    };
    render(<FlagHistorySection client={api} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Show older changes' }));
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(25));
    expect(api.flagHistory).toHaveBeenLastCalledWith(2, 20);
    expect(screen.getByText('26 changes, newest first.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Show older changes' })).toBeNull();
  });

  it('says so when nothing changed yet, and shows an error with a way to try again', async () => {
    const api = {
      flagHistory: vi
        .fn<(page: number, size: number) => Promise<FlagChangeList>>()
        .mockRejectedValueOnce(new ApiError(500, 'Something failed on our side.'))
        .mockResolvedValueOnce(page([], 1, 0)),
    };
    render(<FlagHistorySection client={api} />);
    expect(screen.getByRole('status').textContent).toContain('Loading the flags’ history');
    expect((await screen.findByRole('alert')).textContent).toContain('Something failed on our side.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No flag has changed since the history began.')).toBeTruthy();
  });

  it('says how long ago in the largest unit that fits', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    const ago = (ms: number) => relativeTime(new Date(now - ms).toISOString(), now);
    expect(ago(20_000)).toBe('20 seconds ago');
    expect(ago(3 * MINUTE)).toBe('3 minutes ago');
    expect(ago(2 * 60 * MINUTE)).toBe('2 hours ago');
    expect(ago(26 * 60 * MINUTE)).toBe('yesterday');
  });
});
