// The wrangler CLI as the local commands run it: on this same Node (24), from the project's
// directory, offline.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './root.ts';

const WRANGLER = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');

/** No metrics sent, no request metadata fetched from Cloudflare: the machines have no internet. */
const OFFLINE = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };

/** Where wrangler's output goes: the terminal, or appended to this file. */
export type Output = 'inherit' | { file: string };

/** Wrangler reading settings only from the files it is given. */
export function spawnWrangler(args: string[], output: Output = 'inherit'): ChildProcess {
  const file = output === 'inherit' ? undefined : output.file;
  if (file) mkdirSync(dirname(file), { recursive: true });
  const fd = file ? openSync(file, 'a') : undefined;
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    stdio: fd === undefined ? 'inherit' : ['ignore', fd, fd],
    env: {
      ...process.env,
      ...OFFLINE,
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
export async function exitCode(child: ChildProcess): Promise<number> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  if (child.signalCode) return 128 + (constants.signals[child.signalCode] ?? 0);
  return child.exitCode ?? 1;
}

/**
 * The results of SQL run on the local D1 (`wrangler d1 execute --local`), one per statement; in
 * `persistTo`, or wrangler's default state (.wrangler/state, as `npm start` keeps it).
 */
export function queryLocalD1(sql: string, persistTo?: string): Promise<{ results: Record<string, any>[] }[]> {
  const persist = persistTo ? ['--persist-to', persistTo] : [];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [WRANGLER, 'd1', 'execute', 'DB', '--local', ...persist, '--json', '--command', sql],
      { cwd: ROOT, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, ...OFFLINE } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`wrangler d1 execute failed: ${stderr || error.message}`));
        try {
          resolve(JSON.parse(stdout) as { results: Record<string, any>[] }[]);
        } catch {
          reject(new Error(`wrangler d1 execute printed no JSON: ${stdout.slice(0, 300)}`));
        }
      },
    );
  });
}
