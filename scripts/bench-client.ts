// `npm run bench:client`: the client's figures of issue 5, measured on the product as `npm start`
// serves it (a state directory of its own, a free port):
//  - gzipped bytes of the JavaScript and CSS the join page loads before the platform SDK
//    (goal ≤ 15 KB), and of each platform's chunk, as Chromium downloaded them;
//  - Lighthouse (mobile preset, the local Chromium) performance and accessibility of the join
//    page (a Whereby and a Daily room) and of /rooms (goal ≥ 95 each).
// Lighthouse runs through `npx --yes lighthouse@VERSION`, so it is not a dependency of the project.
// Its scores move with the machine's load (it simulates a slow phone by multiplying the CPU time it
// observes): each page is measured RUNS times and the median is reported, with Lighthouse's own
// benchmark index of this machine (higher is faster; a busy 2-core machine gives about 1000).
// Prints a table; `--json FILE` also writes the figures as JSON. `--no-lighthouse` skips it.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH as CHROMIUM } from '../test/browser/chromium.ts';
import { ROOT, startLocalService, type LocalService, freePort } from './start.ts';

const LIGHTHOUSE_VERSION = '13.5.0';
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const PLATFORM_CHUNKS = ['DailyRoom', 'WherebyRoom'] as const;
const run = promisify(execFile);

interface Transfer {
  url: string;
  kind: 'script' | 'stylesheet' | 'document';
  gzipBytes: number;
}

interface PageWeight {
  /** JS and CSS before the platform chunk, gzipped. */
  beforeSdk: number;
  html: number;
  platformChunk: { name: string; gzipBytes: number } | null;
  files: Transfer[];
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** What Chromium downloads for a join page until the call is mounted, gzipped as a CDN would serve it. */
async function weighJoinPage(base: string, room: string): Promise<PageWeight> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const files: Transfer[] = [];
    const pending: Promise<void>[] = [];
    page.on('response', (response) => {
      const url = new URL(response.url());
      const kind = response.request().resourceType();
      if (url.origin !== base || (kind !== 'script' && kind !== 'stylesheet' && kind !== 'document')) return;
      pending.push(response.body().then((body) => void files.push({ url: url.pathname, kind, gzipBytes: gzipSync(body, { level: 9 }).length })));
    });
    await page.goto(`${base}/${room}`, { waitUntil: 'networkidle' });
    await page.locator('.call-frame').first().waitFor();
    await Promise.all(pending);
    const chunkOf = (file: Transfer) => PLATFORM_CHUNKS.find((name) => new RegExp(`/assets/${name}-`).test(file.url));
    const platform = files.find((file) => chunkOf(file));
    const beforeSdk = files.filter((file) => file.kind !== 'document' && !chunkOf(file)).reduce((sum, file) => sum + file.gzipBytes, 0);
    const html = files.filter((file) => file.kind === 'document').reduce((sum, file) => sum + file.gzipBytes, 0);
    return { beforeSdk, html, platformChunk: platform ? { name: chunkOf(platform) ?? '', gzipBytes: platform.gzipBytes } : null, files };
  } finally {
    await browser.close();
  }
}

interface Scores {
  performance: number;
  accessibility: number;
  /** Lighthouse's measure of this machine's speed during the run. */
  benchmarkIndex: number;
  totalBlockingTimeMs: number;
}

async function lighthouse(url: string, outputDir: string, name: string): Promise<Scores> {
  const output = join(outputDir, `lighthouse-${name}.json`);
  await run(
    'npx',
    [
      '--yes',
      `lighthouse@${LIGHTHOUSE_VERSION}`,
      url,
      `--chrome-path=${CHROMIUM}`,
      `--chrome-flags=${CHROMIUM_ARGS.join(' ')}`,
      '--only-categories=performance,accessibility',
      '--output=json',
      `--output-path=${output}`,
      '--quiet',
    ],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CHROME_PATH: CHROMIUM } },
  );
  const report = JSON.parse(readFileSync(output, 'utf8')) as {
    categories: Record<string, { score: number | null }>;
    audits: Record<string, { numericValue?: number }>;
    environment: { benchmarkIndex: number };
  };
  const score = (category: string) => Math.round((report.categories[category]?.score ?? 0) * 100);
  return {
    performance: score('performance'),
    accessibility: score('accessibility'),
    benchmarkIndex: Math.round(report.environment.benchmarkIndex),
    totalBlockingTimeMs: Math.round(report.audits['total-blocking-time']?.numericValue ?? 0),
  };
}

/** The run with the median performance score. */
function median(runs: Scores[]): Scores {
  const sorted = [...runs].sort((a, b) => a.performance - b.performance);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (!middle) throw new Error('no Lighthouse run');
  return middle;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonPath = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const withLighthouse = !args.includes('--no-lighthouse');
  const outputDir = join(ROOT, 'test-results', 'bench-client');
  mkdirSync(outputDir, { recursive: true });
  const state = mkdtempSync(join(tmpdir(), 'meeting-rooms-bench-client-'));
  let service: LocalService | undefined;
  try {
    process.stdout.write('Starting the local service (wrangler dev builds the client first)...\n');
    service = await startLocalService({
      port: await freePort(),
      inspectorPort: await freePort(),
      persistTo: state,
      // A developer's .dev.vars (a real provider's key, say) must not reach this service.
      devVars: false,
      output: { file: join(outputDir, 'wrangler.log') },
      logLevel: 'warn',
    });
    const base = service.url;
    // The development login makes every request the local admin: enough to set rooms up.
    await api(base, 'PUT', '/flags', { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 });
    await api(base, 'POST', '/rooms', { name: 'bench-whereby', platform: 'whereby', recording_type: 'cloud' });
    await api(base, 'POST', '/rooms', { name: 'bench-daily', platform: 'daily', recording_type: 'cloud' });
    for (let i = 0; i < 12; i++) await api(base, 'POST', '/rooms', { name: `bench-room-${i}` });

    const whereby = await weighJoinPage(base, 'bench-whereby');
    const daily = await weighJoinPage(base, 'bench-daily');
    const figures: Record<string, unknown> = {
      join_page_js_css_before_sdk_gzip_bytes: Math.max(whereby.beforeSdk, daily.beforeSdk),
      join_page_html_gzip_bytes: whereby.html,
      whereby_chunk_gzip_bytes: whereby.platformChunk?.gzipBytes ?? null,
      daily_chunk_gzip_bytes: daily.platformChunk?.gzipBytes ?? null,
      files: { whereby: whereby.files, daily: daily.files },
    };
    const rows: [string, string, string][] = [
      ['join page: JS + CSS before the platform SDK (gzip)', kb(Math.max(whereby.beforeSdk, daily.beforeSdk)), '≤ 15 KB'],
      ['join page: HTML (gzip)', kb(whereby.html), ''],
      ['Whereby chunk (gzip)', whereby.platformChunk ? kb(whereby.platformChunk.gzipBytes) : 'not loaded', ''],
      ['Daily chunk, daily-js included (gzip)', daily.platformChunk ? kb(daily.platformChunk.gzipBytes) : 'not loaded', ''],
    ];

    if (withLighthouse) {
      process.stdout.write(`Lighthouse ${LIGHTHOUSE_VERSION} (mobile preset), ${RUNS} runs of each page, one at a time...\n`);
      const pages = [
        ['join page, Whereby room', 'join-whereby', `${base}/bench-whereby`],
        ['join page, Daily room', 'join-daily', `${base}/bench-daily`],
        ['/rooms', 'rooms', `${base}/rooms`],
      ] as const;
      const lighthouseFigures: Record<string, { median: Scores; runs: Scores[] }> = {};
      for (const [label, name, url] of pages) {
        const runs: Scores[] = [];
        for (let run = 1; run <= RUNS; run++) runs.push(await lighthouse(url, outputDir, `${name}-${run}`));
        const middle = median(runs);
        lighthouseFigures[name] = { median: middle, runs };
        const spread = `runs ${runs.map((r) => r.performance).join(', ')}; benchmark index ${runs.map((r) => r.benchmarkIndex).join(', ')}`;
        rows.push([`Lighthouse ${label}: performance (median)`, String(middle.performance), `≥ 95   (${spread})`]);
        rows.push([`Lighthouse ${label}: accessibility`, String(middle.accessibility), '≥ 95']);
      }
      figures.lighthouse = lighthouseFigures;
    }

    const width = Math.max(...rows.map(([label]) => label.length));
    process.stdout.write(`\n${'figure'.padEnd(width)}  ${'value'.padStart(9)}  goal\n`);
    for (const [label, value, goal] of rows) process.stdout.write(`${label.padEnd(width)}  ${value.padStart(9)}  ${goal}\n`);
    process.stdout.write(`\nLighthouse reports: ${join('test-results', 'bench-client')}/lighthouse-*.json\n`);
    if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await service?.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:client failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
