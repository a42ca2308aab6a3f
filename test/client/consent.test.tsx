import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../client/api.ts';
import { browserConsentStore } from '../../client/room/consent-store.ts';
import { RecordingConsent } from '../../client/room/RecordingConsent.tsx';
import { CONSENT_KEY_PATTERN } from '../../domain/rooms.ts';
import { deferred } from './fixtures.ts';

const QUESTION = "May we store this meeting's audio recording?";

function dialog() {
  return document.querySelector('dialog') as HTMLDialogElement;
}

describe('the recording-consent question', () => {
  it('is a visible control that opens the question without blocking anything until pressed', () => {
    render(<RecordingConsent meetingId="m1" send={vi.fn()} />);
    const control = screen.getByRole('button', { name: 'This meeting is recorded' });
    expect(control.getAttribute('aria-haspopup')).toBe('dialog');
    expect(dialog().open).toBe(false);
  });

  it('moves focus into the dialog, and back to the control when Escape closes it', () => {
    render(<RecordingConsent meetingId="m1" send={vi.fn()} />);
    const control = screen.getByRole('button', { name: 'This meeting is recorded' });
    control.focus();
    fireEvent.click(control);
    expect(dialog().open).toBe(true);
    expect(dialog().getAttribute('aria-labelledby')).toBe(screen.getByRole('heading', { name: QUESTION }).id);
    expect(dialog().contains(document.activeElement)).toBe(true);
    expect(screen.getByRole('button', { name: 'Yes, store the audio' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'No, delete it after transcription' })).toBeTruthy();

    fireEvent.keyDown(document.activeElement as Element, { key: 'Escape' });
    expect(dialog().open).toBe(false);
    expect(document.activeElement).toBe(control);
  });

  it.each([
    ['Yes, store the audio', true, 'yes'],
    ['No, delete it after transcription', false, 'no'],
  ] as const)('sends “%s” as consent_given %s, remembers it, and shows the indicator', async (label, given, stored) => {
    const send = vi.fn(async () => ({ status: 'success', consent_id: 'c1' }));
    render(<RecordingConsent meetingId="m1" send={send} />);
    fireEvent.click(screen.getByRole('button', { name: 'This meeting is recorded' }));
    fireEvent.click(screen.getByRole('button', { name: label }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Recording'));
    expect(send).toHaveBeenCalledExactlyOnceWith('m1', given, browserConsentStore.key());
    expect(browserConsentStore.get('m1')).toBe(stored);
    expect(screen.queryByRole('button', { name: 'This meeting is recorded' })).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('status')));
  });

  it('is asked once per meeting in this browser', () => {
    browserConsentStore.set('m1', 'no');
    const send = vi.fn();
    render(<RecordingConsent meetingId="m1" send={send} />);
    expect(screen.queryByRole('button', { name: 'This meeting is recorded' })).toBeNull();
    expect(screen.getByRole('status').textContent).toContain('Recording');
    // Another meeting of the same room asks again.
    render(<RecordingConsent meetingId="m2" send={send} />);
    expect(screen.getByRole('button', { name: 'This meeting is recorded' })).toBeTruthy();
    expect(send).not.toHaveBeenCalled();
  });

  it('sends this browser’s consent key with every answer: made once, kept, the same for each meeting', async () => {
    const send = vi.fn(async () => ({ status: 'success', consent_id: 'c1' }));
    for (const meetingId of ['m1', 'm2']) {
      const view = render(<RecordingConsent meetingId={meetingId} send={send} />);
      fireEvent.click(screen.getByRole('button', { name: 'This meeting is recorded' }));
      fireEvent.click(screen.getByRole('button', { name: 'Yes, store the audio' }));
      await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Recording'));
      view.unmount();
    }
    const [first, second] = send.mock.calls as unknown as [string, boolean, string][];
    expect(first?.[2]).toMatch(CONSENT_KEY_PATTERN);
    expect(second?.[2]).toBe(first?.[2]);
    expect(localStorage.getItem('meeting-rooms:consent-key')).toBe(first?.[2]);
  });

  it('makes a new key for a new browser, and replaces a stored key that breaks the rule', () => {
    const one = browserConsentStore.key();
    localStorage.clear();
    const other = browserConsentStore.key();
    expect(other).toMatch(CONSENT_KEY_PATTERN);
    expect(other).not.toBe(one);
    localStorage.setItem('meeting-rooms:consent-key', 'tampered key!');
    expect(browserConsentStore.key()).toMatch(CONSENT_KEY_PATTERN);
  });

  it('keeps one key for the page’s life when storage is unavailable', () => {
    const blocked = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    const getItem = vi.spyOn(Storage.prototype, 'getItem').mockImplementation(blocked);
    const setItem = vi.spyOn(Storage.prototype, 'setItem').mockImplementation(blocked);
    const key = browserConsentStore.key();
    expect(key).toMatch(CONSENT_KEY_PATTERN);
    expect(browserConsentStore.key()).toBe(key);
    getItem.mockRestore();
    setItem.mockRestore();
  });

  it('shows the API’s words when the answer could not be sent, and lets the user answer again', async () => {
    const first = deferred<unknown>();
    const send = vi
      .fn()
      .mockReturnValueOnce(first.promise)
      .mockResolvedValueOnce({ status: 'success', consent_id: 'c2' });
    render(<RecordingConsent meetingId="m1" send={send} />);
    fireEvent.click(screen.getByRole('button', { name: 'This meeting is recorded' }));
    fireEvent.click(screen.getByRole('button', { name: 'No, delete it after transcription' }));
    expect((screen.getByRole('button', { name: 'Sending…' }) as HTMLButtonElement).disabled).toBe(true);
    await act(async () => first.reject(new ApiError(404, 'The meeting was not found.')));
    expect(screen.getByRole('alert').textContent).toBe('The meeting was not found.');
    expect(browserConsentStore.get('m1')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'No, delete it after transcription' }));
    await waitFor(() => expect(browserConsentStore.get('m1')).toBe('no'));
    expect(send).toHaveBeenCalledTimes(2);
  });
});
