// The client's figures (issue 5), measured on a running local service:
//  - gzipped bytes of the JavaScript and CSS the join page loads before the platform SDK
//    (budget 15 KB), and of each platform's chunk, as Chromium downloaded them;
//  - Lighthouse (mobile preset, the local Chromium) performance, accessibility and best practices
//    of the join page (a Whereby and a Daily room), of /rooms and of /admin (goal ≥ 95 each);
//  - gzipped bytes of every script and stylesheet /admin loads until its figures show.
// Lighthouse runs through `npx --yes lighthouse@VERSION`, so it is not a dependency of the project.
// Its scores move with the machine's load (it simulates a slow phone by multiplying the CPU time it
// observes): each page is measured several times and the median is reported, with Lighthouse's
// own benchmark index of this machine (higher is faster; a busy 2-core machine gives about 1000).

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH as CHROMIUM, CHROMIUM_ARGS } from '../test/browser/chromium.ts';
import { ROOT } from './local/root.ts';

const LIGHTHOUSE_VERSION = '13.5.0';
const PLATFORM_CHUNKS = ['DailyRoom', 'WherebyRoom'] as const;
/** Chunks requested together with the platform's, in parallel (client/room/platform.ts), not before it. */
const WITH_SDK_CHUNKS = ['measured'] as const;
/** What the join page may load before the platform's SDK, gzipped. */
export const BEFORE_SDK_BUDGET_BYTES = 15 * 1024;
export const LIGHTHOUSE_GOAL = 95;
const run = promisify(execFile);

interface Transfer {
  url: string;
  kind: 'script' | 'stylesheet' | 'document';
  gzipBytes: number;
}

interface PageWeight {
  /** JS and CSS before the platform chunk, gzipped. */
  beforeSdk: number;
  /** JS fetched beside the platform chunk (WITH_SDK_CHUNKS), gzipped. */
  withSdk: number;
  html: number;
  platformChunk: { name: string; gzipBytes: number } | null;
  files: Transfer[];
}

/** The page's scripts, stylesheets and document as Chromium downloaded them once `ready` shows, gzipped as a CDN would serve them. */
async function pageFiles(url: string, ready: string): Promise<Transfer[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const files: Transfer[] = [];
    const pending: Promise<void>[] = [];
    const origin = new URL(url).origin;
    page.on('response', (response) => {
      const at = new URL(response.url());
      const kind = response.request().resourceType();
      if (at.origin !== origin || (kind !== 'script' && kind !== 'stylesheet' && kind !== 'document')) return;
      pending.push(
        response
          .body()
          .then((body) => void files.push({ url: at.pathname, kind, gzipBytes: gzipSync(body, { level: 9 }).length })),
      );
    });
    // Not 'networkidle': the stand-ins' room frames keep polling their control API (for the
    // tests' provider events), so the network never rests; what `ready` needs has come by then.
    await page.goto(url, { waitUntil: 'load' });
    await page.locator(ready).first().waitFor();
    await Promise.all(pending);
    return files;
  } finally {
    await browser.close();
  }
}

const bytesOf = (files: Transfer[]) => files.reduce((sum, file) => sum + file.gzipBytes, 0);

/** What Chromium downloads for a join page until the call is mounted. */
async function weighJoinPage(base: string, room: string): Promise<PageWeight> {
  const files = await pageFiles(`${base}/${room}`, '.call-frame');
  const chunkOf = (file: Transfer) => PLATFORM_CHUNKS.find((name) => new RegExp(`/assets/${name}-`).test(file.url));
  const platform = files.find((file) => chunkOf(file));
  const withSdk = (file: Transfer) => WITH_SDK_CHUNKS.some((name) => file.url.startsWith(`/assets/${name}-`));
  return {
    beforeSdk: bytesOf(files.filter((file) => file.kind !== 'document' && !chunkOf(file) && !withSdk(file))),
    withSdk: bytesOf(files.filter(withSdk)),
    html: bytesOf(files.filter((file) => file.kind === 'document')),
    platformChunk: platform ? { name: chunkOf(platform) ?? '', gzipBytes: platform.gzipBytes } : null,
    files,
  };
}

/** What /admin downloads until its figures show: every script and stylesheet, gzipped. */
async function weighAdminPage(base: string): Promise<{ scriptsAndStyles: number; files: Transfer[] }> {
  const files = await pageFiles(`${base}/admin`, 'table.metrics');
  return { scriptsAndStyles: bytesOf(files.filter((file) => file.kind !== 'document')), files };
}

interface Scores {
  performance: number;
  accessibility: number;
  /** Best practices: among them no console errors or browser issues (a CSP violation is one), security headers. */
  bestPractices: number;
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
      '--only-categories=performance,accessibility,best-practices',
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
    bestPractices: score('best-practices'),
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

export interface PageFigures {
  weight: { whereby: PageWeight; daily: PageWeight; admin: { scriptsAndStyles: number; files: Transfer[] } };
  /** Per page: the median run and every run; empty when Lighthouse was left out. */
  lighthouse: { page: string; median: Scores; runs: Scores[] }[];
}

/**
 * Weighs the join page of a Whereby and a Daily room and /admin, then runs Lighthouse `lighthouseRuns`
 * times on each join page, /rooms and /admin (0: not at all), keeping its reports in `outputDir`.
 * The service must sign everyone in as the local administrator (no AUTH_JWKS_URL).
 */
export async function benchPages(
  base: string,
  rooms: { whereby: string; daily: string },
  lighthouseRuns: number,
  outputDir: string,
): Promise<PageFigures> {
  mkdirSync(outputDir, { recursive: true });
  // /rooms is measured with a list as an owner has it (the development login owns them all).
  for (let i = 0; i < 12; i++) {
    const response = await fetch(`${base}/v1/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `listed-room-${i}` }),
    });
    if (response.status !== 201)
      throw new Error(`POST /v1/rooms answered ${response.status}: ${await response.text()}`);
  }
  const weight = {
    whereby: await weighJoinPage(base, rooms.whereby),
    daily: await weighJoinPage(base, rooms.daily),
    admin: await weighAdminPage(base),
  };
  const pages = [
    ['join page, Whereby room', 'join-whereby', `${base}/${rooms.whereby}`],
    ['join page, Daily room', 'join-daily', `${base}/${rooms.daily}`],
    ['/rooms', 'rooms', `${base}/rooms`],
    ['/admin', 'admin', `${base}/admin`],
  ] as const;
  const scores: PageFigures['lighthouse'] = [];
  if (lighthouseRuns > 0) {
    process.stderr.write(
      `Lighthouse ${LIGHTHOUSE_VERSION} (mobile preset), ${lighthouseRuns} runs of each page, one at a time ...\n`,
    );
    for (const [page, name, url] of pages) {
      const runs: Scores[] = [];
      for (let n = 1; n <= lighthouseRuns; n++) runs.push(await lighthouse(url, outputDir, `${name}-${n}`));
      scores.push({ page, median: median(runs), runs });
    }
  }
  return { weight, lighthouse: scores };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The pages' figures as rows of label, value, goal. */
export function pageRows({ weight, lighthouse: scores }: PageFigures): string[][] {
  const chunk = (page: PageWeight) => (page.platformChunk ? kb(page.platformChunk.gzipBytes) : 'not loaded');
  return [
    [
      'join page: JS + CSS before the platform SDK (gzip)',
      kb(Math.max(weight.whereby.beforeSdk, weight.daily.beforeSdk)),
      `≤ ${kb(BEFORE_SDK_BUDGET_BYTES)}`,
    ],
    ['join page: call measuring, fetched with the SDK (gzip)', kb(weight.daily.withSdk), ''],
    ['join page: HTML (gzip)', kb(weight.whereby.html), ''],
    ['/admin: JS + CSS (gzip)', kb(weight.admin.scriptsAndStyles), ''],
    ['Whereby chunk (gzip)', chunk(weight.whereby), ''],
    ['Daily chunk, daily-js included (gzip)', chunk(weight.daily), ''],
    ...scores.flatMap(({ page, median: middle, runs }) => [
      [
        `Lighthouse ${page}: performance (median)`,
        String(middle.performance),
        `≥ ${LIGHTHOUSE_GOAL}   (runs ${runs.map((r) => r.performance).join(', ')}; TBT ${middle.totalBlockingTimeMs} ms; benchmark index ${runs.map((r) => r.benchmarkIndex).join(', ')})`,
      ],
      [`Lighthouse ${page}: accessibility`, String(middle.accessibility), `≥ ${LIGHTHOUSE_GOAL}`],
      [`Lighthouse ${page}: best practices`, String(middle.bestPractices), `≥ ${LIGHTHOUSE_GOAL}`],
    ]),
  ];
}
