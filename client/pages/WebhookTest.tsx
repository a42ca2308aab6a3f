import { useState } from 'preact/hooks';
import { api, toApiError, type WebhookTestResult } from '../api.ts';

// "Send test" of a room's webhook (SPEC §10): a signed `test` event to the saved URL, and how the
// receiver answered, read out as it comes.

type TestState =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'done'; result: WebhookTestResult }
  | { kind: 'failed'; detail: string };

function resultLine(result: WebhookTestResult): string {
  if (result.success) return `Delivered: the receiver answered ${result.status_code}.`;
  if (result.status_code !== null) return `Not delivered: the receiver answered ${result.status_code}.`;
  return `Not delivered: ${result.error}`;
}

export function WebhookTest({ roomId, client = api }: { roomId: string; client?: Pick<typeof api, 'testWebhook'> }) {
  const [state, setState] = useState<TestState>({ kind: 'idle' });
  async function send() {
    setState({ kind: 'sending' });
    try {
      setState({ kind: 'done', result: await client.testWebhook(roomId) });
    } catch (caught) {
      setState({ kind: 'failed', detail: toApiError(caught, 'The test could not be sent; try again.').detail });
    }
  }
  const ok = state.kind === 'done' && state.result.success;
  return (
    <div class="webhook-test">
      <button type="button" class="btn btn-small" onClick={send} disabled={state.kind === 'sending'}>
        {state.kind === 'sending' ? 'Sending test…' : 'Send test'}
      </button>
      <p class={`hint ${state.kind === 'idle' ? '' : ok ? 'success' : 'field-error'}`} role="status" aria-live="polite">
        {state.kind === 'idle' && 'Sends a signed test event to the saved URL.'}
        {state.kind === 'sending' && 'Sending a test event…'}
        {state.kind === 'done' && resultLine(state.result)}
        {state.kind === 'failed' && state.detail}
      </p>
      {state.kind === 'done' && state.result.response_preview && (
        <pre class="response-preview">{state.result.response_preview.slice(0, 500)}</pre>
      )}
    </div>
  );
}
