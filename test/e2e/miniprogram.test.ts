import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { screenshot, useBrowserPlaza, WAIT, watchedPage } from './browser.ts';

const OFFERS = fs.readFileSync(new URL('../../clients/miniprogram/MerchantOffers.graphql', import.meta.url), 'utf8');

const env = useBrowserPlaza({ pages: { clientPages: true } });

const numberIn = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1]);

describe('the merchant mini-program page', () => {
  it('walks the in-store loop: claim a coupon, pay with it, see the success page and the points go up', async () => {
    const before = (await env.plaza.query(OFFERS, { merchantId: 'm1' }, { user: 'u2' })).body.data;
    const claimable = before.merchant.offers.filter((o: { channel: string; remainingStock: number }) => o.channel !== 'MEMBERS_ONLY' && o.remainingStock > 0);
    expect(claimable.length).toBeGreaterThan(0);

    const { page, context, outside } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/miniprogram/?merchant=m1#token=${await env.plaza.tokenFor('u2')}`);

    // the merchant's offers and the user's points
    const offers = page.getByTestId('offer');
    await expect.poll(() => offers.count(), WAIT).toBe(before.merchant.offers.length);
    expect(await page.locator('#merchant-name').innerText()).toBe(before.merchant.name);
    expect(Number(await page.getByTestId('points-balance').innerText())).toBe(before.me.points.balance);
    expect(await page.locator('#app').getAttribute('aria-busy')).toBe('false');

    // claim the first claimable offer
    const offer = offers.filter({ hasText: claimable[0].title }).first();
    await offer.getByRole('button', { name: 'Claim' }).click();
    await expect.poll(() => page.getByTestId('claimed').isVisible(), WAIT).toBe(true);
    expect(await page.getByTestId('claimed').innerText()).toContain(claimable[0].title);

    // pay a 200 yuan order with it
    await page.getByLabel('Order amount (yuan)').fill('200');
    await page.getByRole('button', { name: 'Pay with coupon' }).click();
    const success = page.getByTestId('payment-success');
    await expect.poll(() => success.isVisible(), WAIT).toBe(true);
    expect(await page.locator('#app').getAttribute('aria-busy')).toBe('false');
    await screenshot(page, 'miniprogram-payment-success');

    const paid = await page.getByTestId('paid').innerText();
    const amountPaid = numberIn(paid, /Paid ¥(\d+)/);
    const discount = numberIn(paid, /¥(\d+) off/);
    expect(discount).toBeGreaterThan(0);
    expect(amountPaid).toBe(200 - discount);

    const earnedText = await page.getByTestId('points-earned').innerText();
    const earned = numberIn(earnedText, /\+(\d+) points/);
    expect(earned).toBe(amountPaid); // one point per whole yuan paid
    expect(earnedText).toContain(`${before.me.points.balance} → ${before.me.points.balance + earned}`);
    expect(Number(await page.getByTestId('points-balance').innerText())).toBe(before.me.points.balance + earned);

    // the repurchase offers the merchant shows after paying
    const repurchase = (await env.plaza.query('query($m: ID!) { merchant(id: $m) { repurchaseOffers(first: 3) { title } } }', { m: 'm1' }, { user: 'u2' })).body.data.merchant.repurchaseOffers;
    expect(repurchase.length).toBeGreaterThan(0);
    const shown = await page.getByTestId('repurchase-offers').locator('li').allInnerTexts();
    expect(shown.length).toBe(repurchase.length);
    shown.forEach((text, i) => expect(text).toContain(repurchase[i].title));

    // what Plaza recorded matches what the page showed
    const after = (await env.plaza.query('{ me { points { balance } coupons(status: REDEEMED) { template { title } } } }', {}, { user: 'u2' })).body.data.me;
    expect(after.points.balance).toBe(before.me.points.balance + earned);
    expect(after.coupons.map((c: { template: { title: string } }) => c.template.title)).toContain(claimable[0].title);
    expect(outside).toEqual([]);
    await context.close();
  });

  it('shows an error with a retry, no longer busy, when Plaza cannot be reached', async () => {
    const { page, context } = await watchedPage(env.browser);
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    await page.goto(`${env.origin}/miniprogram/?merchant=m1`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible(), WAIT).toBe(true);
    expect(await alert.innerText()).toContain('NETWORK_ERROR');
    expect(await page.locator('#app').getAttribute('aria-busy')).toBe('false');
    await page.unroute('**/graphql');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => page.getByTestId('offer').count(), WAIT).toBeGreaterThan(0);
    await context.close();
  });

  it('keeps an anonymous visitor from claiming and asks them to sign in', async () => {
    const { page, context } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/miniprogram/?merchant=m1`);
    await expect.poll(() => page.getByTestId('offer').count(), WAIT).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Claim' }).first().isDisabled()).toBe(true);
    expect(await page.locator('main').innerText()).toContain('Sign in to claim coupons.');
    await context.close();
  });
});
