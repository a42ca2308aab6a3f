import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { adminApi } from '../admin-api.ts';
import { type ApiError, type Delivery, type DeliveryList, toApiError } from '../api.ts';
import { Loading, Problem } from '../ui/Status.tsx';

// Admins: every room's webhook deliveries kept as failed (SPEC §11), each with its last error
// and a way to send it again.

type Load = { kind: 'loading' } | { kind: 'failed'; error: ApiError } | { kind: 'ready'; value: DeliveryList };

export function WebhookDeliveriesSection({
  client = adminApi,
}: {
  client?: Pick<typeof adminApi, 'failedDeliveries' | 'resendDelivery'>;
}) {
  const [state, setState] = useState<Load>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [notice, setNotice] = useState('');

  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    client.failedDeliveries().then(
      (value) => current && setState({ kind: 'ready', value }),
      (error: unknown) => current && setState({ kind: 'failed', error: toApiError(error, String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  async function resend(delivery: Delivery) {
    try {
      await client.resendDelivery(delivery.room_id, delivery.id);
      setNotice(`Sending ${delivery.event} of ${delivery.room_name} again.`);
      setAttempt((n) => n + 1);
    } catch (caught) {
      setNotice(toApiError(caught, 'It could not be sent again; try again.').detail);
    }
  }

  const again = (label: string) => (
    <button type="button" class="btn" onClick={() => setAttempt((n) => n + 1)}>
      {label}
    </button>
  );
  let body: JSX.Element;
  if (state.kind === 'loading') body = <Loading>Loading the failed webhook deliveries…</Loading>;
  else if (state.kind === 'failed')
    body = (
      <Problem title="The webhook deliveries could not be loaded" actions={again('Try again')}>
        <p>{state.error.detail}</p>
      </Problem>
    );
  else if (state.value.total === 0)
    body = (
      <>
        <p class="summary">No failed deliveries: every room's receiver took its events.</p>
        <div class="actions">{again('Refresh')}</div>
      </>
    );
  else
    body = (
      <>
        <p class="summary">
          {state.value.total} deliver{state.value.total === 1 ? 'y' : 'ies'} failed every retry.
        </p>
        <ul class="deliveries" aria-label="Failed webhook deliveries">
          {state.value.items.map((delivery) => (
            <li key={delivery.id}>
              <strong>{delivery.room_name}</strong> {delivery.event}, {delivery.attempts} attempts
              {delivery.last_attempt_at ? `, last at ${new Date(delivery.last_attempt_at).toLocaleString('en')}` : ''}:{' '}
              <span>{delivery.last_error ?? 'no error recorded'}</span>{' '}
              <button
                type="button"
                class="btn btn-small"
                onClick={() => resend(delivery)}
                aria-label={`Re-send ${delivery.event} of ${delivery.room_name}`}
              >
                Re-send
              </button>
            </li>
          ))}
        </ul>
        <div class="actions">{again('Refresh')}</div>
      </>
    );

  return (
    <section class="card" aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">Failed webhook deliveries</h2>
      <p class="notice-line" role="status" aria-live="polite">
        {notice}
      </p>
      {body}
    </section>
  );
}
