// `npm start`: the whole product on 127.0.0.1:$PORT (8787 by default) with no provider account:
// local D1 (migrations applied first), local KV, in-process stand-ins of Whereby and Daily, and
// an in-process S3 server (s3rver, objects under .wrangler/s3) as the recordings bucket.
//
// Settings, later wins: local defaults (the stand-ins, the local bucket) < .dev.vars < any
// SPEC §1 setting in the environment. The merged result goes to a file under .wrangler/ passed
// with `wrangler dev --env-file`, which makes wrangler skip .dev.vars entirely; .dev.vars itself is
// only ever read. Also used by scripts/bench.ts through startLocalService().

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEnv } from 'node:util';
import { type S3Server, startS3Server } from '../dev/stand-ins/s3-server.ts';
import { type StandIns, startStandIns } from '../dev/stand-ins/serve.ts';

export const ROOT = resolve(import.meta.dirname, '..');

/** The settings of SPEC §1: the only names taken from the process environment. */
export const SETTING_NAMES = [
  'ENVIRONMENT',
  'WHEREBY_API_KEY',
  'WHEREBY_WEBHOOK_SECRET',
  'WHEREBY_API_URL',
  'DAILY_API_KEY',
  'DAILY_WEBHOOK_SECRET',
  'DAILY_SUBDOMAIN',
  'DAILY_API_URL',
  'AWS_DAILY_ROLE_ARN',
  'RECORDING_S3_ENDPOINT',
  'RECORDING_S3_BUCKET',
  'RECORDING_S3_REGION',
  'RECORDING_S3_ACCESS_KEY_ID',
  'RECORDING_S3_SECRET_ACCESS_KEY',
  'AUTH_JWKS_URL',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'ADMIN_USER_IDS',
  'PIPELINE_TOKEN',
  'DAILY_MIGRATION_ENABLED',
  'DAILY_MIGRATION_ROOM_IDS',
  'DAILY_MIGRATION_PERCENT',
  'DEFAULT_VIDEO_PLATFORM',
] as const;

export type Source = 'local default' | '.dev.vars' | 'environment';
type Values = Record<string, string>;

/**
 * A local default that belongs with others: if the user sets any name of a group, the whole
 * group's defaults are dropped, so e.g. a real WHEREBY_API_KEY never goes to the stand-in and
 * the stand-in's key never goes to a real WHEREBY_API_URL.
 */
interface DefaultGroup {
  label: string;
  values: Values;
}

export interface Settings {
  values: Values;
  sources: Record<string, Source>;
  /** Default groups not used because the user set one of their names, e.g. "Whereby stand-in". */
  overridden: string[];
}

export interface LocalServiceOptions {
  port: number;
  /** Local D1/KV state; wrangler's own default (.wrangler/state) when absent. */
  persistTo?: string;
  /** Where wrangler's output goes: the terminal, or appended to this file. */
  output?: 'inherit' | { file: string };
  /** wrangler's --log-level (e.g. 'warn' keeps per-request lines out of a benchmark). */
  logLevel?: string;
  /** wrangler's --inspector-port; its default (9229) when absent. */
  inspectorPort?: number;
  /** Where the local bucket keeps its objects; .wrangler/s3 when absent. */
  s3Directory?: string;
  /** Aborting stops whatever is starting or running (wrangler gets the abort reason as its signal). */
  signal?: AbortSignal;
  /** false: .dev.vars is not read, so nothing in it (a real provider's key, say) reaches this service. */
  devVars?: boolean;
}

export interface LocalService {
  url: string;
  /** wrangler's process id (workerd runs beneath it). */
  pid: number;
  standIns: StandIns;
  /** The local S3 server (used unless RECORDING_S3_* are set). */
  bucket: S3Server;
  settings: Settings;
  /** Resolves with wrangler's exit code once it has exited and everything is cleaned up. */
  exited: Promise<number>;
  /** Sends wrangler `signal` (SIGTERM by default); resolves like `exited`. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Webhook secrets of the local run; `npm run webhook` signs with them too. Daily's is base64. */
export const localWebhookSecrets: DefaultGroup = {
  label: 'local webhook secrets',
  values: {
    DAILY_WEBHOOK_SECRET: Buffer.from('local-daily-webhook-secret').toString('base64'),
    WHEREBY_WEBHOOK_SECRET: 'local-whereby-webhook-secret',
  },
};

export function localDefaults(standIns: StandIns, bucket: S3Server): DefaultGroup[] {
  return [
    localWebhookSecrets,
    { label: 'development mode', values: { ENVIRONMENT: 'development' } },
    {
      label: 'Whereby stand-in',
      values: { WHEREBY_API_URL: standIns.whereby.apiUrl, WHEREBY_API_KEY: standIns.whereby.apiKey },
    },
    {
      label: 'Daily stand-in',
      values: { DAILY_API_URL: standIns.daily.apiUrl, DAILY_API_KEY: standIns.daily.apiKey },
    },
    {
      label: 'local bucket',
      values: {
        RECORDING_S3_ENDPOINT: bucket.endpoint,
        RECORDING_S3_BUCKET: bucket.bucket,
        RECORDING_S3_ACCESS_KEY_ID: bucket.accessKeyId,
        RECORDING_S3_SECRET_ACCESS_KEY: bucket.secretAccessKey,
      },
    },
    // What the local transcription pipeline (or curl) sends to POST /v1/recordings/{id}/processed.
    { label: 'local pipeline token', values: { PIPELINE_TOKEN: 'local-pipeline-token' } },
  ];
}

/** .dev.vars as wrangler would read it (dotenv format), or nothing when there is none. */
export function readDevVars(path = join(ROOT, '.dev.vars')): Values {
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Values;
}

/** The SPEC §1 settings present in an environment (an empty value counts as set). */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Values {
  const values: Values = {};
  for (const name of SETTING_NAMES) {
    const value = env[name];
    if (value !== undefined) values[name] = value;
  }
  return values;
}

export function mergeSettings(defaults: DefaultGroup[], devVars: Values, environment: Values): Settings {
  const userNames = new Set([...Object.keys(devVars), ...Object.keys(environment)]);
  const settings: Settings = { values: {}, sources: {}, overridden: [] };
  const apply = (values: Values, source: Source) => {
    for (const [name, value] of Object.entries(values)) {
      settings.values[name] = value;
      settings.sources[name] = source;
    }
  };
  for (const group of defaults) {
    if (Object.keys(group.values).some((name) => userNames.has(name))) settings.overridden.push(group.label);
    else apply(group.values, 'local default');
  }
  apply(devVars, '.dev.vars');
  apply(environment, 'environment');
  return settings;
}

/**
 * Dotenv text that wrangler reads back exactly: it parses --env-file with dotenv and then
 * expands `$NAME` with dotenv-expand, whose `\$` escape keeps a dollar literal. Quotes without
 * escape processing (single, then backtick) keep backslashes and newlines as they are.
 */
export function toDotenv(values: Values): string {
  return Object.entries(values)
    .map(([name, value]) => {
      const quote = ["'", '`', '"'].find((q) => !value.includes(q));
      if (!quote)
        throw new Error(`${name} contains all three quote characters; wrangler cannot be given it in a dotenv file`);
      return `${name}=${quote}${value.replaceAll('$', '\\$')}${quote}\n`;
    })
    .join('');
}

function writeSettingsFile(values: Values, port: number): string {
  const file = join(ROOT, '.wrangler', 'local', `settings-${port}.env`);
  mkdirSync(dirname(file), { recursive: true });
  // Secrets from .dev.vars and the environment land here: readable by the owner only.
  writeFileSync(file, toDotenv(values), { mode: 0o600 });
  return file;
}

function wranglerBin(): string {
  const packageJson = createRequire(import.meta.url).resolve('wrangler/package.json');
  return join(dirname(packageJson), 'bin', 'wrangler.js');
}

/** Wrangler on this same Node (24), offline, reading settings only from the files it is given. */
function spawnWrangler(args: string[], options: LocalServiceOptions): ChildProcess {
  const file = options.output && options.output !== 'inherit' ? options.output.file : undefined;
  if (file) mkdirSync(dirname(file), { recursive: true });
  const fd = file ? openSync(file, 'a') : undefined;
  const child = spawn(process.execPath, [wranglerBin(), ...args], {
    cwd: ROOT,
    stdio: fd === undefined ? 'inherit' : ['ignore', fd, fd],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      // Wrangler would otherwise ignore --env-file, or add the whole environment to the bindings.
      CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: 'true',
      CLOUDFLARE_INCLUDE_PROCESS_ENV: 'false',
    },
  });
  // The child holds its own copy of the descriptor.
  if (fd !== undefined) closeSync(fd);
  return child;
}

/** The exit code of a finished child, shell style (128 + n when a signal ended it). */
async function exitCode(child: ChildProcess): Promise<number> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  if (child.signalCode) return 128 + (constants.signals[child.signalCode] ?? 0);
  return child.exitCode ?? 1;
}

const persistArgs = (options: LocalServiceOptions) => (options.persistTo ? ['--persist-to', options.persistTo] : []);

export async function applyMigrations(options: LocalServiceOptions): Promise<void> {
  options.signal?.throwIfAborted();
  const child = spawnWrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persistArgs(options)], options);
  const stop = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', stop, { once: true });
  const code = await exitCode(child).finally(() => options.signal?.removeEventListener('abort', stop));
  options.signal?.throwIfAborted();
  if (code !== 0) throw new Error(`applying the D1 migrations failed (wrangler exited with ${code})`);
}

function startWrangler(options: LocalServiceOptions, settingsFile: string): ChildProcess {
  const args = [
    'dev',
    '--env-file',
    settingsFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--test-scheduled',
  ];
  args.push(...persistArgs(options));
  if (options.logLevel) args.push('--log-level', options.logLevel);
  if (options.inspectorPort !== undefined) args.push('--inspector-port', String(options.inspectorPort));
  if (options.output !== undefined && options.output !== 'inherit') args.push('--show-interactive-dev-session=false');
  return spawnWrangler(args, options);
}

/** Fails early and clearly when something listens on the port already (wrangler would fail later). */
export async function ensurePortFree(port: number): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(`127.0.0.1:${port} is in use: stop what listens there, or set PORT to another port`);
    throw error;
  }
  await new Promise((resolve) => server.close(resolve));
}

/**
 * Resolves once the Worker answers GET /v1/health (its X-Request-Id tells it from any other
 * server); fails if wrangler exits first or it takes too long.
 */
export async function waitUntilReady(url: string, wrangler: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null || wrangler.signalCode !== null)
      throw new Error('wrangler dev exited before it was ready');
    try {
      const response = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok && response.headers.has('x-request-id')) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`${url}/v1/health did not answer within ${timeoutMs / 1000} s`);
}

export async function startLocalService(options: LocalServiceOptions): Promise<LocalService> {
  const url = `http://127.0.0.1:${options.port}`;
  await ensurePortFree(options.port);
  const standIns = await startStandIns();
  let bucket: S3Server;
  try {
    // Kept across runs like the local D1 and KV, so a stored recording stays downloadable.
    bucket = await startS3Server({ directory: options.s3Directory ?? join(ROOT, '.wrangler', 's3') });
  } catch (error) {
    await standIns.close();
    throw error;
  }
  let settings: Settings | undefined;
  let settingsFile: string | undefined;
  let cleaned: Promise<void> | undefined;
  const cleanUp = () => {
    cleaned ??= (async () => {
      if (settingsFile) rmSync(settingsFile, { force: true });
      await Promise.all([standIns.close(), bucket.close()]);
    })();
    return cleaned;
  };
  let wrangler: ChildProcess | undefined;
  try {
    settings = mergeSettings(
      localDefaults(standIns, bucket),
      options.devVars === false ? {} : readDevVars(),
      settingsFromEnvironment(),
    );
    settingsFile = writeSettingsFile(settings.values, options.port);
    await applyMigrations(options);
    wrangler = startWrangler(options, settingsFile);
    const running = wrangler;
    const exited = exitCode(running).then(async (code) => {
      await cleanUp();
      return code;
    });
    const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
      if (running.exitCode === null && running.signalCode === null) running.kill(signal);
      return exited;
    };
    options.signal?.addEventListener('abort', () => void stop(signalOf(options.signal)), { once: true });
    await waitUntilReady(url, running);
    return { url, standIns, bucket, settings, exited, stop, pid: running.pid ?? 0 };
  } catch (error) {
    if (wrangler && wrangler.exitCode === null && wrangler.signalCode === null) wrangler.kill('SIGTERM');
    if (wrangler) await exitCode(wrangler);
    await cleanUp();
    throw error;
  }
}

/** The signal an abort stands for: main() aborts with the name of the signal it received. */
const signalOf = (signal?: AbortSignal): NodeJS.Signals =>
  signal?.reason === 'SIGINT' || signal?.reason === 'SIGTERM' ? signal.reason : 'SIGTERM';

/** What to print: addresses and where each setting came from, never a value. */
export function banner(service: LocalService, devVarsPath = join(ROOT, '.dev.vars')): string {
  const { standIns, bucket, settings } = service;
  const unused = (label: string) => (settings.overridden.includes(label) ? '  (not used: you set its settings)' : '');
  const bySource = (source: Source) =>
    Object.entries(settings.sources)
      .filter(([, from]) => from === source)
      .map(([name]) => name);
  const lines = [
    '',
    `Meeting rooms: ${service.url}   (API ${service.url}/v1, OpenAPI ${service.url}/v1/openapi.json)`,
    `  Whereby stand-in  ${standIns.whereby.apiUrl}${unused('Whereby stand-in')}`,
    `  Daily stand-in    ${standIns.daily.apiUrl}${unused('Daily stand-in')}`,
    `  Local bucket      ${bucket.endpoint}/${bucket.bucket}  (S3, path-style)${unused('local bucket')}`,
    'Settings (values not shown):',
  ];
  const sources: [Source, string][] = [
    ['local default', 'local defaults'],
    ['.dev.vars', relative(process.cwd(), devVarsPath) || '.dev.vars'],
    ['environment', 'environment'],
  ];
  for (const [source, label] of sources) {
    const names = bySource(source);
    if (names.length > 0) lines.push(`  ${`${label}:`.padEnd(16)}${names.join(', ')}`);
  }
  if (settings.overridden.length > 0)
    lines.push(`  local defaults not used, as you set some of theirs: ${settings.overridden.join(', ')}`);
  lines.push('  everything else: wrangler.toml [vars] or the built-in defaults of SPEC §1', 'Stop with Ctrl-C.', '');
  return lines.join('\n');
}

/** A port nothing listens on now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** A whole number above zero from the environment, or the fallback when unset. */
export function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not "${text}"`);
  return value;
}

export function portFrom(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PORT must be a port number (1-65535), not "${text}"`);
  return port;
}

async function main(): Promise<void> {
  const port = portFrom(process.env.PORT, 8787);
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort(signal));
  try {
    const service = await startLocalService({ port, signal: controller.signal });
    process.stdout.write(banner(service));
    process.exitCode = await service.exited;
  } catch (error) {
    // Stopped while starting: exit as the signal would have, without a stack trace.
    if (controller.signal.aborted) process.exitCode = 128 + (constants.signals[signalOf(controller.signal)] ?? 0);
    else throw error;
  }
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
