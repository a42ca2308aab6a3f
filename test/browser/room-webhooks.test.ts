import { createHmac } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ReceivedWebhook,
  type RoomWebhookReceiver,
  startRoomWebhookReceiver,
} from '../../dev/stand-ins/room-webhook-receiver.ts';
import { contextFor, createRoom, launch, screenshots, uniqueName } from './helpers.ts';

// "Send test" end to end: the room form in Chromium, the Worker under wrangler dev, and a
// receiver on 127.0.0.1 (development allows http:// there) that checks the signature itself.

let browser: Browser;
let receiver: RoomWebhookReceiver;

beforeAll(async () => {
  [browser, receiver] = await Promise.all([launch(), startRoomWebhookReceiver()]);
});
afterAll(async () => {
  await Promise.all([browser?.close(), receiver?.close()]);
});

const received = async (path: string) =>
  (await (await fetch(`${receiver.origin}/__control/received?path=${path}`)).json()) as ReceivedWebhook[];
const behave = (behaviour: object) =>
  fetch(`${receiver.origin}/__control/behaviours`, { method: 'PUT', body: JSON.stringify(behaviour) });

describe("a room's webhook on /rooms", () => {
  it('sends a signed test from the room form and shows how the receiver answered', async () => {
    const owner = uniqueName('hook-owner');
    const name = uniqueName('hooked');
    const path = `/${name}`;
    const secret = 'browser-webhook-secret';
    await createRoom(owner, { name, webhook_url: `${receiver.origin}${path}`, webhook_secret: secret });
    const page = await (await contextFor(browser, owner)).newPage();
    await page.goto('/rooms');
    await page.getByRole('button', { name: `Edit ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Webhook URL').inputValue()).toBe(`${receiver.origin}${path}`);
    expect(await dialog.getByLabel('Webhook secret').getAttribute('type')).toBe('password');

    // By keyboard: focus the button, press Enter.
    await dialog.getByRole('button', { name: 'Send test' }).focus();
    await page.keyboard.press('Enter');
    await dialog.getByText('Delivered: the receiver answered 200.').waitFor();
    await screenshots(page, 'room-webhook-test-delivered');
    const [got, ...more] = await received(path);
    expect(more).toEqual([]);
    expect(got?.headers['x-webhook-event']).toBe('test');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(got?.headers['x-webhook-signature'] ?? '') ?? [];
    expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${got?.body}`).digest('hex'));
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ event: 'test', room: { name } });

    await behave({ path, status: 500, body: 'broken' });
    await dialog.getByRole('button', { name: 'Send test' }).click();
    await dialog.getByText('Not delivered: the receiver answered 500.').waitFor();
    await screenshots(page, 'room-webhook-test-failed');
  });
});
