import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { PLATFORM_NAMES, PLATFORMS } from '../../domain/rooms.ts';
import { adminApi } from '../admin-api.ts';
import {
  type ApiError,
  type Breaker,
  type EffectiveFlags,
  type Health,
  type MalformedFlag,
  type Metrics,
  type PlatformFigures,
  type RolloutFlags,
  toApiError,
} from '../api.ts';
import { Loading, Problem } from '../ui/Status.tsx';
import { MetricsCharts } from './admin/Charts.tsx';
import { FlagHistorySection } from './admin/FlagHistory.tsx';
import { PlatformsHead } from './admin/PlatformsHead.tsx';
import { RolloutPlanSection } from './admin/RolloutPlan.tsx';
import { WebhookDeliveriesSection } from './WebhookDeliveries.tsx';

type Load<T> = { kind: 'loading' } | { kind: 'failed'; error: ApiError } | { kind: 'ready'; value: T };

/** `/admin`: the rollout flags (SPEC §3) changed in place, and the metrics of both platforms (SPEC §7). */
export function AdminPage() {
  return (
    <>
      <h1 tabIndex={-1}>Rollout</h1>
      <FlagsSection />
      <RolloutPlanSection />
      <FlagHistorySection />
      <BreakersSection />
      <WebhookDeliveriesSection />
      <MetricsSection />
    </>
  );
}

type ListFlag = 'DAILY_MIGRATION_ROOM_IDS' | 'DAILY_MIGRATION_USER_IDS';
type FlagField = ListFlag | 'DAILY_MIGRATION_PERCENT';

/** A list flag as typed in its box: one entry per line (commas work too), each once. */
const entriesOf = (text: string) => [
  ...new Set(
    text
      .split(/[\n,]/)
      .map((item) => item.trim())
      .filter(Boolean),
  ),
];

export function FlagsSection({ client = adminApi }: { client?: Pick<typeof adminApi, 'flags' | 'setFlags'> }) {
  const [state, setState] = useState<Load<EffectiveFlags>>({ kind: 'loading' });
  const [rooms, setRooms] = useState('');
  const [owners, setOwners] = useState('');
  const [percent, setPercent] = useState('');
  const [saving, setSaving] = useState<'switch' | 'form' | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FlagField, string>>>({});
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [attempt, setAttempt] = useState(0);

  const show = (flags: EffectiveFlags) => {
    setState({ kind: 'ready', value: flags });
    setRooms(flags.DAILY_MIGRATION_ROOM_IDS.join('\n'));
    setOwners(flags.DAILY_MIGRATION_USER_IDS.join('\n'));
    setPercent(String(flags.DAILY_MIGRATION_PERCENT));
  };

  useEffect(() => {
    setState({ kind: 'loading' });
    client
      .flags()
      .then(show, (error: unknown) => setState({ kind: 'failed', error: toApiError(error, String(error)) }));
  }, [attempt]);

  if (state.kind === 'loading') return <Loading>Loading the rollout flags…</Loading>;
  if (state.kind === 'failed') {
    const error = state.error;
    const title =
      error.status === 403 ? 'Only administrators can see the rollout flags' : 'The rollout flags could not be loaded';
    return (
      <Problem
        title={title}
        actions={
          error.status !== 403 && (
            <button type="button" class="btn btn-primary" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
          )
        }
      >
        <p>{error.detail}</p>
        {error.status === 403 && <p>An operator adds administrators to the ADMIN_USER_IDS setting.</p>}
      </Problem>
    );
  }

  const flags = state.value;
  const malformed = (key: MalformedFlag['key']) => flags.malformed.filter((item) => item.key === key);

  /** `reason` goes into the flags' history beside the admin's name (SPEC §12). */
  async function save(next: RolloutFlags, reason: string, what: 'switch' | 'form', done: string) {
    setSaving(what);
    setMessage(null);
    setErrors({});
    try {
      show(await client.setFlags({ ...next, reason }));
      setMessage({ text: done, error: false });
    } catch (caught) {
      const error = toApiError(caught, String(caught));
      const field = error.fieldIn([
        'DAILY_MIGRATION_ROOM_IDS',
        'DAILY_MIGRATION_USER_IDS',
        'DAILY_MIGRATION_PERCENT',
      ] as const);
      if (field) setErrors({ [field]: error.detail });
      else setMessage({ text: error.detail, error: true });
    } finally {
      setSaving(null);
    }
  }

  function toggle() {
    const enabled = !flags.DAILY_MIGRATION_ENABLED;
    // The switch is the rollback: it saves at once, with the other flags as they are in effect.
    void save(
      { ...pickFlags(flags), DAILY_MIGRATION_ENABLED: enabled },
      enabled ? 'master switch turned on in /admin' : 'master switch turned off in /admin: rolled back',
      'switch',
      enabled
        ? 'The migration is on: the rooms below get their next meeting on Daily.'
        : 'The migration is off: every new meeting is on Whereby. Meetings in progress carry on where they are.',
    );
  }

  function submit(event: Event) {
    event.preventDefault();
    const value = Number(percent);
    if (percent.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) {
      setErrors({ DAILY_MIGRATION_PERCENT: 'Give a number from 0 to 100.' });
      return;
    }
    void save(
      {
        ...pickFlags(flags),
        DAILY_MIGRATION_ROOM_IDS: entriesOf(rooms),
        DAILY_MIGRATION_USER_IDS: entriesOf(owners),
        DAILY_MIGRATION_PERCENT: value,
      },
      'rooms, owners and share saved in /admin',
      'form',
      'Saved. New meetings follow these flags within about a minute.',
    );
  }

  const enabled = flags.DAILY_MIGRATION_ENABLED;
  return (
    <section class="card" aria-labelledby="flags-title">
      <h2 id="flags-title">Daily migration flags</h2>
      <p class="summary">
        In effect now: migration <strong>{enabled ? 'on' : 'off'}</strong>, {flags.DAILY_MIGRATION_ROOM_IDS.length} room
        {flags.DAILY_MIGRATION_ROOM_IDS.length === 1 ? '' : 's'} and {flags.DAILY_MIGRATION_USER_IDS.length} owner
        {flags.DAILY_MIGRATION_USER_IDS.length === 1 ? '' : 's'} listed, {flags.DAILY_MIGRATION_PERCENT}% of all rooms.
        A change decides each room's next meeting; meetings in progress stay where they are.
      </p>

      <div class="switch-row">
        <button
          type="button"
          role="switch"
          aria-checked={enabled}
          aria-describedby="switch-hint"
          class="switch"
          onClick={toggle}
          disabled={saving !== null}
        >
          <span class="switch-track" aria-hidden="true">
            <span class="switch-thumb" />
          </span>
          <span>Migration to Daily</span>
        </button>
        <p class="hint" id="switch-hint">
          {enabled
            ? 'On: listed rooms and the share below move to Daily.'
            : 'Off: every new meeting is on Whereby (the rollback).'}{' '}
          Saved at once as <code>DAILY_MIGRATION_ENABLED</code>.
        </p>
        <Malformed items={malformed('DAILY_MIGRATION_ENABLED')} />
      </div>

      <form onSubmit={submit} noValidate>
        <FlagList
          flag="DAILY_MIGRATION_ROOM_IDS"
          label="Rooms on Daily"
          hint="Room ids or names, one per line (commas work too)"
          value={rooms}
          onInput={setRooms}
          error={errors.DAILY_MIGRATION_ROOM_IDS}
          malformed={malformed('DAILY_MIGRATION_ROOM_IDS')}
        />
        <FlagList
          flag="DAILY_MIGRATION_USER_IDS"
          label="Room owners on Daily"
          hint="Every room of these owners (their user id, the sub of their sign-in), one per line"
          value={owners}
          onInput={setOwners}
          error={errors.DAILY_MIGRATION_USER_IDS}
          malformed={malformed('DAILY_MIGRATION_USER_IDS')}
        />
        <div class="field">
          <label for="flag-percent">Share of all rooms on Daily</label>
          <div class="inline narrow">
            <input
              id="flag-percent"
              name="DAILY_MIGRATION_PERCENT"
              type="number"
              inputMode="decimal"
              min={0}
              max={100}
              step="any"
              value={percent}
              onInput={(event) => setPercent(event.currentTarget.value)}
              aria-describedby={`flag-percent-hint${errors.DAILY_MIGRATION_PERCENT ? ' flag-percent-error' : ''}`}
              aria-invalid={errors.DAILY_MIGRATION_PERCENT ? true : undefined}
            />
            <span aria-hidden="true">%</span>
          </div>
          <p class="hint" id="flag-percent-hint">
            0 to 100: <code>DAILY_MIGRATION_PERCENT</code>. Rooms are chosen by a stable hash of their id, so raising it
            only adds rooms.
          </p>
          {errors.DAILY_MIGRATION_PERCENT && (
            <p class="field-error" id="flag-percent-error">
              {errors.DAILY_MIGRATION_PERCENT}
            </p>
          )}
          <Malformed items={malformed('DAILY_MIGRATION_PERCENT')} />
        </div>
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={saving !== null}>
            {saving === 'form' ? 'Saving…' : 'Save rooms, owners and share'}
          </button>
        </div>
      </form>
      <p class={message?.error ? 'form-error' : 'notice-line'} role="status" aria-live="polite">
        {message?.text ?? ''}
      </p>
    </section>
  );
}

function pickFlags(flags: EffectiveFlags): RolloutFlags {
  const { DAILY_MIGRATION_ENABLED, DAILY_MIGRATION_ROOM_IDS, DAILY_MIGRATION_USER_IDS, DAILY_MIGRATION_PERCENT } =
    flags;
  return { DAILY_MIGRATION_ENABLED, DAILY_MIGRATION_ROOM_IDS, DAILY_MIGRATION_USER_IDS, DAILY_MIGRATION_PERCENT };
}

/** A list flag's box: labelled, with its hint, the API's error for it, and any stored value that did not parse. */
function FlagList(props: {
  flag: ListFlag;
  label: string;
  hint: string;
  value: string;
  onInput: (value: string) => void;
  error: string | undefined;
  malformed: MalformedFlag[];
}) {
  const id = `flag-${props.flag.toLowerCase().replace(/_/g, '-')}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.flag}
        rows={4}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        aria-describedby={`${id}-hint${props.error ? ` ${id}-error` : ''}`}
        aria-invalid={props.error ? true : undefined}
        spellcheck={false}
      />
      <p class="hint" id={`${id}-hint`}>
        {props.hint}: <code>{props.flag}</code>.
      </p>
      {props.error && (
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
      <Malformed items={props.malformed} />
    </div>
  );
}

function Malformed({ items }: { items: MalformedFlag[] }) {
  if (items.length === 0) return null;
  return (
    <div class="warning">
      {items.map((item) => (
        <p key={`${item.key}-${item.source}`}>
          The value stored in {item.source === 'kv' ? 'KV' : 'the Worker’s settings'}, <code>{item.raw}</code>, is not
          valid ({item.reason}), so it is ignored and the value shown is the one in effect.{' '}
          {item.source === 'kv' ? 'Saving replaces it.' : 'Saving puts a valid value in KV, which takes its place.'}
        </p>
      ))}
    </div>
  );
}

const BREAKER_STATES = {
  closed: 'Closed: new meetings are made here',
  open: 'Open: failing, new meetings go to the other platform',
  'half-open': 'Half-open: the next new meeting is a trial',
} as const;

/** Each provider's circuit breaker (SPEC §9), from GET /v1/health, with a way to look again. */
export function BreakersSection({ client = adminApi }: { client?: Pick<typeof adminApi, 'health'> }) {
  const [state, setState] = useState<Load<Health>>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    client.health().then(
      (value) => current && setState({ kind: 'ready', value }),
      (error: unknown) => current && setState({ kind: 'failed', error: toApiError(error, String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  const again = (label: string) => (
    <button type="button" class="btn" onClick={() => setAttempt((n) => n + 1)}>
      {label}
    </button>
  );
  let body: JSX.Element;
  if (state.kind === 'loading') body = <Loading>Loading the circuit breakers…</Loading>;
  else if (state.kind === 'failed')
    body = (
      <Problem title="The circuit breakers could not be loaded" actions={again('Try again')}>
        <p>{state.error.detail}</p>
      </Problem>
    );
  else
    body = (
      <>
        <p class="summary">
          Failover is <strong>{state.value.provider_failover ? 'on' : 'off'}</strong>:{' '}
          {state.value.provider_failover
            ? 'while a platform fails, its rooms get their next meeting on the other one. Meetings in progress stay where they are.'
            : 'the breakers are only watched; every join tries its own platform (PROVIDER_FAILOVER, and both platforms configured).'}
        </p>
        <ul class="breakers">
          {PLATFORMS.map((platform) => (
            <li key={platform}>
              <BreakerLine name={PLATFORM_NAMES[platform]} breaker={state.value.breakers[platform]} />
            </li>
          ))}
        </ul>
        <div class="actions">{again('Refresh')}</div>
      </>
    );

  return (
    <section class="card" aria-labelledby="breakers-title">
      <h2 id="breakers-title">Circuit breakers</h2>
      {body}
    </section>
  );
}

function BreakerLine({ name, breaker }: { name: string; breaker: Breaker }) {
  if (!breaker) return <span>{name}: its state could not be read right now.</span>;
  return (
    <>
      <strong>{name}</strong> <span class={`badge breaker-${breaker.state}`}>{breaker.state}</span>{' '}
      <span>{BREAKER_STATES[breaker.state]}.</span>{' '}
      <span class="meta">
        Last minute: {count(breaker.calls)} meeting create{breaker.calls === 1 ? '' : 's'}, {count(breaker.failures)}{' '}
        failed.
        {breaker.retry_at && ` A trial create from ${new Date(breaker.retry_at).toLocaleTimeString('en')}.`}
      </span>
    </>
  );
}

const WINDOWS = [
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
] as const;

export function MetricsSection({ client = adminApi }: { client?: Pick<typeof adminApi, 'metrics' | 'metricsSeries'> }) {
  const [span, setSpan] = useState<string>('24h');
  const [state, setState] = useState<Load<Metrics>>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    client.metrics(span).then(
      (value) => current && setState({ kind: 'ready', value }),
      (error: unknown) => current && setState({ kind: 'failed', error: toApiError(error, String(error)) }),
    );
    return () => {
      current = false;
    };
  }, [span, attempt]);

  let body: JSX.Element;
  if (state.kind === 'loading') body = <Loading>Loading the metrics…</Loading>;
  else if (state.kind === 'failed')
    body = (
      <Problem
        title="The metrics could not be loaded"
        actions={
          state.error.status !== 403 && (
            <button type="button" class="btn" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
          )
        }
      >
        <p>{state.error.detail}</p>
      </Problem>
    );
  else body = <MetricsTable metrics={state.value} />;

  return (
    <section class="card" aria-labelledby="metrics-title">
      <div class="section-head">
        <h2 id="metrics-title">Whereby and Daily side by side</h2>
        <label class="inline-label">
          <span>Window</span>
          <select value={span} onChange={(event) => setSpan(event.currentTarget.value)}>
            {WINDOWS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {body}
      <MetricsCharts window={span} client={client} />
    </section>
  );
}

const count = (n: number) => n.toLocaleString('en');
const percent = (share: number | null) =>
  share === null ? '–' : `${(share * 100).toLocaleString('en', { maximumFractionDigits: 2 })} %`;
const delay = (ms: number | null) =>
  ms === null ? '–' : ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toLocaleString('en', { maximumFractionDigits: 1 })} s`;

type Row = [label: string, value: (figures: PlatformFigures) => string];

/** The figures an operator weighs before raising Daily's share or rolling back, by subject. */
const SECTIONS: [title: string, rows: Row[]][] = [
  ['Meetings', [['Created', (f) => count(f.meetings.created)]]],
  [
    'Failover',
    [
      ['Failed over to the other platform', (f) => count(f.failovers.from)],
      ['Taken over from the other platform', (f) => count(f.failovers.to)],
    ],
  ],
  [
    'Provider API',
    [
      ['Calls', (f) => count(f.provider_calls.total)],
      ['Failed', (f) => count(f.provider_calls.failed)],
      ['Error rate', (f) => percent(f.provider_calls.error_rate)],
    ],
  ],
  [
    'Webhooks',
    [
      ['Received', (f) => count(f.webhooks.received)],
      ['Rejected', (f) => count(f.webhooks.rejected)],
      ['Duplicates', (f) => count(f.webhooks.duplicates)],
      ['Applied', (f) => count(f.webhooks.applied)],
      ['Ignored', (f) => count(f.webhooks.ignored)],
      ['Delay, median', (f) => delay(f.webhooks.delay_ms.p50)],
      ['Delay, 95th percentile', (f) => delay(f.webhooks.delay_ms.p95)],
    ],
  ],
  [
    'Recordings started',
    [
      ['Started', (f) => count(f.recordings.started)],
      ['In progress', (f) => count(f.recordings.in_progress)],
      ['Stored', (f) => count(f.recordings.stored)],
      ['Deleted (consent declined)', (f) => count(f.recordings.deleted)],
      ['Failed', (f) => count(f.recordings.failed)],
      ['Success rate', (f) => percent(f.recordings.success_rate)],
    ],
  ],
  [
    'Calls, from the people in them',
    [
      ['Joined', (f) => percent(f.join_success_rate)],
      [
        'Time to join, median',
        (f) => delay(f.median_seconds_to_join === null ? null : f.median_seconds_to_join * 1_000),
      ],
      ['Time with a degraded connection', (f) => percent(f.degraded_share)],
      ['Ratings', (f) => count(f.rating_count)],
      ['Rating, mean of 1–5', (f) => (f.rating_mean === null ? '–' : f.rating_mean.toLocaleString('en'))],
    ],
  ],
  [
    'Reconciliation',
    [
      ['Participant counts corrected', (f) => count(f.reconciliation.participant_corrections)],
      ['Meetings ended', (f) => count(f.reconciliation.meetings_ended)],
      ['Lost recordings found', (f) => count(f.reconciliation.recordings_found)],
    ],
  ],
];

const when = (iso: string) => new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });

/** The figures of both platforms in one table, a column each, grouped by subject. */
export function MetricsTable({ metrics }: { metrics: Metrics }) {
  return (
    <div class="table-scroll">
      <table class="metrics">
        <caption>
          From {when(metrics.from)} to {when(metrics.to)}
        </caption>
        <PlatformsHead first="Figure" />
        {SECTIONS.map(([title, rows]) => (
          <tbody key={title}>
            <tr class="metrics-group">
              <th scope="colgroup" colSpan={3}>
                {title}
              </th>
            </tr>
            {rows.map(([label, value]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {PLATFORMS.map((platform) => (
                  <td key={platform}>{value(metrics.platforms[platform])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
