import { describe, expect, it } from 'vitest';
import type { PlacementsShared } from '../../subgraphs/placements/loaders.ts';
import { CLAIM, JOIN } from '../support/flows.ts';
import { screenshot, useBrowserPlaza, WAIT, watchedPage } from './browser.ts';

const env = useBrowserPlaza({ pages: { clientPages: true } });

const FEED = '{ homepage(city: "Chengdu") { grid { id merchant { id } } cards { id merchant { id } } banners { id merchant { id } } } }';

describe('the merchant console page', () => {
  it("shows a merchant its placements' review and schedule, and figures equal to what was done, on a phone and a desktop", async () => {
    // two feeds served: the grid's first placement got two impressions
    let placementId = '';
    let merchantId = '';
    for (let k = 0; k < 2; k++) {
      const { body } = await env.plaza.query(FEED);
      expect(body.errors).toBeUndefined();
      placementId ||= body.data.homepage.grid[0].id;
      merchantId ||= body.data.homepage.grid[0].merchant.id;
    }
    await (env.plaza.subgraphs.placements.shared as PlacementsShared).impressions.flush();
    const offers = (await env.plaza.query('query($m: ID!) { merchant(id: $m) { offers(first: 10) { id channel } } }', { m: merchantId })).body.data.merchant.offers;
    const offer = offers.find((o: { channel: string }) => o.channel === 'PUBLIC');
    for (const user of ['u31', 'u32']) expect((await env.plaza.query(CLAIM, { templateId: offer.id, key: `console-${user}` }, { user })).body.errors).toBeUndefined();
    expect((await env.plaza.query(JOIN, { merchantId }, { user: 'u31' })).body.errors).toBeUndefined();

    const { page, context, outside } = await watchedPage(env.browser);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${env.origin}/console/?merchant=${merchantId}#token=${await env.plaza.tokenFor('u9', [`merchant:${merchantId}`])}`);
    const placement = page.locator(`[data-placement-id="${placementId}"]`);
    await expect.poll(() => placement.count(), WAIT).toBe(1);
    expect(await placement.getByTestId('impressions').innerText()).toBe('2');
    expect(await placement.getByTestId('status').innerText()).toBe('APPROVED');
    expect(await placement.getByTestId('schedule').innerText()).toMatch(/^\d{4}-\d\d-\d\d → \d{4}-\d\d-\d\d · Chengdu$/);
    const claimed = page.locator(`[data-offer-id="${offer.id}"]`);
    expect(await claimed.getByTestId('claims').innerText()).toBe('2');
    expect(await claimed.getByTestId('redemptions').innerText()).toBe('0');
    expect(await page.getByTestId('new-members').innerText()).toBe('1');
    expect(await page.getByTestId('repurchases').innerText()).toBe('0');
    await screenshot(page, 'console-390');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, 'console-1280');
    expect(outside).toEqual([]);
    await context.close();
  });

  it("shows a rejected placement's reason to its merchant", async () => {
    const { page, context } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/console/?merchant=m5#token=${await env.plaza.tokenFor('u9', ['merchant:m5'])}`);
    const rejected = page.locator('[data-placement-id="p5-b"]');
    await expect.poll(() => rejected.count(), WAIT).toBe(1);
    expect(await rejected.getByTestId('status').innerText()).toBe('REJECTED');
    expect(await rejected.getByTestId('review-reason').innerText()).toBe('Reviewer: The image shows another brand');
    await context.close();
  });

  it("refuses another merchant's console with FORBIDDEN, and shows no figure", async () => {
    const { page, context } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/console/?merchant=m1#token=${await env.plaza.tokenFor('u9', ['merchant:m2'])}`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible(), WAIT).toBe(true);
    expect(await alert.innerText()).toContain('FORBIDDEN');
    expect(await page.getByTestId('placement').count()).toBe(0);
    await context.close();
  });
});
