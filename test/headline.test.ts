import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMerchant, seedOffers, seedPoints, seedUser, WORLD_SIZES } from '../subgraphs/kit/world.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

const HOME = fs.readFileSync(new URL('../clients/homepage/Home.graphql', import.meta.url), 'utf8');

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

describe('the headline query', () => {
  it('returns a signed-in user\'s points, the city feed and a merchant\'s offers in one request', async () => {
    const { status, body } = await plaza.query(HOME, { city: 'Shanghai', merchantId: 'm1' }, { user: 'u1' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const data = body.data;

    expect(data.me).toEqual({ nickname: seedUser(0).nickname, points: { balance: seedPoints(0), tier: 'BRONZE' } });

    expect(data.homepage.grid.length).toBe(9);
    for (const item of data.homepage.grid) {
      // the app's own language: every title and name shown is Chinese
      expect(item.service.title).toMatch(/\p{Script=Han}/u);
      expect(item.service.merchant.name).toMatch(/\p{Script=Han}/u);
    }
    expect(data.homepage.cards.length).toBeGreaterThan(0);
    for (const card of data.homepage.cards) {
      expect(card.service.merchant.offers.length).toBeGreaterThan(0);
      expect(card.service.merchant.offers.length).toBeLessThanOrEqual(3);
      // every offer shown on a card belongs to that card's merchant
      for (const offer of card.service.merchant.offers) expect(offer.title).toContain(card.service.merchant.name);
    }

    const listed = seedOffers(0, WORLD_SIZES.small).filter((o) => o.channel !== 'PAYMENT_SUCCESS');
    expect(data.merchant).toEqual({
      name: seedMerchant(0).name,
      offers: listed.map((o) => ({ title: o.title, remainingStock: o.totalStock })),
    });
  });

  it('answers anonymous callers with me: null and everything else', async () => {
    const { status, body } = await plaza.query(HOME, { city: 'Beijing', merchantId: 'm2' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.me).toBeNull();
    expect(body.data.homepage.grid.length).toBeGreaterThan(0);
    expect(body.data.merchant.name).toBe(seedMerchant(1).name);
  });

  it('gives merchant: null for an unknown merchant, without an error', async () => {
    const { status, body } = await plaza.query(HOME, { city: 'Shanghai', merchantId: 'no-such-merchant' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.merchant).toBeNull();
  });

  it('shows the homepage of a city with no placements as empty sections', async () => {
    const { body } = await plaza.query('{ homepage(city: "Atlantis") { city grid { title } banners { title } cards { title } } }');
    expect(body.data.homepage).toEqual({ city: 'Atlantis', grid: [], banners: [], cards: [] });
  });

  it('pages a merchant\'s offers by cursor without gaps or repeats', async () => {
    const all = await plaza.query('{ merchant(id: "m3") { offers(first: 50) { id } } }');
    const ids = all.body.data.merchant.offers.map((o: { id: string }) => o.id);
    const first = await plaza.query('{ merchant(id: "m3") { offers(first: 2) { id } } }');
    const page1 = first.body.data.merchant.offers.map((o: { id: string }) => o.id);
    const second = await plaza.query(`{ merchant(id: "m3") { offers(first: 2, after: "${page1[1]}") { id } } }`);
    const page2 = second.body.data.merchant.offers.map((o: { id: string }) => o.id);
    expect([...page1, ...page2]).toEqual(ids.slice(0, page1.length + page2.length));
    expect(ids.length).toBeGreaterThan(2);
  });
});
