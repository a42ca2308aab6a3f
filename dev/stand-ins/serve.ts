// Starts both provider stand-ins. Run directly (`node dev/stand-ins/serve.ts`) it listens on
// DAILY_STANDIN_PORT / WHEREBY_STANDIN_PORT (default 0: ephemeral), prints one JSON line
// `{"daily": "<apiUrl>", "whereby": "<apiUrl>"}` and runs until SIGINT or SIGTERM.

import type { StandIn } from './control.ts';
import { startDailyStandIn } from './daily.ts';
import { startWherebyStandIn } from './whereby.ts';

export interface StandIns {
  daily: StandIn;
  whereby: StandIn;
  close(): Promise<void>;
}

export async function startStandIns(ports: { daily?: number; whereby?: number } = {}): Promise<StandIns> {
  const daily = await startDailyStandIn({ port: ports.daily ?? 0 });
  let whereby: StandIn;
  try {
    whereby = await startWherebyStandIn({ port: ports.whereby ?? 0 });
  } catch (error) {
    await daily.close();
    throw error;
  }
  return {
    daily,
    whereby,
    async close() {
      await Promise.all([daily.close(), whereby.close()]);
    },
  };
}

function portFromEnv(name: string): number {
  const text = process.env[name] ?? '';
  if (text === '') return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number, not ${text}`);
  return port;
}

async function main(): Promise<void> {
  const standIns = await startStandIns({
    daily: portFromEnv('DAILY_STANDIN_PORT'),
    whereby: portFromEnv('WHEREBY_STANDIN_PORT'),
  });
  process.stdout.write(`${JSON.stringify({ daily: standIns.daily.apiUrl, whereby: standIns.whereby.apiUrl })}\n`);
  const stop = (): void => {
    standIns.close().catch((error: unknown) => {
      console.error('closing the stand-ins failed', error);
      process.exitCode = 1;
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
