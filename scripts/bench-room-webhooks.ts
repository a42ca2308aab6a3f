// `npm run bench:room-webhooks`: how long a room webhook takes from its cause to its receiver
// (SPEC §11: within 10 s normally), through the real queue consumer of `wrangler dev`. The local
// service (started as `npm start` starts it, on a free port with fresh state) and a receiver run
// on 127.0.0.1 only; BENCH_HOOK_CAUSES causes (50 by default, at most 500) are made one after
// another, each a join that starts a meeting in a room of its own whose webhook_url is the
// receiver. The latency of each is from the event's own timestamp (its meeting's creation, in
// D1) to the receiver's arrival time, both on this machine's clock. Reported: p50, p99, max.

import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ReceivedWebhook, startRoomWebhookReceiver } from '../dev/stand-ins/room-webhook-receiver.ts';
import { freePort, positiveInteger } from './local/ports.ts';
import { ROOT } from './local/root.ts';
import { startLocalService } from './local/service.ts';

const MAX_CAUSES = 500;
/** How long the run waits for the last deliveries once every cause is made. */
const DRAIN_MS = 60_000;

async function call(url: string, method: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function main() {
  const causes = positiveInteger('BENCH_HOOK_CAUSES', 50);
  if (causes > MAX_CAUSES) throw new Error(`BENCH_HOOK_CAUSES is at most ${MAX_CAUSES}`);
  const dir = join(ROOT, '.wrangler', 'bench-room-webhooks');
  rmSync(dir, { recursive: true, force: true });
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort(signal));
  process.env.RATE_LIMIT_EXEMPT_IPS = '127.0.0.1';

  const receiver = await startRoomWebhookReceiver();
  process.stderr.write(`starting the local service (wrangler output: ${join(dir, 'wrangler.log')}) ...\n`);
  const service = await startLocalService({
    port: await freePort(),
    inspectorPort: await freePort(),
    persistTo: join(dir, 'state'),
    s3Directory: join(dir, 's3'),
    output: { file: join(dir, 'wrangler.log') },
    logLevel: process.env.BENCH_LOG_LEVEL || 'warn',
    devVars: false,
    signal: controller.signal,
  }).catch(async (error: unknown) => {
    await receiver.close();
    throw error;
  });
  try {
    const loadBefore = loadavg()[0]!;
    const run = Date.now().toString(36);
    for (let i = 0; i < causes; i++) {
      controller.signal.throwIfAborted();
      const name = `hook-bench-${run}-${i}`;
      await call(`${service.url}/v1/rooms`, 'POST', {
        name,
        webhook_url: `${receiver.origin}/bench`,
        webhook_secret: 'bench-secret',
      });
      await call(`${service.url}/v1/rooms/${name}/meeting`, 'POST');
    }
    const deadline = Date.now() + DRAIN_MS;
    let received: ReceivedWebhook[] = [];
    while (Date.now() < deadline) {
      received = (await (await fetch(`${receiver.origin}/__control/received?path=/bench`)).json()) as ReceivedWebhook[];
      if (received.length >= causes) break;
      await sleep(250);
    }
    const latencies = received
      .map((hook) => hook.receivedAt - Date.parse((JSON.parse(hook.body) as { timestamp: string }).timestamp))
      .sort((a, b) => a - b);
    const rows = [
      ['causes', 'delivered', 'p50 ms', 'p99 ms', 'max ms', 'goal'],
      [
        String(causes),
        String(received.length),
        String(percentile(latencies, 50)),
        String(percentile(latencies, 99)),
        String(latencies.at(-1) ?? NaN),
        'every one, within 10 000 ms',
      ],
    ];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    process.stdout.write(
      `room webhooks, cause (meeting.started) to receipt, one wrangler dev and its queue consumer on 127.0.0.1\n` +
        `machine load (1 min average) before / after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}\n\n` +
        `${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')).join('\n')}\n`,
    );
    if (received.length < causes) process.exitCode = 1;
  } finally {
    await service.stop();
    await receiver.close();
  }
}

await main();
