import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room, RoomList } from '../../client/api.ts';
import { api, contextFor, createRoom, env, launch, screenshots, uniqueName } from './helpers.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function roomsOf(user: string): Promise<Room[]> {
  return (await api<RoomList>('GET', '/rooms?size=100', { as: user })).body.items;
}

describe('/rooms', () => {
  it('creates a room with its settings and platform, then edits it', async () => {
    const user = uniqueName('owner');
    const name = uniqueName('made-in-browser');
    const context = await contextFor(browser, user);
    const page = await context.newPage();
    await page.goto('/rooms');
    await page.getByRole('heading', { name: 'No rooms yet' }).waitFor();
    await screenshots(page, 'rooms-empty');

    await page.getByRole('button', { name: 'New room' }).click();
    const dialog = page.getByRole('dialog', { name: 'New room' });
    await dialog.waitFor();
    // Focus starts in the first field.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('room-name');
    await page.keyboard.type(name);
    await dialog.getByLabel('Daily').check();
    await dialog.getByLabel('Recording', { exact: true }).selectOption('cloud');
    await dialog.getByLabel('Recording starts').selectOption('automatic');
    await dialog.getByLabel('Meeting size').selectOption('group');
    await dialog.getByLabel('Shared').check();
    await screenshots(page, 'rooms-new');
    await dialog.getByRole('button', { name: 'Create room' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page
      .getByRole('status')
      .filter({ hasText: `Saved ${name}.` })
      .waitFor();

    const item = page.getByRole('listitem').filter({ has: page.getByRole('link', { name, exact: true }) });
    await item.waitFor();
    expect(await item.textContent()).toContain('Daily');
    let [stored] = await roomsOf(user);
    expect(stored).toMatchObject({
      name,
      platform: 'daily',
      recording_type: 'cloud',
      recording_trigger: 'automatic',
      room_mode: 'group',
      is_shared: true,
      skip_consent: false,
      is_locked: false,
    });
    await screenshots(page, 'rooms');

    // Edit: move it to Whereby, stop asking for consent, and share it no more (a shared room
    // would show in the other tests' lists).
    await item.getByRole('button', { name: `Edit ${name}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit ${name}` });
    await edit.waitFor();
    expect(await edit.getByLabel('Daily').isChecked()).toBe(true);
    await edit.getByLabel('Whereby').check();
    await edit.getByRole('note').filter({ hasText: 'starts a new meeting' }).waitFor();
    await edit.getByLabel("Don't ask for recording consent").check();
    await edit.getByLabel('Shared').uncheck();
    await screenshots(page, 'rooms-edit');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page
      .getByRole('status')
      .filter({ hasText: `Saved ${name}.` })
      .waitFor();
    await item.filter({ hasText: 'Whereby' }).waitFor();
    [stored] = await roomsOf(user);
    expect(stored).toMatchObject({
      name,
      platform: 'whereby',
      skip_consent: true,
      is_shared: false,
      room_mode: 'group',
    });
    // Focus went back to the button that opened the dialog.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Edit ${name}`);
    await context.close();
  });

  it('shows the API’s field errors next to the field', async () => {
    const user = uniqueName('owner');
    const taken = await createRoom(user, { name: uniqueName('taken') });
    const context = await contextFor(browser, user);
    const page = await context.newPage();
    await page.goto('/rooms');
    await page.getByRole('button', { name: 'New room' }).click();
    const dialog = page.getByRole('dialog', { name: 'New room' });
    const name = dialog.getByLabel('Room name');

    await name.fill('Not A Name');
    await dialog.getByRole('button', { name: 'Create room' }).click();
    const error = dialog.locator('#room-name-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('lower-case letters, digits and hyphens');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await name.getAttribute('aria-describedby')).toContain('room-name-error');
    expect(await name.evaluate((element) => element === document.activeElement)).toBe(true);
    await screenshots(page, 'rooms-field-error');

    await name.fill('rooms');
    await dialog.getByRole('button', { name: 'Create room' }).click();
    await error.filter({ hasText: 'page names' }).waitFor();

    await name.fill(taken.name);
    await dialog.getByRole('button', { name: 'Create room' }).click();
    await error.filter({ hasText: 'already exists' }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await context.close();
  });

  it('copies the join link and deletes a room', async () => {
    const user = uniqueName('owner');
    const room = await createRoom(user, { name: uniqueName('copy-me') });
    const context = await contextFor(browser, user);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
    const page = await context.newPage();
    await page.goto('/rooms');
    await page.getByRole('button', { name: `Copy the link to ${room.name}` }).click();
    await page.getByRole('status').filter({ hasText: 'Copied the link' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${env.url}/${room.name}`);

    await page.getByRole('button', { name: `Delete ${room.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${room.name}?` });
    await dialog.waitFor();
    await screenshots(page, 'rooms-delete');
    await dialog.getByRole('button', { name: 'Delete room' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Deleted ${room.name}.` })
      .waitFor();
    await page.getByRole('heading', { name: 'No rooms yet' }).waitFor();
    expect(await roomsOf(user)).toEqual([]);
    await context.close();
  });

  it('pages through more rooms than fit on one page', async () => {
    const user = uniqueName('owner');
    for (let i = 0; i < 21; i++) await createRoom(user, { name: uniqueName(`many-${i}`) });
    const context = await contextFor(browser, user, 360);
    const page = await context.newPage();
    await page.goto('/rooms');
    await page.getByText('Page 1 of 2 (21 rooms)').waitFor();
    expect(await page.locator('.room-item').count()).toBe(20);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2 of 2 (21 rooms)').waitFor();
    expect(await page.locator('.room-item').count()).toBe(1);
    // Nothing is wider than a 360-pixel phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await context.close();
  });

  it('asks an anonymous visitor to sign in', async () => {
    const context = await contextFor(browser, null);
    const page = await context.newPage();
    await page.goto('/rooms');
    await page.getByRole('heading', { name: 'Sign in to see your rooms' }).waitFor();
    await context.close();
  });
});
