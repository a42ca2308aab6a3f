import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type Delivery, type Room, type WebhookTestResult } from '../../client/api.ts';
import { RoomForm } from '../../client/pages/RoomForm.tsx';
import { WebhookDeliveriesSection } from '../../client/pages/WebhookDeliveries.tsx';
import { WebhookFailures } from '../../client/pages/WebhookFailures.tsx';
import { room } from './fixtures.ts';

// A room's webhook in the client (SPEC §10-11): its URL and secret in the room form, "Send test"
// with each answer, the failures on /rooms, and the admins' list of failed deliveries.

const field = (label: string) => screen.getByLabelText(label) as HTMLInputElement;
const saver = () => ({
  createRoom: vi.fn(async (input: object) => room(input as Partial<Room>)),
  updateRoom: vi.fn(async (_id: string, patch: object) => room(patch as Partial<Room>)),
});
const testResult = (fields: Partial<WebhookTestResult>): WebhookTestResult => ({
  success: false,
  message: '',
  error: '',
  status_code: null,
  response_preview: null,
  ...fields,
});

describe('the room form’s webhook', () => {
  it('takes a URL and a secret that is hidden until asked for', async () => {
    const save = saver();
    render(<RoomForm saver={save} onSaved={vi.fn()} onCancel={vi.fn()} />);
    fireEvent.input(field('Room name'), { target: { value: 'hooked' } });
    fireEvent.input(field('Webhook URL'), { target: { value: 'https://hooks.example.com/in' } });
    expect(field('Webhook secret').type).toBe('password');
    fireEvent.input(field('Webhook secret'), { target: { value: 's3cret' } });
    const show = screen.getByRole('button', { name: 'Show' });
    fireEvent.click(show);
    expect(field('Webhook secret').type).toBe('text');
    expect(field('Webhook secret').value).toBe('s3cret');
    expect(screen.getByRole('button', { name: 'Hide' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Create room' }));
    await waitFor(() => expect(save.createRoom).toHaveBeenCalled());
    expect(save.createRoom.mock.calls[0]?.[0]).toMatchObject({
      webhook_url: 'https://hooks.example.com/in',
      webhook_secret: 's3cret',
    });
    // No "Send test" before the room and its URL are saved.
    expect(screen.queryByRole('button', { name: 'Send test' })).toBeNull();
  });

  it('clears the URL with null, and shows the API’s refusal next to it', async () => {
    const save = {
      ...saver(),
      updateRoom: vi.fn(async () => {
        throw new ApiError(422, 'webhook_url: webhook_url must be an https:// URL', {
          code: 'validation',
          field: 'webhook_url',
        });
      }),
    };
    render(
      <RoomForm
        room={room({ webhook_url: 'https://a.example/x' })}
        saver={save}
        onSaved={vi.fn()}
        onCancel={vi.fn()}
      />,
    );
    fireEvent.input(field('Webhook URL'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByText(/must be an https:\/\/ URL/);
    expect(save.updateRoom).toHaveBeenCalledWith('room-1', { webhook_url: null });
    expect(field('Webhook URL').getAttribute('aria-invalid')).toBe('true');
  });

  it('sends a test and says, while it waits and after, how the receiver answered', async () => {
    let answer: (result: WebhookTestResult) => void = () => undefined;
    const tester = {
      testWebhook: vi.fn(() => new Promise<WebhookTestResult>((resolve) => (answer = resolve))),
    };
    render(
      <RoomForm
        room={room({ webhook_url: 'https://a.example/x' })}
        saver={saver()}
        tester={tester}
        onSaved={vi.fn()}
        onCancel={vi.fn()}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Send test' }));
    expect(tester.testWebhook).toHaveBeenCalledWith('room-1');
    expect((screen.getByRole('button', { name: 'Sending test…' }) as HTMLButtonElement).disabled).toBe(true);
    answer(testResult({ success: true, status_code: 200, message: 'Webhook test successful', response_preview: 'ok' }));
    await screen.findByText('Delivered: the receiver answered 200.');

    tester.testWebhook.mockImplementationOnce(async () =>
      testResult({ status_code: 500, message: 'Webhook test failed' }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Send test' }));
    await screen.findByText('Not delivered: the receiver answered 500.');

    tester.testWebhook.mockImplementationOnce(async () =>
      testResult({ error: 'Webhook request timed out (10 seconds)' }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Send test' }));
    await screen.findByText('Not delivered: Webhook request timed out (10 seconds)');

    tester.testWebhook.mockImplementationOnce(async () => {
      throw new ApiError(429, 'Too many tests of this room’s webhook', { code: 'rate-limited' });
    });
    fireEvent.click(screen.getByRole('button', { name: 'Send test' }));
    await screen.findByText('Too many tests of this room’s webhook');
  });
});

describe('failed deliveries on /rooms', () => {
  it('says how many failed with the last error, and re-sends them', async () => {
    const client = { resendFailedDeliveries: vi.fn(async () => ({ resent: 2 })) };
    const onResent = vi.fn();
    const failing = room({
      webhook_failures: {
        count: 2,
        last_error: 'the receiver answered 503',
        last_failed_at: '2026-11-24T10:00:00.000Z',
      },
    });
    render(<WebhookFailures room={failing} onResent={onResent} client={client} />);
    expect(screen.getByText(/2 webhook deliveries failed/).textContent).toContain('the receiver answered 503');
    fireEvent.click(screen.getByRole('button', { name: 'Re-send the failed webhook deliveries of team-standup' }));
    await waitFor(() => expect(onResent).toHaveBeenCalledWith('Sending 2 webhook deliveries of team-standup again.'));
    expect(client.resendFailedDeliveries).toHaveBeenCalledWith('room-1');
  });

  it('shows nothing for a room without failures', () => {
    const { container } = render(<WebhookFailures room={room({ webhook_failures: null })} onResent={vi.fn()} />);
    expect(container.textContent).toBe('');
  });
});

const DELIVERY: Delivery = {
  id: 7,
  event: 'meeting.ended',
  event_id: 'abc',
  room_id: 'room-9',
  room_name: 'board',
  meeting_id: 'm-1',
  recording_id: null,
  status: 'failed',
  attempts: 7,
  occurred_at: '2026-11-24T09:00:00.000Z',
  last_attempt_at: '2026-11-24T11:00:00.000Z',
  next_attempt_at: null,
  delivered_at: null,
  last_status: null,
  last_error: 'the receiver did not answer within 10 s',
};
const list = (items: Delivery[]) => ({ items, total: items.length, page: 1, size: 50 });

describe("the admins' failed deliveries", () => {
  it('loads, lists each with its error, and re-sends one', async () => {
    const client = {
      failedDeliveries: vi.fn(async () => list([DELIVERY])),
      resendDelivery: vi.fn(async () => ({ ...DELIVERY, status: 'pending' as const })),
    };
    render(<WebhookDeliveriesSection client={client} />);
    await screen.findByText('board');
    expect(screen.getByRole('list', { name: 'Failed webhook deliveries' }).textContent).toContain(
      'the receiver did not answer within 10 s',
    );
    client.failedDeliveries.mockImplementationOnce(async () => list([]));
    fireEvent.click(screen.getByRole('button', { name: 'Re-send meeting.ended of board' }));
    await screen.findByText('Sending meeting.ended of board again.');
    expect(client.resendDelivery).toHaveBeenCalledWith('room-9', 7);
    await screen.findByText(/No failed deliveries/);
  });

  it('says so when they cannot be loaded, and tries again', async () => {
    const client = {
      failedDeliveries: vi.fn(async (): Promise<ReturnType<typeof list>> => {
        throw new ApiError(503, 'D1 is unavailable', { code: 'unavailable' });
      }),
      resendDelivery: vi.fn(),
    };
    render(<WebhookDeliveriesSection client={client} />);
    await screen.findByText('The webhook deliveries could not be loaded');
    expect(screen.getByText('D1 is unavailable')).toBeTruthy();
    client.failedDeliveries.mockImplementationOnce(async () => list([]));
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText(/No failed deliveries/);
  });

  it('shows the wait while loading', () => {
    render(
      <WebhookDeliveriesSection
        client={{ failedDeliveries: () => new Promise(() => undefined), resendDelivery: vi.fn() }}
      />,
    );
    expect(screen.getByText('Loading the failed webhook deliveries…')).toBeTruthy();
  });
});
