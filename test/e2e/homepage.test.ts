import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seedPoints, seedServices, seedUser, WORLD_SIZES } from '../../subgraphs/kit/world.ts';
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
    // a signed-in user sees their own grid (their edits, then their city's default)
    expect(await grid.locator('.label').allInnerTexts()).toEqual(expected.me.grid.map((g: { service: { title: string } }) => g.service.title));

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

  it('shows every position in order, suggests merchants as a Chinese query is typed, and opens the right mini-program, on a phone and a desktop', async () => {
    const user = 'u5';
    // the user's own edit: their pinned service leads their grid
    const pinned = await env.plaza.query('mutation { pinService(serviceId: "s2-2", position: 0) { id } }', {}, { user });
    expect(pinned.body.errors).toBeUndefined();
    const expected = (await env.plaza.query(FEED, { city: 'Shanghai' }, { user })).body.data;
    const { page, context, outside } = await watchedPage(env.browser);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${env.origin}/homepage/?city=Shanghai#token=${await env.plaza.tokenFor(user)}`);
    await expect.poll(() => page.getByTestId('card').count(), WAIT).toBe(expected.homepage.cards.length);

    // search bar, grid, news, banners, cards, basement: in the app's order, each with the feed's items
    const order = await page.locator('#app > section').evaluateAll((sections) => sections.map((s) => s.getAttribute('aria-label')));
    expect(order).toEqual(['Search', 'Services', 'News', 'Banners', 'Recommended', 'More']);
    expect(await page.getByTestId('grid').locator('.label').first().innerText()).toBe(seedServices(1, WORLD_SIZES.small)[1].title);
    expect(await page.getByTestId('grid').locator('a').first().getAttribute('href')).toMatch(/^\/miniprogram\/\?merchant=m2#token=/);
    expect(await page.getByTestId('news').locator('li').count()).toBe(expected.homepage.news.length);
    expect(await page.getByTestId('banners').locator('li').count()).toBe(expected.homepage.banners.length);
    expect(await page.getByTestId('basement').locator('li').count()).toBe(expected.homepage.basement.length);
    for (const list of ['news', 'banners', 'basement']) expect(expected.homepage[list].length, list).toBeGreaterThan(0);
    // every tile has its generated icon, and no debug text reaches the page
    expect(await page.getByTestId('grid').locator('svg').count()).toBe(9);
    expect(await page.locator('main').innerText()).not.toMatch(/banner · |card · |grid · /);
    await screenshot(page, 'homepage-390');

    // typing a Chinese word suggests the merchants holding it, ranked as search ranks them
    const search = (await env.plaza.query('{ search(query: "咖啡", city: "Shanghai", first: 5) { edges { node { id name } } } }')).body.data.search.edges;
    expect(search.length).toBeGreaterThan(0);
    await page.getByLabel('Search merchants and services').fill('咖啡');
    const suggestions = page.getByTestId('suggestion');
    await expect.poll(() => suggestions.count(), WAIT).toBe(search.length);
    expect(await suggestions.first().getAttribute('data-testid')).toBe('suggestion');
    expect(await suggestions.first().locator('a').getAttribute('href')).toMatch(new RegExp(`^/miniprogram/\\?merchant=${search[0].node.id}#token=`));
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, 'homepage-1280');

    // a suggestion opens that merchant's mini-program, signed in
    await suggestions.first().locator('a').click();
    await expect.poll(() => page.locator('#merchant-name').innerText(), WAIT).toBe(search[0].node.name);
    expect(outside).toEqual([]);
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
