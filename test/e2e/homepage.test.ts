import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedPoints, seedUser } from '../../subgraphs/kit/world.ts';
import { screenshot, useBrowserPlaza, WAIT, watchedPage } from './browser.ts';

const FEED = fs.readFileSync(new URL('../../clients/homepage/HomepageFeed.graphql', import.meta.url), 'utf8');

const env = useBrowserPlaza({ pages: { clientPages: true } });

describe('the homepage page', () => {
  it('shows a signed-in user the city grid, the cards with their merchants\' offers, and their points', async () => {
    const expected = (await env.plaza.query(FEED, { city: 'Shanghai' }, { user: 'u1' })).body.data;
    const { page, context, outside } = await watchedPage(env.browser);
    const bodies: unknown[] = [];
    const answerTypes: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/graphql') && request.method() === 'POST') bodies.push(request.postDataJSON());
    });
    page.on('response', (response) => {
      if (response.url().endsWith('/graphql')) answerTypes.push(response.headers()['content-type'] ?? '');
    });
    await page.goto(`${env.origin}/homepage/?city=Shanghai#token=${await env.plaza.tokenFor('u1')}`);

    const grid = page.getByTestId('grid').locator('li');
    await expect.poll(() => grid.count(), WAIT).toBe(9);
    expect(await grid.locator('.label').allInnerTexts()).toEqual(expected.homepage.grid.map((g: { title: string }) => g.title.trim()));

    expect(await page.getByTestId('points-balance').innerText()).toBe(String(seedPoints(0)));
    expect(await page.locator('#points').innerText()).toContain(seedUser(0).nickname);

    const cards = page.getByTestId('card');
    await expect.poll(() => cards.count(), WAIT).toBe(expected.homepage.cards.length);
    // the cards were deferred: the feed came in parts
    expect(answerTypes.at(-1)).toBe('multipart/mixed; boundary="-"; deferSpec=20220824');
    expect(await cards.count()).toBe(expected.homepage.cards.length);
    const first = expected.homepage.cards[0];
    expect(await cards.first().getByTestId('card-merchant').innerText()).toBe(first.service.merchant.name);
    const offers = await cards.first().getByTestId('card-offers').locator('li').allInnerTexts();
    expect(offers.length).toBe(first.service.merchant.offers.length);
    expect(offers.length).toBeGreaterThan(0);
    offers.forEach((text, i) => expect(text).toContain(first.service.merchant.offers[i].title));

    if (expected.homepage.banners.length) expect(await page.getByTestId('banners').locator('li').count()).toBe(expected.homepage.banners.length);

    // one persisted query: first the hash alone, the text only if the gateway asks for it
    expect(bodies.length).toBeGreaterThanOrEqual(1);
    expect(bodies.length).toBeLessThanOrEqual(2);
    expect(bodies[0]).toMatchObject({ operationName: 'HomepageFeed', extensions: { persistedQuery: { version: 1, sha256Hash: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
    expect((bodies[0] as { query?: string }).query).toBeUndefined();
    expect(outside).toEqual([]);
    await screenshot(page, 'homepage-signed-in');
    await context.close();
  });

  it('asks an anonymous visitor to sign in and still shows the feed', async () => {
    const { page, context } = await watchedPage(env.browser);
    await page.goto(`${env.origin}/homepage/?city=Beijing`);
    await expect.poll(() => page.getByTestId('grid').locator('li').count(), WAIT).toBeGreaterThan(0);
    expect(await page.getByTestId('signed-out').innerText()).toBe('Sign in to see your points');
    await context.close();
  });

  it('shows a loading state, then an error with a retry that recovers when Plaza cannot be reached', async () => {
    const { page, context } = await watchedPage(env.browser);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/graphql', async (route) => {
      await held;
      await route.abort('connectionrefused');
    });
    await page.goto(`${env.origin}/homepage/?city=Shanghai`);
    await expect.poll(() => page.getByTestId('loading').isVisible(), WAIT).toBe(true);
    release();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.isVisible(), WAIT).toBe(true);
    expect(await alert.innerText()).toContain('NETWORK_ERROR');
    await screenshot(page, 'homepage-error');

    await page.unroute('**/graphql');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => page.getByTestId('grid').locator('li').count(), WAIT).toBe(9);
    await context.close();
  });
});
