import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, type FlagChange, toApiError } from '../../api.ts';
import { Loading, Problem } from '../../ui/Status.tsx';
import { exactTime, valueText } from './flag-change.ts';
import './admin.css';

// The flags' history on /admin (SPEC §12): every change, newest first, whoever made it (an
// administrator, the ramp, an edit in the KV dashboard), with older pages on demand.

const PAGE_SIZE = 20;

type Load =
  | { kind: 'loading' }
  | { kind: 'failed'; error: ApiError }
  | { kind: 'ready'; items: FlagChange[]; total: number; pages: number };

const WHO: Record<string, string> = { ramp: 'the guarded ramp', 'kv-dashboard': 'an edit in the KV dashboard' };

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago", "yesterday": how long ago, in the largest unit that fits. */
export function relativeTime(iso: string, now = Date.now()) {
  const ago = Date.parse(iso) - now;
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const [unit, ms] = UNITS.find(([, size]) => Math.abs(ago) >= size) ?? ['second', 1_000];
  return format.format(Math.round(ago / ms), unit);
}

export function FlagHistorySection({ client = api }: { client?: Pick<typeof api, 'flagHistory'> }) {
  const [state, setState] = useState<Load>({ kind: 'loading' });
  const [page, setPage] = useState(1);
  const [attempt, setAttempt] = useState(0);
  const [more, setMore] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });

  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    setPage(1);
    client.flagHistory(1, PAGE_SIZE).then(
      (list) => current && setState({ kind: 'ready', items: list.items, total: list.total, pages: list.pages }),
      (error: unknown) => current && setState({ kind: 'failed', error: toApiError(error, String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  async function loadOlder() {
    if (state.kind !== 'ready') return;
    setMore({ loading: true, error: null });
    try {
      const list = await client.flagHistory(page + 1, PAGE_SIZE);
      // A change recorded since the first page shifts the pages: never show one twice.
      const seen = new Set(state.items.map((item) => item.id));
      setState({
        kind: 'ready',
        items: [...state.items, ...list.items.filter((item) => !seen.has(item.id))],
        total: list.total,
        pages: list.pages,
      });
      setPage(page + 1);
      setMore({ loading: false, error: null });
    } catch (caught) {
      setMore({ loading: false, error: toApiError(caught, 'The older changes could not be loaded.').detail });
    }
  }

  const refresh = (
    <button type="button" class="btn" onClick={() => setAttempt((n) => n + 1)}>
      {state.kind === 'failed' ? 'Try again' : 'Refresh'}
    </button>
  );
  let body: JSX.Element;
  if (state.kind === 'loading') body = <Loading>Loading the flags’ history…</Loading>;
  else if (state.kind === 'failed')
    body = (
      <Problem title="The flags’ history could not be loaded" actions={refresh}>
        <p>{state.error.detail}</p>
      </Problem>
    );
  else
    body = (
      <>
        <p class="summary">
          {state.total === 0
            ? 'No flag has changed since the history began.'
            : `${state.total} change${state.total === 1 ? '' : 's'}, newest first.`}
        </p>
        {state.items.length > 0 && (
          <ol class="timeline" aria-label="Flag changes, newest first">
            {state.items.map((change) => (
              <li key={change.id}>
                <p class="timeline-head">
                  <time dateTime={change.at} title={exactTime(change.at)}>
                    {relativeTime(change.at)}
                  </time>{' '}
                  <span class="meta">by {WHO[change.by] ?? change.by}</span>
                </p>
                <p>
                  <code>{change.key}</code>: <code>{valueText(change.old_value, 'absent')}</code>{' '}
                  <span aria-hidden="true">→</span>
                  <span class="visually-hidden"> changed to</span> <code>{valueText(change.new_value, 'deleted')}</code>
                </p>
                <p class="meta">{change.reason}</p>
              </li>
            ))}
          </ol>
        )}
        <div class="actions">
          {page < state.pages && (
            <button type="button" class="btn" onClick={loadOlder} disabled={more.loading}>
              {more.loading ? 'Loading older changes…' : 'Show older changes'}
            </button>
          )}
          {refresh}
        </div>
        <p class="form-error" role="status" aria-live="polite">
          {more.error ?? ''}
        </p>
      </>
    );

  return (
    <section class="card" aria-labelledby="flag-history-title">
      <h2 id="flag-history-title">Flags’ history</h2>
      {body}
    </section>
  );
}
