// The whole product on 127.0.0.1 with no provider account, as `npm start` runs it and the bench,
// the proof and the browser tests start it: local D1 (migrations applied first), local KV,
// in-process stand-ins of Whereby and Daily, and an in-process S3 server (s3rver, objects under
// .wrangler/s3) as the recordings bucket, behind one `wrangler dev`.

import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type S3Server, startS3Server } from '../../dev/stand-ins/s3-server.ts';
import { type StandIns, startStandIns } from '../../dev/stand-ins/serve.ts';
import { ensurePortFree } from './ports.ts';
import { ROOT } from './root.ts';
import {
  localDefaults,
  mergeSettings,
  readDevVars,
  type Settings,
  settingsFromEnvironment,
  writeSettingsFile,
} from './settings.ts';
import { exitCode, type Output, spawnWrangler } from './wrangler.ts';

interface LocalServiceOptions {
  port: number;
  /** Local D1/KV state; wrangler's own default (.wrangler/state) when absent. */
  persistTo?: string;
  /** Where wrangler's output goes; the terminal when absent. */
  output?: Output;
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
  /** Vars given to the Worker over everything else (a benchmark's switch, say). */
  vars?: Record<string, string>;
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

const persistArgs = (options: LocalServiceOptions) => (options.persistTo ? ['--persist-to', options.persistTo] : []);

async function applyMigrations(options: LocalServiceOptions): Promise<void> {
  options.signal?.throwIfAborted();
  const child = spawnWrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persistArgs(options)], options.output);
  const stop = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', stop, { once: true });
  const code = await exitCode(child).finally(() => options.signal?.removeEventListener('abort', stop));
  options.signal?.throwIfAborted();
  if (code !== 0) throw new Error(`applying the D1 migrations failed (wrangler exited with ${code})`);
}

function startWranglerDev(options: LocalServiceOptions, settingsFile: string): ChildProcess {
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
  return spawnWrangler(args, options.output);
}

/**
 * Resolves once the Worker answers GET /v1/health (its X-Request-Id tells it from any other
 * server); fails if wrangler exits first or it takes too long.
 */
async function waitUntilReady(url: string, wrangler: ChildProcess, timeoutMs = 90_000): Promise<void> {
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

/** The signal an abort stands for: the commands abort with the name of the signal they received. */
const signalOf = (signal?: AbortSignal): NodeJS.Signals =>
  signal?.reason === 'SIGINT' || signal?.reason === 'SIGTERM' ? signal.reason : 'SIGTERM';

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
    settingsFile = writeSettingsFile({ ...settings.values, ...options.vars }, options.port);
    await applyMigrations(options);
    wrangler = startWranglerDev(options, settingsFile);
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
