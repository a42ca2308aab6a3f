import { act, fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type Meeting } from '../../client/api.ts';
import { Join } from '../../client/pages/Join.tsx';
import { deferred, meeting } from './fixtures.ts';

// The join page's own states; the room itself is the room container's (room-container.test.tsx).
describe('the join page', () => {
  it('shows that it is joining while the API answers', () => {
    const join = vi.fn(() => new Promise<Meeting>(() => undefined));
    render(<Join roomName="team-standup" join={join} />);
    expect(screen.getByRole('status').textContent).toContain('Joining the meeting');
    expect(join).toHaveBeenCalledWith('team-standup');
  });

  it('says when there is no such room', async () => {
    const answer = deferred<Meeting>();
    render(<Join roomName="nope" join={() => answer.promise} />);
    await act(async () => answer.reject(new ApiError(404, 'The room was not found.')));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('There is no room called “nope”');
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('offers to try again when the provider is unavailable, and tries again', async () => {
    const join = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(502, 'Whereby did not answer (HTTP 500).'))
      .mockReturnValueOnce(new Promise(() => undefined));
    render(<Join roomName="team-standup" join={join} />);
    expect(await screen.findByRole('heading', { name: 'The video service is not available right now' })).toBeTruthy();
    expect(screen.getByText('Whereby did not answer (HTTP 500).')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(join).toHaveBeenCalledTimes(2);
    expect(screen.getByRole('status').textContent).toContain('Joining');
  });

  it('says so when the service cannot be reached', async () => {
    const join = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(0, 'The service could not be reached; check your connection and try again.'));
    render(<Join roomName="team-standup" join={join} />);
    expect(await screen.findByRole('heading', { name: 'The meeting service could not be reached' })).toBeTruthy();
  });

  it('goes to the “you left” page with a way back in', async () => {
    const join = vi.fn().mockResolvedValue(meeting({ recording_type: 'none' }));
    render(<Join roomName="team-standup" join={join} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Leave' }));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('You left team-standup');
    fireEvent.click(screen.getByRole('button', { name: 'Rejoin team-standup' }));
    expect(join).toHaveBeenCalledTimes(2);
    expect(await screen.findByRole('button', { name: 'Leave' })).toBeTruthy();
  });
});
