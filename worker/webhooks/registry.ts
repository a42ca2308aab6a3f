import { dailyReceiver } from './daily';
import type { WebhookReceiver } from './receiver';
import { wherebyReceiver } from './whereby';

/** Every provider's webhook receiver; routes/webhooks.ts declares one route per entry. */
export const WEBHOOK_RECEIVERS: readonly WebhookReceiver[] = [dailyReceiver, wherebyReceiver];
