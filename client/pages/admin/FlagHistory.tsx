import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { adminApi } from '../../admin-api.ts';
import { type FlagChange, type FlagChangeList, toApiError } from '../../api.ts';
import { Loading, Problem } from '../../ui/Status.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { exactTime, valueText } from './flag-change.ts';
import './admin.css';

// The flags' history on /admin (SPEC §12): every change, newest first, whoever made it (an
// administrator, the ramp, an edit in the KV dashboard), with older pages on demand.

const PAGE_SIZE = 20;

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

export function FlagHistorySection({ client = adminApi }: { client?: Pick<typeof adminApi, 'flagHistory'> }) {
  const [first, again] = useLoad(() => client.flagHistory(1, PAGE_SIZE), []);
  // The older pages loaded on demand since: their changes, and the last page's answer.
  const [older, setOlder] = useState<{ items: FlagChange[]; last: FlagChangeList } | null>(null);
  const [more, setMore] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  useEffect(() => setOlder(null), [first]);

  const latest = older?.last ?? (first.kind === 'ready' ? first.value : null);
  const items = first.kind === 'ready' ? [...first.value.items, ...(older?.items ?? [])] : [];

  async function loadOlder() {
    if (!latest) return;
    setMore({ loading: true, error: null });
    try {
      const list = await client.flagHistory(latest.page + 1, PAGE_SIZE);
      // A change recorded since the first page shifts the pages: never show one twice.
      const seen = new Set(items.map((item) => item.id));
      setOlder({ items: [...(older?.items ?? []), ...list.items.filter((item) => !seen.has(item.id))], last: list });
      setMore({ loading: false, error: null });
    } catch (caught) {
      setMore({ loading: false, error: toApiError(caught, 'The older changes could not be loaded.').detail });
    }
  }

  const refresh = (
    <button type="button" class="btn" onClick={again}>
      {first.kind === 'failed' ? 'Try again' : 'Refresh'}
    </button>
  );
  let body: JSX.Element;
  if (first.kind === 'failed')
    body = (
      <Problem title="The flags’ history could not be loaded" actions={refresh}>
        <p>{first.error.detail}</p>
      </Problem>
    );
  else if (!latest) body = <Loading>Loading the flags’ history…</Loading>;
  else
    body = (
      <>
        <p class="summary">
          {latest.total === 0
            ? 'No flag has changed since the history began.'
            : `${latest.total} change${latest.total === 1 ? '' : 's'}, newest first.`}
        </p>
        {items.length > 0 && (
          <ol class="timeline" aria-label="Flag changes, newest first">
            {items.map((change) => (
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
          {latest.page < latest.pages && (
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
