import type { Environment } from '../config';
import { webhookHeaders } from './signing';
import { webhookUrlProblem } from './url-policy';

// One POST of a room webhook, for the queue's deliveries and for "Send test" alike: the URL
// checked again first (a row may hold one written before the policy, or by hand), redirects not
// followed (a 3xx is the receiver's answer, and a failure), and the whole exchange cut at 10 s,
// so a receiver that hangs never holds a Worker longer.

export const SEND_TIMEOUT_MS = 10_000;

/** Of the receiver's answer, the first this many bytes are read; the rest is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;

export type SendOutcome =
  | { kind: 'answered'; status: number; ok: boolean; text: string }
  | { kind: 'timed-out' }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'refused'; problem: string };

export interface Webhook {
  url: string;
  event: string;
  body: string;
  secret: string | null;
  retry: number;
}

async function answerText(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_ANSWER_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes.subarray(0, MAX_ANSWER_BYTES));
}

export async function sendWebhook(webhook: Webhook, environment: Environment): Promise<SendOutcome> {
  const problem = webhookUrlProblem(webhook.url, environment);
  if (problem) return { kind: 'refused', problem };
  const signal = AbortSignal.timeout(SEND_TIMEOUT_MS);
  try {
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: await webhookHeaders(webhook.event, webhook.body, webhook.secret, webhook.retry),
      body: webhook.body,
      redirect: 'manual',
      signal,
    });
    const text = await answerText(response);
    return { kind: 'answered', status: response.status, ok: response.status >= 200 && response.status < 300, text };
  } catch (error) {
    if (signal.aborted) return { kind: 'timed-out' };
    return { kind: 'unreachable', reason: error instanceof Error ? error.message : String(error) };
  }
}
