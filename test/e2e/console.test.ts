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

  it("submits a placement of the merchant's own service and offer through the form, lists it PENDING at once, and refuses another merchant's, on a phone and a desktop", async () => {
    const merchantId = 'm6';
    const ownQuery = 'query($m: ID!) { merchant(id: $m) { services { id title } offers(first: 10) { id title } stores { city } } }';
    const own = (await env.plaza.query(ownQuery, { m: merchantId })).body.data.merchant;
    const other = (await env.plaza.query(ownQuery, { m: 'm7' })).body.data.merchant;
    expect(own.services.length).toBeGreaterThan(0);
    expect(own.offers.length).toBeGreaterThan(0);
    expect(other.services.length && other.offers.length).toBeGreaterThan(0);
    const PLACEMENTS = 'query($m: ID!) { merchant(id: $m) { placements { id title status slot service { id } offer { id } targeting { cities } } } }';
    const placementsOf = async () => (await env.plaza.query(PLACEMENTS, { m: merchantId }, { user: 'u71', scopes: [`merchant:${merchantId}`] })).body.data.merchant.placements as { id: string; title: string; status: string; slot: string; service: { id: string }; offer: { id: string } | null; targeting: { cities: string[] } }[];
    const before = await placementsOf();

    const { page, context, outside } = await watchedPage(env.browser);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${env.origin}/console/?merchant=${merchantId}#token=${await env.plaza.tokenFor('u71', [`merchant:${merchantId}`])}`);
    const form = page.getByTestId('submit-placement');
    await expect.poll(() => form.isVisible(), WAIT).toBe(true);
    const listed = page.getByTestId('placement');
    expect(await listed.count()).toBe(before.length);

    // only the merchant's own services and offers can be picked
    const service = form.getByLabel('Service it opens');
    const offer = form.getByLabel('Offer it promotes');
    const values = (select: typeof service) => select.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(await values(service)).toEqual(own.services.map((s: { id: string }) => s.id));
    expect(await values(offer)).toEqual(own.offers.map((o: { id: string }) => o.id));
    for (const foreign of [...other.services, ...other.offers]) expect([...(await values(service)), ...(await values(offer))]).not.toContain(foreign.id);

    // on a phone: the form fits the width, and a submitted placement is listed PENDING without a reload
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const city = own.stores[0].city as string;
    await service.selectOption(own.services[0].id);
    await offer.selectOption(own.offers[0].id);
    await form.getByLabel('Slot').selectOption('BANNER');
    await form.getByLabel('Title', { exact: true }).fill('Autumn hotpot week');
    await form.getByLabel('Subtitle', { exact: true }).fill('Two pots for the price of one');
    await form.getByRole('checkbox', { name: city, exact: true }).check();
    await form.getByRole('button', { name: 'Submit for review' }).click();
    const fresh = listed.filter({ hasText: 'Autumn hotpot week' });
    await expect.poll(() => fresh.count(), WAIT).toBe(1);
    expect(await fresh.getByTestId('status').innerText()).toBe('PENDING');
    expect(await fresh.getByTestId('schedule').innerText()).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d → \\d{4}-\\d\\d-\\d\\d · ${city}$`));
    expect(await page.getByTestId('submitted').innerText()).toContain('PENDING');
    expect(await listed.count()).toBe(before.length + 1);
    const firstId = (await fresh.getAttribute('data-placement-id'))!;
    await screenshot(page, 'console-submitted-390');

    // the graph holds it, for this merchant, with the service and offer picked
    const afterFirst = await placementsOf();
    expect(afterFirst.find((p) => p.id === firstId)).toMatchObject({
      title: 'Autumn hotpot week',
      status: 'PENDING',
      slot: 'BANNER',
      service: { id: own.services[0].id },
      offer: { id: own.offers[0].id },
      targeting: { cities: [city] },
    });

    // on a desktop: another merchant's service or offer, forced into the form, is refused with its code and stored nowhere
    await page.setViewportSize({ width: 1280, height: 900 });
    for (const [select, foreign, code] of [
      [service, other.services[0].id, 'SERVICE_NOT_FOUND'],
      [offer, other.offers[0].id, 'OFFER_NOT_FOUND'],
    ] as const) {
      await select.evaluate((node, id) => node.append(new Option('another merchant’s', id)), foreign);
      await select.selectOption(foreign);
      await form.getByLabel('Title', { exact: true }).fill('Not mine');
      await form.getByLabel('Subtitle', { exact: true }).fill('Somebody else’s');
      await form.getByRole('button', { name: 'Submit for review' }).click();
      const refusal = form.getByRole('alert');
      await expect.poll(async () => (await refusal.isVisible()) && (await refusal.innerText()), WAIT).toContain(`(${code})`);
      await select.selectOption(select === service ? own.services[0].id : '');
    }
    await screenshot(page, 'console-refused-1280');
    expect((await placementsOf()).filter((p) => p.title === 'Not mine')).toEqual([]);
    expect(await listed.count()).toBe(before.length + 1);

    // and a second submission, without an offer and for every city, joins the list on top
    await form.getByLabel('Slot').selectOption('CARD');
    await form.getByRole('checkbox', { name: city, exact: true }).uncheck();
    await form.getByLabel('Title', { exact: true }).fill('Member card');
    await form.getByLabel('Subtitle', { exact: true }).fill('Join and collect points');
    await form.getByRole('button', { name: 'Submit for review' }).click();
    const second = listed.filter({ hasText: 'Member card' });
    await expect.poll(() => second.count(), WAIT).toBe(1);
    expect(await second.getByTestId('status').innerText()).toBe('PENDING');
    expect(await listed.first().getAttribute('data-placement-id')).toBe(await second.getAttribute('data-placement-id'));
    expect(await form.getByRole('alert').count()).toBe(0);
    const afterSecond = await placementsOf();
    expect(afterSecond.length).toBe(before.length + 2);
    expect(afterSecond.find((p) => p.title === 'Member card')).toMatchObject({ status: 'PENDING', slot: 'CARD', offer: null, targeting: { cities: [] } });
    await screenshot(page, 'console-submitted-1280');
    expect(outside).toEqual([]);
    await context.close();
  });
});
