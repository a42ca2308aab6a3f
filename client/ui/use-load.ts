import { useEffect, useState } from 'preact/hooks';
import { type ApiError, toApiError } from '../api.ts';

// One read of the API as a component shows it: loading, failed (the API's error), or ready. A
// read overtaken by a newer one (its inputs changed, or "try again") is dropped when it lands.

export type Load<T> = { kind: 'loading' } | { kind: 'failed'; error: ApiError } | { kind: 'ready'; value: T };

/** Reads with `read` whenever `inputs` change; the second value reads again. */
export function useLoad<T>(read: () => Promise<T>, inputs: unknown[]): [Load<T>, () => void] {
  const [state, setState] = useState<Load<T>>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    read().then(
      (value) => current && setState({ kind: 'ready', value }),
      (error: unknown) => current && setState({ kind: 'failed', error: toApiError(error, String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [...inputs, attempt]);

  return [state, () => setAttempt((n) => n + 1)];
}
