// `npm start`: the whole product on 127.0.0.1:$PORT (8787 by default) with no provider account
// (scripts/local/service.ts says what runs), until Ctrl-C. It prints the addresses and where each
// setting came from (scripts/local/settings.ts: local defaults < .dev.vars < the environment).

import { constants } from 'node:os';
import { relative } from 'node:path';
import { portFrom } from './local/ports.ts';
import { type LocalService, startLocalService } from './local/service.ts';
import { DEV_VARS, type Source } from './local/settings.ts';

/** What to print: addresses and where each setting came from, never a value. */
function banner(service: LocalService): string {
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
    ['.dev.vars', relative(process.cwd(), DEV_VARS) || '.dev.vars'],
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

async function main(): Promise<void> {
  const port = portFrom(process.env.PORT, 8787);
  // The signal's name is the abort reason: the service passes it on to wrangler.
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort(signal));
  try {
    const service = await startLocalService({ port, signal: controller.signal });
    process.stdout.write(banner(service));
    process.exitCode = await service.exited;
  } catch (error) {
    // Stopped while starting: exit as the signal would have, without a stack trace.
    const signal = controller.signal.reason as 'SIGINT' | 'SIGTERM';
    if (controller.signal.aborted) process.exitCode = 128 + constants.signals[signal];
    else throw error;
  }
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
