import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Coupon, Order } from '../../subgraphs/coupons/entities.ts';
import { Exchange, PointsAccount, PointsTransaction } from '../../subgraphs/membership/entities.ts';
import { tierFor } from '../../subgraphs/membership/service.ts';
import { CLAIM, couponsDb, membershipDb } from '../support/flows.ts';
import { screenshot, useBrowserPlaza, WAIT, watchedPage } from './browser.ts';

const OFFERS = fs.readFileSync(new URL('../../clients/miniprogram/MerchantOffers.graphql', import.meta.url), 'utf8');

const env = useBrowserPlaza({ pages: { clientPages: true } });

interface OfferRow {
  id: string;
  title: string;
  kind: string;
  value: number;
  channel: string;
  remainingStock: number;
}

/** The fen of the amount the page shows as ¥<yuan>.<fen> (the first one matching `pattern`'s two groups). */
function fenIn(text: string, pattern = /¥(\d+)\.(\d\d)/): number {
  const match = pattern.exec(text);
  if (!match) throw new Error(`no amount matching ${pattern} in ${JSON.stringify(text)}`);
  return Number(match[1]) * 100 + Number(match[2]);
}

async function offersOf(user: string) {
  const data = (await env.plaza.query(OFFERS, { merchantId: 'm1' }, { user })).body.data;
  const claimable = (data.merchant.offers as OfferRow[]).filter((o) => o.channel !== 'MEMBERS_ONLY' && o.remainingStock > 0);
  return { data, claimable };
}

describe('the merchant mini-program page', () => {
  it('walks the in-store loop on a phone: claim a coupon, open an order, apply it, pay with the sandbox, shows the points the ledger holds, and exchanges some for a member right; the end of the loop on a desktop', async () => {
    const { data: before, claimable } = await offersOf('u2');
    expect(claimable.length).toBeGreaterThan(0);
    const offerToClaim = claimable[0];

    const { page, context, outside } = await watchedPage(env.browser);
    // the operation each request to Plaza names (undefined when it names none)
    const operations: (string | undefined)[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') operations.push(request.postDataJSON()?.operationName);
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${env.origin}/miniprogram/?merchant=m1#token=${await env.plaza.tokenFor('u2')}`);

    // the merchant's offers and the user's points
    const offers = page.getByTestId('offer');
    await expect.poll(() => offers.count(), WAIT).toBe(before.merchant.offers.length);
    expect(await page.locator('#merchant-name').innerText()).toBe(before.merchant.name);
    expect(Number(await page.getByTestId('points-balance').innerText())).toBe(before.me.points.balance);
    expect(await page.locator('#app').getAttribute('aria-busy')).toBe('false');

    // claim the first claimable offer: the code shown is the coupon's in the database
    await offers.filter({ hasText: offerToClaim.title }).first().getByRole('button', { name: 'Claim' }).click();
    const claimedNote = page.getByTestId('claimed');
    await expect.poll(() => claimedNote.isVisible(), WAIT).toBe(true);
    expect(await claimedNote.innerText()).toContain(offerToClaim.title);
    const code = await claimedNote.locator('code').innerText();
    const coupon = await couponsDb(env.plaza).findOneOrFail(Coupon, { code });
    expect(coupon).toMatchObject({ ownerId: 'u2', templateId: offerToClaim.id, status: 'CLAIMED', orderId: null });

    // open an order of ¥123.45, typed in yuan: Plaza records 12345 fen, nothing off yet
    await page.getByLabel('Order amount (yuan)').fill('123.45');
    await page.getByRole('button', { name: 'Open order' }).click();
    const order = page.getByTestId('order');
    await expect.poll(() => order.isVisible(), WAIT).toBe(true);
    const orderId = (await order.getAttribute('data-order-id'))!;
    const opened = await couponsDb(env.plaza).findOneOrFail(Order, { id: orderId });
    expect(opened).toMatchObject({ ownerId: 'u2', merchantId: 'm1', amount: 12345, discount: 0, amountToPay: 12345, status: 'OPEN' });
    expect(await page.getByTestId('order-amount').innerText()).toBe('¥123.45');
    expect(await page.getByTestId('order-to-pay').innerText()).toBe('¥123.45');

    // apply the claimed coupon: the page shows the discount and the amount to pay Plaza computed
    await page.locator(`[data-coupon-id="${coupon.id}"]`).getByRole('button', { name: 'Apply' }).click();
    const onOrder = page.getByTestId('order-coupons');
    await expect.poll(() => onOrder.isVisible(), WAIT).toBe(true);
    expect(await onOrder.innerText()).toContain(offerToClaim.title);
    const priced = await couponsDb(env.plaza).findOneOrFail(Order, { id: orderId });
    expect(priced.discount).toBeGreaterThan(0);
    expect(priced.amountToPay).toBe(12345 - priced.discount);
    expect(fenIn(await page.getByTestId('order-discount').innerText())).toBe(priced.discount);
    expect(fenIn(await page.getByTestId('order-to-pay').innerText())).toBe(priced.amountToPay);
    expect((await couponsDb(env.plaza).findOneOrFail(Coupon, { id: coupon.id })).orderId).toBe(orderId);
    await screenshot(page, 'miniprogram-order');

    // pay with the sandbox provider
    await page.getByRole('button', { name: /with the sandbox$/ }).click();
    const success = page.getByTestId('payment-success');
    await expect.poll(() => success.isVisible(), WAIT).toBe(true);
    expect(await page.locator('#app').getAttribute('aria-busy')).toBe('false');
    await screenshot(page, 'miniprogram-payment-success');

    // what was paid is what the provider confirmed, with the discount Plaza computed
    const paidRow = await couponsDb(env.plaza).findOneOrFail(Order, { id: orderId });
    expect(paidRow).toMatchObject({ status: 'PAID', amountPaid: priced.amountToPay, discount: priced.discount });
    const paid = await page.getByTestId('paid').innerText();
    expect(fenIn(paid, /Paid ¥(\d+)\.(\d\d)/)).toBe(paidRow.amountPaid);
    expect(fenIn(paid, /¥(\d+)\.(\d\d) off/)).toBe(paidRow.discount);
    expect((await couponsDb(env.plaza).findOneOrFail(Coupon, { id: coupon.id })).status).toBe('REDEEMED');

    // the points shown are the ledger's: one point per whole yuan paid, balance = account = Σ ledger
    const earned = Number(/^\+(\d+) points$/.exec(await page.getByTestId('points-earned').innerText())?.[1]);
    expect(earned).toBe(Math.floor(paidRow.amountPaid! / 100));
    const em = membershipDb(env.plaza);
    const account = await em.findOneOrFail(PointsAccount, { userId: 'u2' });
    const ledger = await em.find(PointsTransaction, { userId: 'u2' });
    const shownBalance = Number(await page.getByTestId('balance-now').innerText());
    expect(shownBalance).toBe(account.balance);
    expect(account.balance).toBe(ledger.reduce((sum, t) => sum + t.amount, 0));
    expect(ledger.filter((t) => t.reference === `order:${orderId}`).map((t) => t.amount)).toEqual([earned]);
    expect(account.balance).toBe(before.me.points.balance + earned);
    expect(await page.getByTestId('tier-now').innerText()).toBe(tierFor(account.lifetimePoints));
    // the header shows the same points
    expect(Number(await page.getByTestId('points-balance').innerText())).toBe(account.balance);
    expect(await page.getByTestId('points-tier').innerText()).toBe(tierFor(account.lifetimePoints));

    // the repurchase offers the merchant shows after paying
    const repurchase = (await env.plaza.query('query($m: ID!) { merchant(id: $m) { repurchaseOffers(first: 3) { title } } }', { m: 'm1' }, { user: 'u2' })).body.data.merchant.repurchaseOffers;
    expect(repurchase.length).toBeGreaterThan(0);
    const shown = await page.getByTestId('repurchase-offers').locator('li').allInnerTexts();
    expect(shown.length).toBe(repurchase.length);
    shown.forEach((text, i) => expect(text).toContain(repurchase[i].title));

    // My points: this merchant's rights and the platform-wide ones, each with its cost in points
    const RIGHTS = 'query($m: ID!) { memberRights(first: 100) { id title cost merchant { id } } merchant(id: $m) { membershipProgram { rights { id title cost } } } }';
    const offered = (await env.plaza.query(RIGHTS, { m: 'm1' }, { user: 'u2' })).body.data;
    const expected = new Map<string, { id: string; title: string; cost: number }>();
    for (const right of offered.merchant.membershipProgram.rights) expected.set(right.id, right);
    for (const right of offered.memberRights) if (!right.merchant || right.merchant.id === 'm1') expected.set(right.id, right);
    const rights = page.getByTestId('right');
    await expect.poll(() => rights.count(), WAIT).toBe(expected.size);
    for (const right of expected.values()) {
      const row = page.locator(`[data-right-id="${right.id}"]`);
      expect(await row.innerText()).toContain(right.title);
      expect(await row.getByTestId('right-cost').innerText()).toBe(`${right.cost} points`);
    }
    expect(Number(await page.getByTestId('points-available').innerText())).toBe(account.balance);
    const tooDear = [...expected.values()].find((r) => r.cost > account.balance)!;
    const affordable = [...expected.values()].find((r) => r.cost <= account.balance)!;
    expect(tooDear && affordable).toBeTruthy();

    // more than the balance: the server's refusal, with its code, and nothing spent
    await page.locator(`[data-right-id="${tooDear.id}"]`).getByRole('button', { name: 'Exchange' }).click();
    const refusal = page.locator(`[data-right-id="${tooDear.id}"]`).getByRole('alert');
    await expect.poll(() => refusal.isVisible(), WAIT).toBe(true);
    expect(await refusal.innerText()).toContain('(INSUFFICIENT_POINTS)');
    expect((await membershipDb(env.plaza).findOneOrFail(PointsAccount, { userId: 'u2' })).balance).toBe(account.balance);

    // an exchange whose answer is lost on the way: "Try again" repeats the same attempt (same key), which spends once
    const keys: string[] = [];
    let lost = false;
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON();
      if (body?.operationName !== 'ExchangePoints') return route.fallback();
      keys.push(body.variables.idempotencyKey);
      const response = await route.fetch();
      if (!lost && (await response.json()).data?.exchangePoints) {
        lost = true;
        return route.abort('connectionreset');
      }
      return route.fulfill({ response });
    });
    const row = page.locator(`[data-right-id="${affordable.id}"]`);
    await row.getByRole('button', { name: 'Exchange' }).click();
    const failure = row.getByRole('alert');
    await expect.poll(() => failure.isVisible(), WAIT).toBe(true);
    expect(await failure.innerText()).toContain('(NETWORK_ERROR)');
    await failure.getByRole('button', { name: 'Try again' }).click();
    const exchanged = page.getByTestId('exchange');
    await expect.poll(() => exchanged.count(), WAIT).toBe(1);
    await page.unroute('**/graphql');
    expect(new Set(keys).size).toBe(1);

    // the new balance is the old one less the right's cost, as the ledger holds it
    const exchanges = await membershipDb(env.plaza).find(Exchange, { userId: 'u2' });
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ rightId: affordable.id, pointsSpent: affordable.cost, idempotencyKey: keys[0] });
    expect(await exchanged.innerText()).toContain(affordable.title);
    expect(await exchanged.getByTestId('voucher').innerText()).toBe(exchanges[0].voucherCode);
    const spent = account.balance - affordable.cost;
    expect(Number(await page.getByTestId('points-available').innerText())).toBe(spent);
    expect(Number(await page.getByTestId('balance-now').innerText())).toBe(spent);
    expect(Number(await page.getByTestId('points-balance').innerText())).toBe(spent);
    const { me } = (await env.plaza.query('{ me { points { balance transactions(first: 5) { amount reason } } } }', {}, { user: 'u2' })).body.data;
    expect(me.points.balance).toBe(spent);
    expect(me.points.transactions.filter((t: { reason: string }) => t.reason === 'EXCHANGE')).toEqual([{ amount: -affordable.cost, reason: 'EXCHANGE' }]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'miniprogram-exchange-390');
    // the same screen on a desktop: the new balance still shown, nothing cut off
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(Number(await page.getByTestId('balance-now').innerText())).toBe(spent);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, 'miniprogram-exchange-1280');

    // the page went through the checkout's operations, each request naming its operation
    expect(new Set(operations)).toEqual(new Set(['MerchantOffers', 'ClaimCoupon', 'OpenOrder', 'MyCoupons', 'ApplyCoupon', 'PayOrder', 'SandboxPay', 'PaymentSuccess', 'MemberRights', 'ExchangePoints']));
    expect(outside).toEqual([]);
    await context.close();
  });

  it('shows a refused coupon with its code and keeps the order, which can change coupons and be cancelled', async () => {
    const { data: before, claimable } = await offersOf('u3');
    const percent = claimable.find((o) => o.kind === 'PERCENT_OFF')!;
    const fixed = claimable.find((o) => o.kind === 'AMOUNT_OFF')!;
    expect(percent && fixed).toBeTruthy();
    const claims = await Promise.all(
      [percent, fixed].map(async (offer) => (await env.plaza.query(CLAIM, { templateId: offer.id, key: `page-${offer.id}` }, { user: 'u3' })).body.data.claimCoupon.id as string),
    );
    const [percentCoupon, fixedCoupon] = claims;

    const { page, context } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/miniprogram/?merchant=m1#token=${await env.plaza.tokenFor('u3')}`);
    await page.getByRole('button', { name: `Pay at ${before.merchant.name}` }).click();
    await page.getByLabel('Order amount (yuan)').fill('88');
    await page.getByRole('button', { name: 'Open order' }).click();
    const order = page.getByTestId('order');
    await expect.poll(() => order.isVisible(), WAIT).toBe(true);
    const orderId = (await order.getAttribute('data-order-id'))!;
    expect(await page.getByTestId('my-coupon').count()).toBe(2);

    // a percentage off does not combine: Plaza refuses the second coupon, the page says why and keeps the order
    await page.locator(`[data-coupon-id="${percentCoupon}"]`).getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('order-coupons').isVisible(), WAIT).toBe(true);
    await page.locator(`[data-coupon-id="${fixedCoupon}"]`).getByRole('button', { name: 'Apply' }).click();
    const alert = order.getByRole('alert');
    await expect.poll(() => alert.isVisible(), WAIT).toBe(true);
    expect(await alert.innerText()).toContain('(COUPON_NOT_STACKABLE)');
    expect(await page.locator('#app').getAttribute('aria-busy')).toBe('false');
    const withPercent = await couponsDb(env.plaza).findOneOrFail(Order, { id: orderId });
    expect(withPercent.discount).toBe(Math.floor((8800 * percent.value) / 100));
    expect(fenIn(await page.getByTestId('order-discount').innerText())).toBe(withPercent.discount);

    // swap it for the fixed amount off
    await page.getByTestId('order-coupons').getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByTestId('my-coupon').count(), WAIT).toBe(2);
    await page.locator(`[data-coupon-id="${fixedCoupon}"]`).getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('order-coupons').isVisible(), WAIT).toBe(true);
    expect(await page.getByTestId('order-coupons').innerText()).toContain(fixed.title);
    const withFixed = await couponsDb(env.plaza).findOneOrFail(Order, { id: orderId });
    expect(fenIn(await page.getByTestId('order-discount').innerText())).toBe(withFixed.discount);
    expect(fenIn(await page.getByTestId('order-to-pay').innerText())).toBe(withFixed.amountToPay);

    // cancelling releases the coupon and goes back to the offers
    await order.getByRole('button', { name: 'Cancel order' }).click();
    await expect.poll(() => page.getByTestId('offers').isVisible(), WAIT).toBe(true);
    expect((await couponsDb(env.plaza).findOneOrFail(Order, { id: orderId })).status).toBe('CANCELLED');
    expect((await couponsDb(env.plaza).findOneOrFail(Coupon, { id: fixedCoupon })).orderId).toBeNull();
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

  it('lets a user join the membership, after which the members-only offer is claimable, on a phone and a desktop', async () => {
    const { data } = await offersOf('u4');
    const membersOnly = (data.merchant.offers as OfferRow[]).find((o) => o.channel === 'MEMBERS_ONLY' && o.remainingStock > 0)!;
    expect(membersOnly).toBeTruthy();
    const { page, context, outside } = await watchedPage(env.browser);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${env.origin}/miniprogram/?merchant=m1#token=${await env.plaza.tokenFor('u4')}`);
    const offer = page.getByTestId('offer').filter({ hasText: membersOnly.title });
    await expect.poll(() => offer.count(), WAIT).toBe(1);
    expect(await offer.getByRole('button', { name: 'Claim' }).isDisabled()).toBe(true);
    await screenshot(page, 'miniprogram-members-only-390');

    await page.getByRole('button', { name: 'Join membership' }).click();
    await expect.poll(() => page.getByTestId('member').isVisible(), WAIT).toBe(true);
    expect(await page.getByTestId('join').count()).toBe(0);
    const claim = page.getByTestId('offer').filter({ hasText: membersOnly.title }).getByRole('button', { name: 'Claim' });
    expect(await claim.isDisabled()).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, 'miniprogram-member-1280');

    // the claim carries the membership's pass: the coupon is the user's in the database
    await claim.click();
    const claimedNote = page.getByTestId('claimed');
    await expect.poll(() => claimedNote.isVisible(), WAIT).toBe(true);
    const coupon = await couponsDb(env.plaza).findOneOrFail(Coupon, { code: await claimedNote.locator('code').innerText() });
    expect(coupon).toMatchObject({ ownerId: 'u4', templateId: membersOnly.id, status: 'CLAIMED' });
    expect(outside).toEqual([]);
    await context.close();
  });

  it('keeps an anonymous visitor from claiming and asks them to sign in', async () => {
    const { page, context } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/miniprogram/?merchant=m1`);
    await expect.poll(() => page.getByTestId('offer').count(), WAIT).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Claim' }).first().isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: /^Pay at / }).count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain('Sign in to claim coupons.');
    await context.close();
  });
});
