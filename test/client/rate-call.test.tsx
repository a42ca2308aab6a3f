import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type Meeting } from '../../client/api.ts';
import { Join } from '../../client/pages/Join.tsx';
import { RateCall } from '../../client/room/RateCall.tsx';
import { browserRatingStore } from '../../client/room/rating-store.ts';
import { meeting } from './fixtures.ts';

// SPEC §13: the "you left" page asks "How was the call?" once per meeting in this browser; it can
// be skipped, answered from the keyboard, and a failed send says so with a way to try again.

const KEY = '0123456789abcdef0123456789abcdef';

function rateCall(send = vi.fn(async () => ({ status: 'accepted' }))) {
  render(<RateCall meetingId="meeting-1" send={send} browserKey={() => KEY} />);
  return send;
}

describe('the rating on the “you left” page', () => {
  it('asks in a labelled group of five, each named for screen readers', () => {
    rateCall();
    const group = screen.getByRole('group', { name: 'How was the call?' });
    const options = screen.getAllByRole('radio');
    expect(group.contains(options[0] ?? null)).toBe(true);
    expect(options.map((option) => option.getAttribute('aria-label'))).toEqual([
      '1, very poor',
      '2, poor',
      '3, fair',
      '4, good',
      '5, excellent',
    ]);
    expect(screen.getByRole('button', { name: 'Send' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByLabelText('Anything to add? (optional)').getAttribute('maxlength')).toBe('1000');
  });

  it('sends the rating, the trimmed comment and the browser’s key, then thanks', async () => {
    const send = rateCall();
    fireEvent.click(screen.getByRole('radio', { name: '4, good' }));
    fireEvent.input(screen.getByLabelText('Anything to add? (optional)'), { target: { value: '  Echo at times. ' } });
    expect(document.getElementById('rate-comment-count')?.textContent).toBe('17 of 1000 characters');
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(send).toHaveBeenCalledWith('meeting-1', { rating: 4, comment: 'Echo at times.', rating_key: KEY });
    expect((await screen.findByRole('status')).textContent).toContain('Thank you');
    expect(screen.queryByRole('group')).toBeNull();
  });

  it('leaves the comment out when it is blank', async () => {
    const send = rateCall();
    fireEvent.click(screen.getByRole('radio', { name: '1, very poor' }));
    fireEvent.submit(screen.getByRole('button', { name: 'Send' }).closest('form') as HTMLFormElement);
    expect(send).toHaveBeenCalledWith('meeting-1', { rating: 1, comment: undefined, rating_key: KEY });
    await screen.findByRole('status');
  });

  it('says what went wrong when sending fails, and sends again on Try again', async () => {
    const send = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(429, 'Too many answers for this meeting from your address.'))
      .mockResolvedValueOnce({ status: 'accepted' });
    rateCall(send);
    fireEvent.click(screen.getByRole('radio', { name: '5, excellent' }));
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many answers for this meeting from your address.');
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect((await screen.findByRole('status')).textContent).toContain('Thank you');
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('goes away on Skip, sending nothing', () => {
    const send = rateCall();
    fireEvent.click(screen.getByRole('button', { name: 'Skip' }));
    expect(screen.queryByRole('group')).toBeNull();
    expect(send).not.toHaveBeenCalled();
  });

  it('asks once per meeting in this browser', () => {
    browserRatingStore.remember('meeting-1');
    rateCall();
    expect(screen.queryByRole('group')).toBeNull();
    render(<RateCall meetingId="meeting-2" send={vi.fn()} browserKey={() => KEY} />);
    expect(screen.getByRole('group', { name: 'How was the call?' })).toBeTruthy();
  });
});

describe('the “you left” page', () => {
  function leftPage(join: () => Promise<Meeting>) {
    const loadRating = vi.fn(async () => (props: { meetingId: string }) => (
      <RateCall {...props} send={vi.fn()} browserKey={() => KEY} />
    ));
    render(<Join roomName="team-standup" join={join} loadRating={loadRating} />);
    return loadRating;
  }

  it('keeps focus on its heading, asks about the meeting left, and does not ask again after a rejoin', async () => {
    const left = meeting({ recording_type: 'none', room_url: 'https://example.whereby.com/team-standup-0001' });
    const join = vi.fn(async () => left);
    leftPage(join);
    fireEvent.click(await screen.findByRole('button', { name: 'Leave' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'You left team-standup' });
    await screen.findByRole('group', { name: 'How was the call?' });
    expect(document.activeElement).toBe(heading);
    await waitFor(() => expect(browserRatingStore.asked(left.id)).toBe(true));

    fireEvent.click(screen.getByRole('button', { name: 'Rejoin team-standup' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Leave' }));
    await screen.findByRole('heading', { level: 1, name: 'You left team-standup' });
    await act(async () => undefined);
    await waitFor(() => expect(screen.queryByRole('group')).toBeNull());
    expect(join).toHaveBeenCalledTimes(2);
  });
});
