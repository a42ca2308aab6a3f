import { PLATFORM_NAMES, PLATFORMS, type Platform } from '../../../domain/rooms.ts';
import { adminApi } from '../../admin-api.ts';
import type { MetricsSeries } from '../../api.ts';
import { Loading, Problem } from '../../ui/Status.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { linearScale, linePath, niceMax, points } from './chart-math.ts';
import { changeSummary } from './flag-change.ts';
import { PlatformsHead } from './PlatformsHead.tsx';
import './admin.css';

// The /admin charts (SPEC §13): each figure over the window chosen for the metrics, Whereby and
// Daily in one picture, told apart by dash and marker as well as colour, with the flag changes
// marked on the time axis. Inline SVG: no chart library to download.

type Bucket = MetricsSeries['buckets'][number];
type Figures = Bucket[Platform];

interface Figure {
  id: string;
  title: string;
  value: (figures: Figures) => number | null;
  format: (value: number) => string;
  /** The y axis' bottom and top for the values shown. */
  domain: (max: number) => [number, number];
}

const percent = (share: number) => `${(share * 100).toLocaleString('en', { maximumFractionDigits: 1 })} %`;
const fromZero = (max: number): [number, number] => [0, niceMax(max)];

export const FIGURES: Figure[] = [
  {
    id: 'meetings',
    title: 'Meetings created',
    value: (f) => f.meetings,
    format: (n) => n.toLocaleString('en'),
    domain: fromZero,
  },
  {
    id: 'error-rate',
    title: 'Provider API error rate',
    value: (f) => f.error_rate,
    format: percent,
    domain: (max) => [0, Math.min(1, niceMax(max))],
  },
  {
    id: 'webhook-delay',
    title: 'Webhook delay, 95th percentile',
    value: (f) => f.webhook_delay_p95_ms,
    format: (ms) => (ms < 1_000 ? `${ms} ms` : `${(ms / 1_000).toLocaleString('en', { maximumFractionDigits: 1 })} s`),
    domain: fromZero,
  },
  {
    id: 'join-success',
    title: 'Join success',
    value: (f) => f.join_success_rate,
    format: percent,
    domain: () => [0, 1],
  },
  {
    id: 'rating',
    title: 'Rating (1 to 5)',
    value: (f) => f.rating_mean,
    format: (n) => n.toLocaleString('en', { maximumFractionDigits: 2 }),
    domain: () => [1, 5],
  },
];

/** How each platform's line looks: a dash and a marker, so colour is never the only difference. */
const STYLE: Record<Platform, { dash?: string; marker: 'circle' | 'square'; legend: string }> = {
  whereby: { marker: 'circle', legend: 'solid line, round markers' },
  daily: { dash: '5 3', marker: 'square', legend: 'dashed line, square markers' },
};

export function MetricsCharts({
  window,
  client = adminApi,
}: {
  window: string;
  client?: Pick<typeof adminApi, 'metricsSeries'>;
}) {
  const [state, again] = useLoad(() => client.metricsSeries(window), [window]);

  if (state.kind === 'loading') return <Loading>Loading the charts…</Loading>;
  if (state.kind === 'failed')
    return (
      <Problem
        title="The charts could not be loaded"
        actions={
          <button type="button" class="btn" onClick={again}>
            Try again
          </button>
        }
      >
        <p>{state.error.detail}</p>
      </Problem>
    );
  const series = state.value;
  return (
    <div class="charts">
      <ul class="chart-legend" aria-label="Legend of the charts">
        {PLATFORMS.map((platform) => (
          <li key={platform}>
            <svg class="legend-swatch" viewBox="0 0 28 10" aria-hidden="true">
              <line class={`series-${platform}`} x1="0" y1="5" x2="28" y2="5" stroke-dasharray={STYLE[platform].dash} />
              <Marker platform={platform} x={14} y={5} />
            </svg>
            {PLATFORM_NAMES[platform]} ({STYLE[platform].legend})
          </li>
        ))}
        <li>
          <svg class="legend-swatch" viewBox="0 0 28 10" aria-hidden="true">
            <line class="flag-mark" x1="14" y1="0" x2="14" y2="10" />
          </svg>
          A flag change (hover or see its numbers for what changed)
        </li>
      </ul>
      <div class="chart-grid">
        {FIGURES.map((figure) => (
          <Chart key={figure.id} figure={figure} series={series} />
        ))}
      </div>
    </div>
  );
}

const WIDTH = 320;
const HEIGHT = 150;
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };

function Marker({ platform, x, y }: { platform: Platform; x: number; y: number }) {
  return STYLE[platform].marker === 'circle' ? (
    <circle class={`marker-${platform}`} cx={x} cy={y} r={2.6} />
  ) : (
    <rect class={`marker-${platform}`} x={x - 2.4} y={y - 2.4} width={4.8} height={4.8} />
  );
}

/** One figure of both platforms over the series, with its words for whoever cannot see it. */
export function Chart({ figure, series }: { figure: Figure; series: MetricsSeries }) {
  const start = Date.parse(series.from);
  const end = Date.parse(series.to);
  const width = series.bucket_seconds * 1000;
  const values = Object.fromEntries(
    PLATFORMS.map((platform) => [platform, series.buckets.map((bucket) => figure.value(bucket[platform]))]),
  ) as Record<Platform, (number | null)[]>;
  const known = PLATFORMS.flatMap((platform) => values[platform].filter((value) => value !== null));
  const [bottom, top] = figure.domain(Math.max(0, ...known));
  const time = linearScale([start, end], [PAD.left, WIDTH - PAD.right]);
  const x = (index: number) => time(start + (index + 0.5) * width);
  const y = linearScale([bottom, top], [HEIGHT - PAD.bottom, PAD.top]);
  const short = series.bucket_seconds * series.buckets.length <= 86_400;
  const axisTime = (ms: number) =>
    new Date(ms).toLocaleString(
      'en',
      short ? { hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric' },
    );
  const titleId = `chart-${figure.id}-title`;
  const descId = `chart-${figure.id}-desc`;

  return (
    <figure class="chart">
      <figcaption id={`chart-${figure.id}-caption`}>{figure.title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${titleId} ${descId}`}>
        <title id={titleId}>{figure.title}</title>
        <desc id={descId}>{describe(figure, values, series)}</desc>
        {[bottom, top].map((tick) => (
          <g key={tick} class="chart-axis">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 4} y={y(tick) + 3} text-anchor="end">
              {figure.format(tick)}
            </text>
          </g>
        ))}
        <g class="chart-axis">
          <text x={PAD.left} y={HEIGHT - 6}>
            {axisTime(start)}
          </text>
          <text x={WIDTH - PAD.right} y={HEIGHT - 6} text-anchor="end">
            {axisTime(end)}
          </text>
        </g>
        {series.flag_changes.map((change) => (
          <line
            key={change.id}
            class="flag-mark"
            x1={time(Date.parse(change.at))}
            x2={time(Date.parse(change.at))}
            y1={PAD.top}
            y2={HEIGHT - PAD.bottom}
          >
            <title>{changeSummary(change)}</title>
          </line>
        ))}
        {PLATFORMS.map((platform) => (
          <g key={platform} data-platform={platform}>
            <path
              class={`series-${platform}`}
              d={linePath(values[platform], x, y)}
              stroke-dasharray={STYLE[platform].dash}
            />
            {points(values[platform]).map(({ index, value }) => (
              <Marker key={index} platform={platform} x={x(index)} y={y(value)} />
            ))}
          </g>
        ))}
      </svg>
      <Numbers figure={figure} series={series} values={values} />
    </figure>
  );
}

/** The picture in a sentence: each platform's latest and highest value, and the flag changes. */
function describe(figure: Figure, values: Record<Platform, (number | null)[]>, series: MetricsSeries) {
  const platforms = PLATFORMS.map((platform) => {
    const known = values[platform].filter((value): value is number => value !== null);
    const latest = known.at(-1);
    return latest === undefined
      ? `${PLATFORM_NAMES[platform]}: no data`
      : `${PLATFORM_NAMES[platform]}: latest ${figure.format(latest)}, highest ${figure.format(Math.max(...known))}`;
  });
  const changes = series.flag_changes.length;
  return `${platforms.join('; ')}. ${changes === 0 ? 'No flag change' : `${changes} flag change${changes === 1 ? '' : 's'}`} marked.`;
}

/** The chart's numbers as a table, for screen readers and anyone who wants them exactly. */
function Numbers({
  figure,
  series,
  values,
}: {
  figure: Figure;
  series: MetricsSeries;
  values: Record<Platform, (number | null)[]>;
}) {
  const rows = series.buckets.flatMap((bucket, index) =>
    PLATFORMS.some((platform) => values[platform][index] !== null) ? [{ bucket, index }] : [],
  );
  const shown = (value: number | null) => (value === null ? '–' : figure.format(value));
  const at = (iso: string) => new Date(iso).toLocaleString('en', { dateStyle: 'short', timeStyle: 'short' });
  return (
    <details class="chart-numbers">
      <summary>
        Numbers<span class="visually-hidden"> of {figure.title}</span>
      </summary>
      {rows.length === 0 ? (
        <p class="meta">No data over this time.</p>
      ) : (
        <table class="chart-table">
          <PlatformsHead first="From" />
          <tbody>
            {rows.map(({ bucket, index }) => (
              <tr key={bucket.from}>
                <th scope="row">{at(bucket.from)}</th>
                {PLATFORMS.map((platform) => (
                  <td key={platform}>{shown(values[platform][index] ?? null)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {series.flag_changes.length > 0 && (
        <ul class="meta">
          {series.flag_changes.map((change) => (
            <li key={change.id}>{changeSummary(change)}</li>
          ))}
        </ul>
      )}
    </details>
  );
}
