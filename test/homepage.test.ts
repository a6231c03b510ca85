import type { PlacementsShared } from '../subgraphs/placements/loaders.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIES, seedMerchant, seedOffers, WORLD_SIZES } from '../subgraphs/kit/world.ts';
import { seedPlacementRows } from '../subgraphs/placements/seed.ts';
import { startPlaza, type Plaza } from './support/plaza.ts';

const SIZE = WORLD_SIZES.small;
const SECTIONS = ['searchHints', 'grid', 'news', 'banners', 'cards', 'basement'] as const;
const SLOT_OF = { searchHints: 'SEARCH_HINT', grid: 'GRID', news: 'NEWS', banners: 'BANNER', cards: 'CARD', basement: 'BASEMENT' } as const;
const ITEM = 'id slot merchant { id category } rank { score priority freshness targeting affinity }';
const FEED = `query Feed($city: String!) { homepage(city: $city) { city ${SECTIONS.map((s) => `${s} { ${ITEM} }`).join(' ')} } }`;

interface Item {
  id: string;
  slot: string;
  merchant: { id: string; category: string };
  rank: { score: number; priority: number; freshness: number; targeting: number; affinity: number };
}
type Feed = Record<(typeof SECTIONS)[number], Item[]> & { city: string };

const seedRows = Array.from({ length: SIZE.merchants }, (_, i) => seedPlacementRows(i, SIZE)).flat();
const NOW = new Date();
const unservable = seedRows.filter(
  ({ placement: p }) => p.status !== 'APPROVED' || p.endsAt <= NOW || p.startsAt > NOW,
);

let plaza: Plaza;
beforeAll(async () => {
  plaza = await startPlaza();
});
afterAll(() => plaza?.stop());

async function feed(city: string, user?: string): Promise<Feed> {
  const { status, body } = await plaza.query(FEED, { city }, { user });
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data.homepage;
}

/** Sorted the way the README says: score down, then id in code-point order. */
function inRankOrder(items: Item[]): boolean {
  return items.every((item, k) => k === 0 || items[k - 1].rank.score > item.rank.score || (items[k - 1].rank.score === item.rank.score && items[k - 1].id < item.id));
}

describe('the open homepage', () => {
  it('answers every slot section for a city in one request, ranked and filled', async () => {
    const home = await feed('Shanghai');
    expect(home.city).toBe('Shanghai');
    const sizes = { searchHints: 5, grid: 9, news: 5, banners: 5, cards: 10, basement: 6 };
    for (const section of SECTIONS) {
      expect(home[section].length, section).toBeGreaterThan(0);
      expect(home[section].length, section).toBeLessThanOrEqual(sizes[section]);
      expect(new Set(home[section].map((i) => i.slot)), section).toEqual(new Set([SLOT_OF[section]]));
      expect(inRankOrder(home[section]), `${section} is in rank order`).toBe(true);
    }
    expect(home.grid.length).toBe(9);
  });

  it('never serves an unapproved, expired or not yet started placement, though the seed gives them top priority', async () => {
    // the seed really holds such placements, in every slot, at priority 100
    expect(new Set(unservable.map((r) => r.placement.slot))).toEqual(new Set(['SEARCH_HINT', 'GRID', 'NEWS', 'BANNER', 'CARD', 'BASEMENT', 'PAYMENT_SUCCESS']));
    expect(new Set(unservable.map((r) => r.placement.status))).toEqual(new Set(['PENDING', 'REJECTED', 'APPROVED']));
    expect(unservable.every((r) => r.placement.priority === 100)).toBe(true);
    const hidden = new Set(unservable.map((r) => r.placement.id));
    for (const city of CITIES) {
      const home = await feed(city);
      for (const section of SECTIONS) for (const item of home[section]) expect(hidden.has(item.id), `${city} ${section} ${item.id}`).toBe(false);
    }
  });

  it('shows no merchant twice in one section, though some merchants place twice in one slot', async () => {
    const doubled = seedRows.filter((r) => r.placement.id.endsWith('-c'));
    expect(doubled.length).toBeGreaterThan(0);
    for (const city of CITIES) {
      const home = await feed(city);
      for (const section of SECTIONS) {
        const merchants = home[section].map((i) => i.merchant.id);
        expect(new Set(merchants).size, `${city} ${section}`).toBe(merchants.length);
      }
    }
  });

  it('costs the placements subgraph the same few SQL statements however many sections and items it answers', async () => {
    const query = `{ homepage(city: "Shenzhen") { ${SECTIONS.map((s) => `${s} { id targeting { cities categories } }`).join(' ')} } }`;
    (plaza.subgraphs.placements.shared as PlacementsShared).candidates.clear();
    const before = plaza.subgraphs.placements.statements();
    const { body } = await plaza.query(query, {}, { user: 'u3' });
    expect(body.errors).toBeUndefined();
    const items = SECTIONS.reduce((n, s) => n + body.data.homepage[s].length, 0);
    expect(items).toBeGreaterThan(20);
    // candidates of the city (2 statements) and the targeted cities of every item (1), not one per section or item
    expect(plaza.subgraphs.placements.statements() - before).toBe(3);
    // the city's candidates are shared with the next viewer for a moment: only the targeting is read again
    const again = plaza.subgraphs.placements.statements();
    expect((await plaza.query(query, {}, { user: 'u4' })).body.errors).toBeUndefined();
    expect(plaza.subgraphs.placements.statements() - again).toBe(1);
  });

  it('gives the same answer to the same question', async () => {
    expect(await feed('Hangzhou')).toEqual(await feed('Hangzhou'));
  });

  it('answers a city without placements of its own with nationwide ones only, and an over-long city with BAD_USER_INPUT', async () => {
    const nationwide = new Set(seedRows.filter((r) => r.cities.includes('*')).map((r) => r.placement.id));
    expect(nationwide.size).toBeGreaterThan(0);
    const elsewhere = await feed('Atlantis');
    expect(elsewhere.grid).toEqual([]);
    expect(elsewhere.banners).toEqual([]);
    expect(elsewhere.cards).toEqual([]);
    const served = [...elsewhere.searchHints, ...elsewhere.news, ...elsewhere.basement];
    expect(served.length).toBeGreaterThan(0);
    for (const item of served) {
      expect(nationwide.has(item.id)).toBe(true);
      expect(item.rank.targeting).toBe(0);
    }
    const { status, body } = await plaza.query(FEED, { city: 'x'.repeat(65) });
    expect(status).toBe(200);
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('ranks the categories of a merchant whose membership the user joins 50 points higher', async () => {
    const user = 'u2001';
    const before = await feed('Shanghai', user);
    // a category that is nowhere boosted yet, with a card that is not already first
    const target = before.cards.find((c, k) => k > 0 && c.rank.affinity === 0 && c.merchant.category !== before.cards[0].merchant.category)!;
    expect(target).toBeDefined();
    const category = target.merchant.category;
    const merchant = Array.from({ length: SIZE.merchants }, (_, i) => seedMerchant(i)).find((m) => m.category === category && m.city === 'Beijing')!;
    const joined = await plaza.query(`mutation { joinMembership(merchantId: "${merchant.id}") { merchant { id } } }`, {}, { user });
    expect(joined.body.errors).toBeUndefined();

    const after = await feed('Shanghai', user);
    for (const section of SECTIONS) {
      for (const item of after[section]) {
        expect(item.rank.affinity, `${section} ${item.id}`).toBe(item.merchant.category === category ? 50 : 0);
        expect(item.rank.score).toBe(item.rank.priority + item.rank.freshness + item.rank.targeting + item.rank.affinity);
      }
      expect(inRankOrder(after[section])).toBe(true);
    }
    const moved = after.cards.findIndex((c) => c.id === target.id);
    expect(moved).toBeGreaterThanOrEqual(0);
    expect(moved).toBeLessThan(before.cards.findIndex((c) => c.id === target.id));
    expect(after.cards.find((c) => c.id === target.id)!.rank.score).toBe(target.rank.score + 50);
    // someone else's feed is not affected
    expect((await feed('Shanghai', 'u2002')).cards).toEqual((await feed('Shanghai')).cards);
  });

  it('ranks the categories of a merchant whose coupon the user claims higher too', async () => {
    const user = 'u2003';
    const before = await feed('Chengdu', user);
    const target = before.grid.find((g, k) => k > 0 && g.rank.affinity === 0)!;
    const category = target.merchant.category;
    const index = Array.from({ length: SIZE.merchants }, (_, i) => i).find((i) => seedMerchant(i).category === category)!;
    const offer = seedOffers(index, SIZE).find((o) => o.channel === 'PUBLIC')!;
    const claimed = await plaza.query(`mutation { claimCoupon(templateId: "${offer.id}", idempotencyKey: "affinity-1") { id } }`, {}, { user });
    expect(claimed.body.errors).toBeUndefined();
    const after = await feed('Chengdu', user);
    const boosted = after.grid.find((g) => g.id === target.id)!;
    expect(boosted.rank.affinity).toBe(50);
    expect(after.grid.indexOf(boosted)).toBeLessThan(before.grid.findIndex((g) => g.id === target.id));
  });

  it('answers the whole homepage, a merchant\'s offers and the user\'s points and grid in one request', async () => {
    const query = `query Everything($city: String!, $merchantId: ID!) {
      me { nickname points { balance tier } grid { position source service { title deepLink } } }
      homepage(city: $city) {
        searchHints { title } news { title } banners { title imageUrl offer { title } } basement { title }
        grid { service { title merchant { name } } }
        cards { title service { merchant { name offers(first: 3) { title } } } }
      }
      merchant(id: $merchantId) { name offers(first: 10) { title remainingStock } }
    }`;
    const { status, body } = await plaza.query(query, { city: 'Shanghai', merchantId: 'm1' }, { user: 'u1' });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const data = body.data;
    expect(data.me.points.balance).toBeGreaterThanOrEqual(0);
    expect(data.me.grid.map((g: { service: { title: string } }) => g.service.title)).toEqual(
      data.homepage.grid.map((g: { service: { title: string } }) => g.service.title),
    );
    for (const section of ['searchHints', 'news', 'banners', 'basement', 'grid', 'cards']) expect(data.homepage[section].length, section).toBeGreaterThan(0);
    for (const card of data.homepage.cards) expect(card.service.merchant.offers.length).toBeGreaterThan(0);
    expect(data.merchant.name).toBe(seedMerchant(0).name);
  });

  it('shows after a payment the merchant\'s repurchase offers and recommendations of other merchants', async () => {
    const merchant = seedMerchant(8); // a Beijing merchant
    const { status, body } = await plaza.query(
      `{ paymentSuccessPage(merchantId: "${merchant.id}", paymentId: "pay-1") {
          paymentId merchant { id name repurchaseOffers { id channel } }
          recommendations { id slot merchant { id } service { title } } } }`,
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const page = body.data.paymentSuccessPage;
    expect(page.paymentId).toBe('pay-1');
    expect(page.merchant.name).toBe(merchant.name);
    const repurchase = seedOffers(8, SIZE).filter((o) => o.channel === 'PAYMENT_SUCCESS').map((o) => o.id);
    expect(page.merchant.repurchaseOffers.map((o: { id: string }) => o.id)).toEqual(repurchase);
    expect(page.recommendations.length).toBeGreaterThan(0);
    expect(page.recommendations.length).toBeLessThanOrEqual(5);
    const merchants = page.recommendations.map((r: { merchant: { id: string } }) => r.merchant.id);
    expect(merchants).not.toContain(merchant.id);
    expect(new Set(merchants).size).toBe(merchants.length);
    const hidden = new Set(unservable.map((r) => r.placement.id));
    for (const r of page.recommendations) {
      expect(r.slot).toBe('PAYMENT_SUCCESS');
      expect(hidden.has(r.id)).toBe(false);
    }
  });
});
