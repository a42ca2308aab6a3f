import { useState } from 'preact/hooks';
import { api, type Room, toApiError } from '../api.ts';

// A room's webhook deliveries that failed every retry (SPEC §11), as its owner sees them in the
// rooms list: how many, the last error, and a way to send them all again.

export function WebhookFailures({
  room,
  onResent,
  client = api,
}: {
  room: Room;
  onResent(message: string): void;
  client?: Pick<typeof api, 'resendFailedDeliveries'>;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const failures = room.webhook_failures;
  if (!failures) return null;
  async function resend() {
    setBusy(true);
    setError(null);
    try {
      const { resent } = await client.resendFailedDeliveries(room.id);
      onResent(`Sending ${resent} webhook deliver${resent === 1 ? 'y' : 'ies'} of ${room.name} again.`);
    } catch (caught) {
      setError(toApiError(caught, 'They could not be sent again; try again.').detail);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="webhook-failures">
      <p class="field-error">
        <span aria-hidden="true">⚠ </span>
        {failures.count} webhook deliver{failures.count === 1 ? 'y' : 'ies'} failed
        {failures.last_error ? `; the last: ${failures.last_error}` : ''}
      </p>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        class="btn btn-small"
        onClick={resend}
        disabled={busy}
        aria-label={`Re-send the failed webhook deliveries of ${room.name}`}
      >
        {busy ? 'Re-sending…' : 'Re-send'}
      </button>
    </div>
  );
}
