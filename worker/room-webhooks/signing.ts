// The headers of a room webhook, exactly as Reflector's outgoing webhooks have them
// (server/reflector/utils/webhook.py, build_webhook_headers): a receiver written for Reflector
// verifies ours unchanged.

const encoder = new TextEncoder();

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** HMAC-SHA256 with the secret's UTF-8 bytes over "<t>.<raw body>", in hex. */
export async function webhookSignature(body: string, secret: string, timestamp: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}.${body}`)));
}

export async function webhookHeaders(
  event: string,
  body: string,
  secret: string | null,
  retry: number,
  now = Date.now(),
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'Reflector-Webhook/1.0',
    'X-Webhook-Event': event,
    'X-Webhook-Retry': String(retry),
  };
  // Reflector signs only when the room has a secret (an empty one counts as none).
  if (secret) {
    const timestamp = Math.floor(now / 1000);
    headers['X-Webhook-Signature'] = `t=${timestamp},v1=${await webhookSignature(body, secret, timestamp)}`;
  }
  return headers;
}
