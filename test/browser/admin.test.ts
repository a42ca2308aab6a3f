import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from './env.ts';
import { api, chunksOf, contextFor, createRoom, launch, openJoinPage, screenshots, uniqueName } from './helpers.ts';

// Only this file writes the rollout flags; the others rely on the settings the global setup
// gives (the master switch on through its fallback, the percentage malformed on purpose).

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await api('PUT', '/flags', {
    as: ADMIN,
    body: { DAILY_MIGRATION_ENABLED: true, DAILY_MIGRATION_ROOM_IDS: [], DAILY_MIGRATION_PERCENT: 0 },
  });
  await browser?.close();
});

describe('/admin', () => {
  it('shows the effective flags, the malformed stored value, and the figures of both platforms', async () => {
    const context = await contextFor(browser, ADMIN);
    const page = await context.newPage();
    await page.goto('/admin');
    const toggle = page.getByRole('switch', { name: 'Migration to Daily' });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(await page.getByLabel('Share of all rooms on Daily').inputValue()).toBe('0');
    const warning = page.locator('.warning').filter({ hasText: 'lots' });
    await warning.waitFor();
    expect(await warning.textContent()).toContain('is not valid');
    const metrics = page.locator('table.metrics');
    await metrics.waitFor();
    expect(await metrics.locator('thead th').allTextContents()).toEqual(['Figure', 'Whereby', 'Daily']);
    await metrics.getByRole('rowheader', { name: 'Delay, 95th percentile' }).waitFor();
    await screenshots(page, 'admin');
    await context.close();
  });

  it('tells someone who is not an administrator', async () => {
    const context = await contextFor(browser, 'not-an-admin');
    const page = await context.newPage();
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Only administrators can see the rollout flags' }).waitFor();
    await context.close();
  });

  it('changes the platform of the next meeting when a flag is changed on the page', async () => {
    const owner = uniqueName('owner');
    const listed = await createRoom(owner, {
      name: uniqueName('to-daily'),
      platform: 'whereby',
      recording_type: 'none',
    });
    const rolledBack = await createRoom(owner, {
      name: uniqueName('back-to-whereby'),
      platform: 'daily',
      recording_type: 'none',
    });
    const admin = await contextFor(browser, ADMIN);
    const adminPage = await admin.newPage();
    const guest = await contextFor(browser, null);
    const guestPage = await guest.newPage();
    await adminPage.goto('/admin');

    // List a Whereby room: its next meeting is on Daily.
    const rooms = adminPage.getByLabel('Rooms on Daily', { exact: true });
    await rooms.fill(listed.name);
    await adminPage.getByLabel('Share of all rooms on Daily').fill('0');
    await adminPage.getByRole('button', { name: 'Save rooms, owners and share' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    // Saving replaced the malformed value.
    expect(await adminPage.locator('.warning').count()).toBe(0);
    const onDaily = await openJoinPage(guestPage, listed.name);
    expect(onDaily.platform).toBe('daily');
    await guestPage.locator('.call-frame iframe').waitFor();

    // The rollback: the master switch off sends the next meeting of a Daily room to Whereby ...
    const toggle = adminPage.getByRole('switch', { name: 'Migration to Daily' });
    await toggle.click();
    await adminPage.getByRole('status').filter({ hasText: 'The migration is off' }).waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await screenshots(adminPage, 'admin-rolled-back');
    const backOnWhereby = await openJoinPage(guestPage, rolledBack.name);
    expect(backOnWhereby.platform).toBe('whereby');
    await guestPage.locator('iframe.call-frame').waitFor();

    // ... while the meeting already on Daily carries on there.
    const ongoing = await openJoinPage(guestPage, listed.name);
    expect(ongoing).toMatchObject({ id: onDaily.id, platform: 'daily' });

    const { body } = await api<{ DAILY_MIGRATION_ENABLED: boolean; DAILY_MIGRATION_ROOM_IDS: string[] }>(
      'GET',
      '/flags',
      { as: ADMIN },
    );
    expect(body).toMatchObject({ DAILY_MIGRATION_ENABLED: false, DAILY_MIGRATION_ROOM_IDS: [listed.name] });

    // The figures count the meetings just made on each platform, in the last hour.
    await adminPage.getByLabel('Window').selectOption('1h');
    const created = adminPage
      .locator('table.metrics tr')
      .filter({ has: adminPage.getByRole('rowheader', { name: 'Created', exact: true }) });
    // The new window's figures replace the old ones once they load (the table is redrawn): ask until they show.
    const counts = async () => (await created.locator('td').allTextContents()).map(Number);
    await expect
      .poll(counts, { timeout: 10_000 })
      .toSatisfy(([whereby, daily]: number[]) => (whereby ?? 0) >= 1 && (daily ?? 0) >= 1);
    await Promise.all([admin.close(), guest.close()]);
  });

  it('draws the figures as charts with the flag changes marked, and lists the changes in the timeline', async () => {
    const reason = `browser test ${uniqueName('reason')}`;
    const room = await createRoom(uniqueName('owner'), { name: uniqueName('charted'), recording_type: 'none' });
    const { status } = await api('PUT', '/flags', {
      as: ADMIN,
      body: {
        DAILY_MIGRATION_ENABLED: true,
        DAILY_MIGRATION_ROOM_IDS: [room.name],
        DAILY_MIGRATION_PERCENT: 0,
        reason,
      },
    });
    expect(status).toBe(200);
    // A guest's join makes a meeting to chart, and its page loads none of the admin page's code.
    const guest = await contextFor(browser, null);
    const guestPage = await guest.newPage();
    const chunks = chunksOf(guestPage);
    const styles: string[] = [];
    guestPage.on('request', (request) => styles.push(new URL(request.url()).pathname));
    expect((await openJoinPage(guestPage, room.name)).platform).toBe('daily');
    expect(chunks.has('Admin')).toBe(false);
    expect(styles.filter((path) => path.startsWith('/assets/Admin-'))).toEqual([]);

    const admin = await contextFor(browser, ADMIN);
    const page = await admin.newPage();
    await page.goto('/admin');
    const meetings = page.getByRole('img', { name: /^Meetings created/ });
    await meetings.waitFor();
    expect(await page.locator('.chart svg[role="img"]').count()).toBe(5);
    // Daily's line has a point where the meeting was made; the mark of the change stands on the axis.
    expect(await meetings.locator('[data-platform="daily"] rect').count()).toBeGreaterThan(0);
    expect(await meetings.locator('[data-platform="daily"] path').getAttribute('d')).toMatch(/^M/);
    const marks = meetings.locator('line.flag-mark title');
    expect((await marks.allTextContents()).some((title) => title.includes(reason))).toBe(true);

    const timeline = page.getByRole('list', { name: 'Flag changes, newest first' });
    const entry = timeline.getByRole('listitem').filter({ hasText: reason }).first();
    await entry.waitFor();
    expect(await entry.textContent()).toContain('DAILY_MIGRATION_ROOM_IDS');
    expect(await entry.textContent()).toContain(`by ${ADMIN}`);
    // The numbers behind a chart open from the keyboard.
    const numbers = page.locator('.chart').first().locator('summary');
    await numbers.focus();
    await page.keyboard.press('Enter');
    await page.locator('.chart').first().locator('details table').waitFor();
    await screenshots(page, 'admin-charts');
    await Promise.all([admin.close(), guest.close()]);
  });
});
