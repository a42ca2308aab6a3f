// The providers' webhook signatures (PROVIDERS.md), verified with WebCrypto. Both sign
// `<timestamp>.<body>` with HMAC-SHA256; the providers' own samples sign the compact
// re-serialisation of the parsed body, so that text is accepted too. crypto.subtle.verify
// compares in constant time.

/** How far an event's timestamp may be from now, either way. */
const TIMESTAMP_TOLERANCE_MS = 5 * 60_000;

export type Verdict = { ok: true } | { ok: false; reason: string };

const encoder = new TextEncoder();

function base64Bytes(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text.trim()), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function hexBytes(text: string): Uint8Array | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(text)) return null;
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** The texts a provider may have signed: the body as sent, and its compact re-serialisation. */
function signedBodies(rawBody: string): string[] {
  try {
    const compact = JSON.stringify(JSON.parse(rawBody));
    return compact === rawBody ? [rawBody] : [rawBody, compact];
  } catch {
    return [rawBody];
  }
}

// Imported keys by secret, per isolate: the secrets are few and fixed, the import is not free.
const importedKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(key: Uint8Array): Promise<CryptoKey> {
  const id = key.join(',');
  let imported = importedKeys.get(id);
  if (!imported) {
    imported = crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    importedKeys.set(id, imported);
  }
  return imported;
}

async function hmacMatches(
  key: Uint8Array,
  timestamp: string,
  rawBody: string,
  signature: Uint8Array,
): Promise<boolean> {
  const cryptoKey = await hmacKey(key);
  for (const body of signedBodies(rawBody)) {
    if (await crypto.subtle.verify('HMAC', cryptoKey, signature, encoder.encode(`${timestamp}.${body}`))) return true;
  }
  return false;
}

function timestampVerdict(eventMs: number, now: number): Verdict {
  if (!Number.isFinite(eventMs)) return { ok: false, reason: 'the timestamp is not a number' };
  if (Math.abs(now - eventMs) > TIMESTAMP_TOLERANCE_MS)
    return { ok: false, reason: 'the timestamp is more than 5 minutes from now' };
  return { ok: true };
}

/**
 * Daily: `X-Webhook-Signature` (base64 HMAC) and `X-Webhook-Timestamp`, keyed by the
 * base64-decoded secret. Whether the timestamp is in seconds or milliseconds is unconfirmed,
 * so both are read: a value past 10^12 can only be milliseconds.
 */
export async function verifyDaily(
  secretBase64: string,
  headers: { signature?: string; timestamp?: string },
  rawBody: string,
  now = Date.now(),
): Promise<Verdict> {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp) return { ok: false, reason: 'the signature headers are missing' };
  if (!/^\d+(\.\d+)?$/.test(timestamp)) return { ok: false, reason: 'the timestamp is not a number' };
  const value = Number(timestamp);
  const time = timestampVerdict(value > 1e12 ? value : value * 1000, now);
  if (!time.ok) return time;

  const key = base64Bytes(secretBase64);
  const given = base64Bytes(signature);
  if (!key || key.length === 0) return { ok: false, reason: 'DAILY_WEBHOOK_SECRET is not base64' };
  if (!given) return { ok: false, reason: 'the signature is not base64' };
  return (await hmacMatches(key, timestamp, rawBody, given))
    ? { ok: true }
    : { ok: false, reason: 'the signature does not match' };
}

/** Whereby: `Whereby-Signature: t=<unix seconds>,v1=<hex HMAC>`, keyed by the secret's UTF-8 bytes. */
export async function verifyWhereby(
  secret: string,
  header: string | undefined,
  rawBody: string,
  now = Date.now(),
): Promise<Verdict> {
  if (!header) return { ok: false, reason: 'the Whereby-Signature header is missing' };
  const parts = new Map(
    header.split(',').map((part) => {
      const [name = '', ...value] = part.trim().split('=');
      return [name, value.join('=')] as const;
    }),
  );
  const timestamp = parts.get('t');
  const signature = parts.get('v1');
  if (!timestamp || !signature) return { ok: false, reason: 'the Whereby-Signature header lacks t= or v1=' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'the timestamp is not a number' };
  const time = timestampVerdict(Number(timestamp) * 1000, now);
  if (!time.ok) return time;

  const given = hexBytes(signature);
  if (!given) return { ok: false, reason: 'the signature is not hex' };
  return (await hmacMatches(encoder.encode(secret), timestamp, rawBody, given))
    ? { ok: true }
    : { ok: false, reason: 'the signature does not match' };
}
